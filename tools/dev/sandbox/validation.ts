/**
 * The Users API's input rules (docs/exotel-api.md). Each check returns the error answer
 * Exotel would give, or undefined when the value passes, so handlers chain them with `??`
 * and answer with the first problem, as Exotel does.
 */
import { invalid, failure, type RouteResult } from './protocol';
import { ROLES } from './model';

/**
 * 3–20 characters of letters, digits, space, `.`, `'` and `-`. "Letters" is read as ASCII
 * letters: the stricter reading, so a client that relies on accented names finds out here.
 */
const NAME = /^[A-Za-z0-9 .'-]{3,20}$/;

/** E.164: a plus, a non-zero country digit, 8 to 15 digits in all. */
const E164 = /^\+[1-9][0-9]{7,14}$/;

/** Deliberately loose: one @, something on each side, a dot in the domain, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Absent for Exotel's purposes: not sent, null, or an empty string. */
export function isBlank(value: unknown): boolean {
	return value === undefined || value === null || value === '';
}

export function isE164(value: unknown): value is string {
	return typeof value === 'string' && E164.test(value);
}

/** Emails are compared without case: one mailbox, however it is spelled. */
export function sameEmail(a: string | null, b: string | null): boolean {
	return a !== null && b !== null && a.toLowerCase() === b.toLowerCase();
}

export function checkName(
	field: 'first_name' | 'last_name',
	value: unknown,
): RouteResult | undefined {
	if (typeof value === 'string' && NAME.test(value)) return undefined;
	return invalid(
		`${field} must be 3 to 20 characters: letters, digits, spaces, dots, apostrophes or hyphens`,
	);
}

export function checkEmail(value: unknown): RouteResult | undefined {
	if (typeof value === 'string' && EMAIL.test(value)) return undefined;
	return invalid('email must be a valid email address');
}

export function checkRole(value: unknown): RouteResult | undefined {
	if (value === undefined || ROLES.includes(value as never)) return undefined;
	return invalid(`role must be one of ${ROLES.join(', ')}`);
}

export function checkPhone(field: string, value: unknown): RouteResult | undefined {
	if (isE164(value)) return undefined;
	return failure(
		400,
		1401,
		'Invalid phone number',
		`${field} must be a phone number in E.164 format, such as +919876543210`,
	);
}

export function checkDeviceName(value: unknown): RouteResult | undefined {
	if (
		value === undefined ||
		(typeof value === 'string' && value.trim().length > 0 && value.length <= 50)
	)
		return undefined;
	return invalid('device_name must be a non-empty string of at most 50 characters');
}

/** A comma-separated query value as its items; undefined when the parameter is absent. */
export function csv(value: string | undefined): string[] | undefined {
	if (value === undefined) return undefined;
	// Items are compared exactly, spaces included: a "+" sent unencoded arrives as a space,
	// and such a number must not match (it is the client's encoding bug, not a near miss).
	return value.split(',').filter((item) => item !== '');
}

/** A whole number from `min` to `max` in a query parameter, or the default when absent. */
export function queryInteger(
	name: string,
	raw: string | undefined,
	{ fallback, min, max }: { fallback: number; min: number; max: number },
): number | RouteResult {
	if (raw === undefined) return fallback;
	const value = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
	if (!Number.isSafeInteger(value) || value < min || value > max) {
		return invalid(
			`${name} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}`,
		);
	}
	return value;
}
