/**
 * Exotel ids (user_id, device_id, account SID) travel as URL path segments. An id that
 * could change which path is requested — a slash, a dot-dot, an encoded character, a
 * query or fragment marker, a control character — is refused before any request, so no
 * input item can steer a request to another resource.
 */

const FORBIDDEN: Array<[RegExp, string]> = [
	[/\//, '"/"'],
	[/\\/, '"\\"'],
	[/\?/, '"?"'],
	[/#/, '"#"'],
	[/%/, '"%"'],
	[/\.\./, '".."'],
];

function hasLoneSurrogate(value: string): boolean {
	for (let i = 0; i < value.length; i++) {
		const code = value.charCodeAt(i);
		if (code >= 0xd800 && code <= 0xdbff) {
			const next = value.charCodeAt(i + 1);
			if (next >= 0xdc00 && next <= 0xdfff) {
				i++;
				continue;
			}
			return true;
		}
		if (code >= 0xdc00 && code <= 0xdfff) return true;
	}
	return false;
}

/** C0 and C1 controls, DEL, and the line and paragraph separators U+2028/U+2029. */
function hasControlCharacter(value: string): boolean {
	for (let i = 0; i < value.length; i++) {
		const code = value.charCodeAt(i);
		if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029)
			return true;
	}
	return false;
}

/** Bidirectional controls reorder what an error or a log shows: an id that reads as another id. */
function hasBidiControl(value: string): boolean {
	return /[\u202A-\u202E\u2066-\u2069]/.test(value);
}

/** Exotel's ids are short (a 32-character user_id, small device numbers); anything longer is a mistake. */
export const MAX_ID_LENGTH = 256;

export type IdCheck = { ok: true; id: string } | { ok: false; problem: string };

/**
 * Normalises an id (numbers are accepted, surrounding white space is dropped) and says
 * what is wrong with it, if anything.
 */
export function checkId(raw: unknown): IdCheck {
	if (typeof raw === 'number' && Number.isFinite(raw)) return { ok: true, id: String(raw) };
	if (typeof raw !== 'string') {
		return {
			ok: false,
			problem:
				raw === undefined || raw === null
					? 'is empty'
					: `must be text or a number, got ${typeof raw}`,
		};
	}
	const id = raw.trim();
	if (id.length === 0) return { ok: false, problem: 'is empty' };
	if (id.length > MAX_ID_LENGTH)
		return {
			ok: false,
			problem: `is ${id.length} characters long; an id has at most ${MAX_ID_LENGTH}`,
		};
	const found = FORBIDDEN.filter(([pattern]) => pattern.test(id)).map(([, name]) => name);
	// Checked on the value as given: trim() would drop a U+2028 at either end and accept the rest.
	if (hasControlCharacter(id) || /[\u0085\u2028\u2029]/.test(raw))
		found.push('a control character (such as a line break, a tab or U+2028)');
	if (hasBidiControl(raw)) found.push('a text-direction control (U+202A–U+202E, U+2066–U+2069)');
	// A segment of one dot is dropped by URL resolution, which would send the request to the parent path.
	if (id === '.') found.push('only "."');
	if (hasLoneSurrogate(id)) found.push('a broken character (half of a UTF-16 pair)');
	if (found.length > 0) {
		return {
			ok: false,
			problem: `contains ${found.join(', ')}; an id is a single URL path segment and may not be "." or contain / \\ ? # % .. or control characters`,
		};
	}
	return { ok: true, id };
}
