/**
 * Exotel's rules for the fields of a user and a device, checked before a request so that
 * the error names the field. Each returns the broken rules ([] when the value is fine).
 */

export const ROLES = ['admin', 'supervisor', 'user'] as const;

/** Exotel's codes about a user's email, for the operations that set one (create, update). */
export const EMAIL_CODE_HINTS: Record<string, string> = {
	'10813': 'This email address is already used by another user of the account.',
};

/**
 * What Exotel's docs allow in a first or last name: 3–20 characters of A–Z, a–z, 0–9, space,
 * `.`, `'` and `-`. Accented and non-Latin letters ("José", "Zoë") are outside it: Exotel
 * refuses them with a 400, so the node refuses them first, naming the field.
 */
export const NAME_RULE =
	"3 to 20 characters: A–Z, a–z, 0–9, space, . ' and - (no accented letters such as é)";

export const NAME_DESCRIPTION_FIRST = `The user’s first name, ${NAME_RULE}, e.g. Asha`;
export const NAME_DESCRIPTION_LAST = `The user’s last name, ${NAME_RULE}, e.g. Rao`;

export function nameProblems(value: string): string[] {
	const problems: string[] = [];
	const length = [...value].length;
	if (length < 3 || length > 20) problems.push(`has ${length} characters, needs 3 to 20`);
	const others = [...new Set([...value].filter((c) => !/[A-Za-z0-9 .'-]/.test(c)))];
	if (others.length > 0) {
		problems.push(
			`may only use A–Z, a–z, 0–9, space, . ' and - (found ${others.map((c) => JSON.stringify(c)).join(' ')})`,
		);
	}
	return problems;
}

export function emailProblems(value: string): string[] {
	return /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/.test(value)
		? []
		: ['is not an email address such as name@example.com'];
}

/** Whether a value is an email address (and not a user id): the one rule for the User field and both pickers. */
export function isEmail(value: string): boolean {
	return emailProblems(value).length === 0;
}

/** A phone number in E.164: + and the country code, then the number, 8–15 digits in all. */
export function e164Problems(value: string): string[] {
	return /^\+[1-9]\d{7,14}$/.test(value)
		? []
		: [
				'must be a phone number in E.164 format: + and the country code, digits only, e.g. +919876543210',
			];
}

/** A device contact URI as Exotel's filter takes it: E.164, or a sip: URI. */
export function contactUriProblems(value: string): string[] {
	if (value.startsWith('sip:'))
		return /^sip:[^\s,]+$/.test(value) ? [] : ['is not a valid sip: URI'];
	return e164Problems(value).length
		? ['must be an E.164 number (e.g. +919876543210) or a sip: URI']
		: [];
}

/** Splits a comma-separated field into its trimmed, non-empty parts. */
export function splitList(value: string): string[] {
	return value
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part.length > 0);
}
