/**
 * The SIP Password Key: the only secret derived SIP passwords come from (never the API token).
 * Its strength is estimated, not measured — no check can tell that a long string was typed by a
 * person — so the advice is always to make it with the command below.
 *
 * The credential test runs in n8n's expression engine, which cannot import this file: the same
 * rules are spelled out once more as an expression (PASSWORD_KEY_WEAK_EXPRESSION), and a test
 * checks that both agree on every kind of key.
 */
import { createHmac } from 'node:crypto';

/** What makes a good key: 32 random bytes, as 44 characters of base64. */
export const PASSWORD_KEY_COMMAND = 'openssl rand -base64 32';

export const MIN_KEY_BITS = 256;

/** Fewer different characters than this is a pattern, whatever the length. */
const MIN_DISTINCT = 10;

/**
 * Bits of randomness the key would have if each character were drawn at random from the
 * smallest alphabet that holds it: digits, hex, base64, or the classes it uses (lower case,
 * upper case, digits, anything else). Base64's trailing `=` padding carries none.
 */
export function passwordKeyBits(key: string): number {
	const chars = [...key.replace(/=+$/, '')];
	const body = chars.join('');
	if (chars.length === 0) return 0;
	const pool = /^[0-9]+$/.test(body)
		? 10
		: /^[0-9a-fA-F]+$/.test(body)
			? 16
			: /^([A-Za-z0-9+/]+|[A-Za-z0-9_-]+)$/.test(body) && /[a-z]/.test(body) && /[A-Z]/.test(body)
				? 64 // base64 (or base64url): a random one may lack digits or + and /, never both cases
				: (/[a-z]/.test(body) ? 26 : 0) +
					(/[A-Z]/.test(body) ? 26 : 0) +
					(/[0-9]/.test(body) ? 10 : 0) +
					(/[^a-zA-Z0-9]/.test(body) ? 32 : 0);
	return Math.floor(chars.length * Math.log2(pool));
}

/** What is wrong with a (non-empty) key, worded for the credential's SIP Password Key field. */
export function passwordKeyProblems(
	key: string,
	credential: { apiToken?: unknown } = {},
): string[] {
	const problems: string[] = [];
	if (/\s/.test(key))
		problems.push('contains whitespace (a space, tab or line break): paste the key alone');
	if (typeof credential.apiToken === 'string' && key === credential.apiToken)
		problems.push('is the API token: make a separate key');
	if (/^([\s\S]+?)\1+$/.test(key)) problems.push('is one piece repeated');
	const distinct = new Set([...key]).size;
	if (distinct < MIN_DISTINCT) problems.push(`uses only ${distinct} different characters`);
	const bits = passwordKeyBits(key);
	if (bits < MIN_KEY_BITS)
		problems.push(`has about ${bits} bits of randomness; at least ${MIN_KEY_BITS} are needed`);
	return problems;
}

/**
 * True when the credential's key is set and weak, as an n8n expression over `$credentials`:
 * the same rules as passwordKeyProblems (no Set, no imports: the expression engine has neither).
 */
export const PASSWORD_KEY_WEAK_EXPRESSION =
	'((k, t) => k !== "" && (/\\s/.test(k) || k === t || /^([\\s\\S]+?)\\1+$/.test(k)' +
	` || [...k].filter((c, i, all) => all.indexOf(c) === i).length < ${MIN_DISTINCT}` +
	' || ((b) => b.length === 0 ? 0 : Math.floor([...b].length * Math.log2(/^[0-9]+$/.test(b) ? 10 : /^[0-9a-fA-F]+$/.test(b) ? 16' +
	' : /^([A-Za-z0-9+/]+|[A-Za-z0-9_-]+)$/.test(b) && /[a-z]/.test(b) && /[A-Z]/.test(b) ? 64' +
	' : (/[a-z]/.test(b) ? 26 : 0) + (/[A-Z]/.test(b) ? 26 : 0) + (/[0-9]/.test(b) ? 10 : 0) + (/[^a-zA-Z0-9]/.test(b) ? 32 : 0))))' +
	`(k.replace(/=+$/, "")) < ${MIN_KEY_BITS}))` +
	'(typeof $credentials.passwordKey === "string" ? $credentials.passwordKey : "", typeof $credentials.apiToken === "string" ? $credentials.apiToken : "")';

const FINGERPRINT_LABEL = 'n8n-nodes-exotel-users/sip-password-key-id/v1';

/**
 * A short name for the key that gives nothing away (32 bits of an HMAC under the key, against
 * a key of at least 256): outputs and errors can say which key a rotation used.
 */
export function keyId(key: string): string {
	return createHmac('sha256', key).update(FINGERPRINT_LABEL).digest('hex').slice(0, 8);
}
