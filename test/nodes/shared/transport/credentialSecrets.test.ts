/**
 * The forms of the credential's secrets that redaction looks for (issue 22 §4): an echo of the
 * Basic header in any base64 variant, of a URL or a form in any percent-encoding, of the SIP
 * Password Key — each is found and replaced. The property test over encodings is beside it
 * (credentialSecrets.property.test.ts).
 */
import {
	credentialSecrets,
	encodedForms,
} from '../../../../nodes/shared/transport/credentialSecrets';
import { redact } from '../../../../nodes/shared/transport/errors';

const KEY = 'key-3f9a';
// `?>>` makes base64 with + and / (base64url differs), and `key:token` needs one = of padding.
const TOKEN = 'tok?>>en-77';
const PASSWORD_KEY = "team key/+!'()*";

describe('credentialSecrets', () => {
	const secrets = credentialSecrets(KEY, TOKEN, PASSWORD_KEY);
	const basic = Buffer.from(`${KEY}:${TOKEN}`).toString('base64');

	it.each<[string, string]>([
		['the token', TOKEN],
		['key:token', `${KEY}:${TOKEN}`],
		['the Basic value, padded', basic],
		['the Basic value without padding', basic.replace(/=+$/, '')],
		['the Basic value in base64url', Buffer.from(`${KEY}:${TOKEN}`).toString('base64url')],
		['the Basic value percent-encoded (a query string)', encodeURIComponent(basic)],
		['the Basic value percent-encoded in lower-case hex', encodeURIComponent(basic).toLowerCase()],
		['key:token percent-encoded', encodeURIComponent(`${KEY}:${TOKEN}`)],
		['the token in base64', Buffer.from(TOKEN).toString('base64')],
		['the token percent-encoded', encodeURIComponent(TOKEN)],
		['the SIP Password Key', PASSWORD_KEY],
		['the SIP Password Key percent-encoded', encodeURIComponent(PASSWORD_KEY)],
		[
			"the SIP Password Key percent-encoded as RFC 3986 says (!'()* too)",
			'team%20key%2F%2B%21%27%28%29%2A',
		],
		['the SIP Password Key form-encoded (a space as +)', "team+key%2F%2B!'()*"],
		[
			'the SIP Password Key in base64url without padding',
			Buffer.from(PASSWORD_KEY).toString('base64url'),
		],
	])('%s is found in an echo and redacted', (_label, form) => {
		const echoed = `upstream said: Authorization=${form}; retry later`;
		const cleaned = redact(echoed, secrets);
		expect(cleaned).toBe('upstream said: Authorization=[redacted]; retry later');
	});

	it('without a SIP Password Key or a token, only what is there', () => {
		expect(credentialSecrets(KEY, TOKEN)).not.toContain(PASSWORD_KEY);
		expect(credentialSecrets(KEY, '')).toEqual([]);
		expect(credentialSecrets(KEY, '', PASSWORD_KEY)).toEqual(encodedForms(PASSWORD_KEY));
	});

	it('a secret that overlaps another leaves nothing of either', () => {
		// The end of one echo is the start of the next: replacing the first whole must not leave a piece of the second.
		expect(redact('x abcdabcdab y', ['abcdab'])).toBe('x [redacted] y');
		expect(redact('x SECRETsecret y', ['secret'])).toBe('x [redacted] y');
	});
});
