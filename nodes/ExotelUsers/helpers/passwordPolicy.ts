/**
 * Exotel's SIP password policy (Users API, "create / update SIP password"):
 * at least 8 characters, drawn from at least 3 of 4 character classes.
 * Exotel documents no maximum length and no forbidden character.
 */

export const MIN_SIP_PASSWORD_LENGTH = 8;
export const MIN_CHARACTER_CLASSES = 3;

export const CHARACTER_CLASSES = [
	'lower case',
	'upper case',
	'digits',
	'special characters',
] as const;
export type CharacterClass = (typeof CHARACTER_CLASSES)[number];

export function characterClassOf(character: string): CharacterClass {
	if (character >= 'a' && character <= 'z') return 'lower case';
	if (character >= 'A' && character <= 'Z') return 'upper case';
	if (character >= '0' && character <= '9') return 'digits';
	// Exotel's examples are !@#$%^&*; anything else that is not a-z, A-Z or 0-9 (including
	// accented letters) is counted as special, which is the reading least likely to reject
	// a password Exotel would accept.
	return 'special characters';
}

/** The classes a password draws from, in the policy's own order. */
export function characterClassesIn(password: string): CharacterClass[] {
	const found = new Set<CharacterClass>();
	for (const character of password) found.add(characterClassOf(character));
	return CHARACTER_CLASSES.filter((c) => found.has(c));
}

function plural(count: number, word: string): string {
	return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * Every rule of Exotel's policy the password breaks, each saying what was found and what
 * is needed. Returns [] for a password Exotel accepts. The messages describe the
 * password's shape only — never a character of it — so they are safe to show and to store.
 */
export function exotelPolicyProblems(password: string): string[] {
	if (password.length === 0) return ['it is empty'];

	const problems: string[] = [];
	// Count code points, not UTF-16 units, so an emoji is one character as a person sees it.
	const length = [...password].length;
	if (length < MIN_SIP_PASSWORD_LENGTH) {
		problems.push(`${plural(length, 'character')}, needs at least ${MIN_SIP_PASSWORD_LENGTH}`);
	}

	const classes = characterClassesIn(password);
	if (classes.length < MIN_CHARACTER_CLASSES) {
		problems.push(
			`uses ${classes.length} of the 4 character classes (${classes.join(', ')}), needs ${MIN_CHARACTER_CLASSES} of: ${CHARACTER_CLASSES.join(', ')}`,
		);
	}
	return problems;
}

/**
 * Characters a person cannot see at the end of a password: JavaScript's white space, and the
 * invisible ones it does not count (zero-width space and joiners, U+0085, the byte-order mark,
 * word joiner). A softphone user types what they see, so these lock them out.
 */
const INVISIBLE_END = /^[\s\u0085\u200B-\u200D\u2060\uFEFF]|[\s\u0085\u200B-\u200D\u2060\uFEFF]$/;

function hasLoneSurrogate(value: string): boolean {
	return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}

/**
 * The node's own rules, not Exotel's: nothing invisible at either end, no NUL, no broken
 * character. Exotel would take them, but a space, a zero-width space or a byte-order mark
 * there is almost always a copy-paste accident, and a NUL or half of a UTF-16 pair does not
 * survive the trip to a softphone: each would leave the user unable to log in.
 */
export function nodeRuleProblems(password: string): string[] {
	const problems: string[] = [];
	const first = password.slice(0, 1);
	const last = password.slice(-1);
	const atStart = INVISIBLE_END.test(first);
	const atEnd = password.length > 1 && INVISIBLE_END.test(last);
	const what = (c: string) =>
		/[\u0085\u200B-\u200D\u2060\uFEFF]/.test(c) ? 'an invisible character' : 'white space';
	if (atStart) problems.push(`starts with ${what(first)} (likely a copy-paste accident)`);
	if (atEnd) problems.push(`ends with ${what(last)} (likely a copy-paste accident)`);
	if (password.includes('\u0000')) problems.push('contains a NUL character');
	if (hasLoneSurrogate(password))
		problems.push('contains a broken character (half of a UTF-16 pair)');
	return problems;
}

/** The rules for the editor's hint, worded for a person and a model alike. */
export const PASSWORD_RULES_HINT =
	'Exotel’s policy: at least 8 characters, using 3 of: lower case, upper case, digits, special characters. ' +
	'This node also refuses white space or an invisible character at either end (a copy-paste accident), and NUL.';
