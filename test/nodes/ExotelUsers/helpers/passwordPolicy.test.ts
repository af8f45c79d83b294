import {
	characterClassesIn,
	nodeRuleProblems,
} from '../../../../nodes/ExotelUsers/helpers/passwordPolicy';
import { sipPasswordProblems } from '../../../support/sipPassword';
import { exotelAcceptsSipPassword } from '../../../../tools/dev/sandbox/exotelPolicy';

// One sample per class, combined below into every 2-of-4 and 3-of-4 set.
const SAMPLES = {
	'lower case': 'abcd',
	'upper case': 'EFGH',
	digits: '2468',
	'special characters': '!@#$',
} as const;
type ClassName = keyof typeof SAMPLES;
const NAMES = Object.keys(SAMPLES) as ClassName[];

function combinations(size: number, from: ClassName[] = NAMES): ClassName[][] {
	if (size === 0) return [[]];
	return from.flatMap((name, i) =>
		combinations(size - 1, from.slice(i + 1)).map((rest) => [name, ...rest]),
	);
}

describe('sipPasswordProblems', () => {
	it('accepts exactly 8 characters from 3 classes, and refuses 7', () => {
		expect(sipPasswordProblems('Abcdef1!')).toEqual([]);
		expect(sipPasswordProblems('Abcde1!')).toEqual(['7 characters, needs at least 8']);
	});

	it('says "1 character" for a single character', () => {
		expect(sipPasswordProblems('a')[0]).toBe('1 character, needs at least 8');
	});

	it.each(combinations(2).map((set) => [set.join(' + '), set]))(
		'refuses a password of only %s, naming the classes it found',
		(_label, set) => {
			const password = set.map((name) => SAMPLES[name]).join('');
			expect(sipPasswordProblems(password)).toEqual([
				`uses 2 of the 4 character classes (${set.join(', ')}), needs 3 of: lower case, upper case, digits, special characters`,
			]);
		},
	);

	it.each(combinations(3).map((set) => [set.join(' + '), set]))(
		'accepts a password of %s',
		(_label, set) => {
			expect(sipPasswordProblems(set.map((name) => SAMPLES[name]).join(''))).toEqual([]);
		},
	);

	it('accepts all four classes', () => {
		expect(sipPasswordProblems('abEF24!@')).toEqual([]);
	});

	it('reports every broken rule at once', () => {
		expect(sipPasswordProblems('abc12')).toEqual([
			'5 characters, needs at least 8',
			'uses 2 of the 4 character classes (lower case, digits), needs 3 of: lower case, upper case, digits, special characters',
		]);
	});

	it('refuses leading and trailing white space as a copy-paste accident', () => {
		expect(sipPasswordProblems(' Abcdef1!')).toEqual([
			'starts with white space (likely a copy-paste accident)',
		]);
		expect(sipPasswordProblems('Abcdef1!\n')).toEqual([
			'ends with white space (likely a copy-paste accident)',
		]);
		expect(sipPasswordProblems('Abc def1')).toEqual([]); // inside, a space is a special character
	});

	it('refuses an empty password', () => {
		expect(sipPasswordProblems('')).toEqual(['it is empty']);
	});

	it('counts non-ASCII letters as special characters and emoji as one character each', () => {
		expect(characterClassesIn('éß')).toEqual(['special characters']);
		expect(sipPasswordProblems('passwörd1')).toEqual([]); // lower + special + digits
		// 7 code points, although 8 UTF-16 units.
		expect(sipPasswordProblems('Abcde1😀')).toEqual(['7 characters, needs at least 8']);
	});

	it('never repeats any part of the password in its messages', () => {
		const password = 'zq7';
		for (const problem of sipPasswordProblems(password)) {
			expect(problem).not.toMatch(/zq/);
		}
	});

	it('agrees with the independent reference rule on a sample of shapes', () => {
		const samples = [
			'Abcdef1!',
			'abcdefgh',
			'ABCD1234',
			'abcd!@#$',
			'Ab1!',
			'ÄÖÜäöü12',
			'pass word1',
			'12345678!A',
		];
		for (const sample of samples) {
			expect(sipPasswordProblems(sample).length === 0).toBe(exotelAcceptsSipPassword(sample));
		}
	});
});

describe('the node’s own rule: what a softphone user cannot type back', () => {
	it.each([
		[
			'a zero-width space at the start',
			'\u200bAbcdef1!',
			'starts with an invisible character (likely a copy-paste accident)',
		],
		[
			'a byte-order mark at the end',
			'Abcdef1!\ufeff',
			'ends with an invisible character (likely a copy-paste accident)',
		],
		[
			'U+0085 at the end',
			'Abcdef1!\u0085',
			'ends with an invisible character (likely a copy-paste accident)',
		],
		['a NUL inside', 'Abc\u0000def1!', 'contains a NUL character'],
		[
			'a lone surrogate inside',
			'Abc\ud800def1!',
			'contains a broken character (half of a UTF-16 pair)',
		],
	])('refuses %s, naming the rule', (_label, password, problem) => {
		expect(nodeRuleProblems(password)).toEqual([problem]);
	});

	it('accepts an emoji (a whole surrogate pair) and a zero-width joiner inside', () => {
		expect(nodeRuleProblems('Abc😀d\u200def1')).toEqual([]);
	});
});
