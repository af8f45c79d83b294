import { checkId } from '../../../nodes/shared/ids';

describe('checkId', () => {
	it('accepts ids and trims surrounding white space', () => {
		expect(checkId('a3f1c2d4e5b6')).toEqual({ ok: true, id: 'a3f1c2d4e5b6' });
		expect(checkId('  101 ')).toEqual({ ok: true, id: '101' });
	});

	it('accepts numbers, as the docs show device ids', () => {
		expect(checkId(101)).toEqual({ ok: true, id: '101' });
	});

	it.each([[''], ['   '], [undefined], [null]])('refuses an empty id (%p)', (raw) => {
		expect(checkId(raw)).toEqual({ ok: false, problem: 'is empty' });
	});

	it.each([
		['../admin', '".."'],
		['a/b', '"/"'],
		['a\\b', '"\\"'],
		['a?limit=1', '"?"'],
		['a#x', '"#"'],
		['a%2Fb', '"%"'],
		['a\r\nHost: evil', 'a control character'],
		['a\tb', 'a control character'],
		['.', 'only "."'],
		[' . ', 'only "."'],
		['a\uD800b', 'a broken character'],
	])('refuses %j, naming %s', (raw, named) => {
		const result = checkId(raw);
		expect(result.ok).toBe(false);
		expect(!result.ok && result.problem).toContain(named);
		expect(!result.ok && result.problem).toContain('single URL path segment');
	});

	it('refuses values that are neither text nor numbers', () => {
		expect(checkId({ id: 1 })).toEqual({
			ok: false,
			problem: 'must be text or a number, got object',
		});
		expect(checkId(Number.NaN).ok).toBe(false);
	});
});

describe('ids that would mislead a reader or a log (C1, bidi, separators, length)', () => {
	it.each([
		['a C1 control (U+0085)', 'abc\u0085def'],
		['a C1 control (U+009B)', 'abc\u009bdef'],
		['a right-to-left override', 'abc\u202edef'],
		['a directional isolate', '\u2066abc\u2069'],
		['a line separator at the end', 'abcdef\u2028'],
		['a paragraph separator', 'abc\u2029def'],
	])('refuses %s', (_label, id) => {
		const checked = checkId(id);
		expect(checked.ok).toBe(false);
	});

	it('refuses more than 256 characters, saying the limit', () => {
		expect(checkId('a'.repeat(256))).toEqual({ ok: true, id: 'a'.repeat(256) });
		expect(checkId('a'.repeat(257))).toEqual({
			ok: false,
			problem: 'is 257 characters long; an id has at most 256',
		});
	});
});
