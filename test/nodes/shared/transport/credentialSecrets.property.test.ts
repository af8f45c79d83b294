/**
 * Property test (issue 22 §4), with fast-check and a fixed seed: whatever the API key, the
 * token and the SIP Password Key, and whatever text surrounds an echo, no encoding of
 * `key:token`, of the token or of the key — base64 padded or not, base64url, percent-encoded
 * in any of the usual ways, in any letter case — survives redaction.
 */
import fc from 'fast-check';

import { credentialSecrets } from '../../../../nodes/shared/transport/credentialSecrets';
import { redact } from '../../../../nodes/shared/transport/errors';

const SEED = 20261206;
const RUNS = 3000;

type Encoding = (text: string) => string;
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const ENCODINGS: Record<string, Encoding> = {
	raw: (t) => t,
	base64,
	'base64 without padding': (t) => base64(t).replace(/=+$/, ''),
	base64url: (t) => Buffer.from(t, 'utf8').toString('base64url'),
	'base64url padded': (t) => base64(t).replace(/\+/g, '-').replace(/\//g, '_'),
	'percent-encoded': encodeURIComponent,
	'percent-encoded base64': (t) => encodeURIComponent(base64(t)),
	'percent-encoded base64 without padding': (t) => encodeURIComponent(base64(t).replace(/=+$/, '')),
	'RFC 3986 percent-encoded': (t) =>
		encodeURIComponent(t).replace(
			/[!'()*]/g,
			(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
		),
	'form-encoded': (t) => encodeURIComponent(t).replace(/%20/g, '+'),
};
const CASES: Record<string, (text: string) => string> = {
	as: (t) => t,
	upper: (t) => t.toUpperCase(),
	lower: (t) => t.toLowerCase(),
};

// Printable ASCII, the space and the characters encodings treat specially among them.
const secret = (minLength: number) =>
	fc.string({
		unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~'),
		minLength,
		maxLength: 40,
	});

describe('redaction over encodings', () => {
	it('no encoding of key:token, the token or the SIP Password Key survives, in any letter case', () => {
		fc.assert(
			fc.property(
				secret(1),
				secret(8),
				secret(8),
				fc.constantFrom('key:token', 'token', 'passwordKey'),
				fc.constantFrom(...Object.keys(ENCODINGS)),
				fc.constantFrom(...Object.keys(CASES)),
				fc.string({ maxLength: 30 }),
				fc.string({ maxLength: 30 }),
				(key, token, passwordKey, which, encoding, letterCase, before, after) => {
					const plain =
						which === 'key:token' ? `${key}:${token}` : which === 'token' ? token : passwordKey;
					const echoed = CASES[letterCase](ENCODINGS[encoding](plain));
					const cleaned = redact(
						`${before}${echoed}${after}`,
						credentialSecrets(key, token, passwordKey),
					);
					expect(cleaned.toLowerCase()).not.toContain(echoed.toLowerCase());
					expect(cleaned).toContain('[redacted]');
				},
			),
			{ seed: SEED, numRuns: RUNS },
		);
	});
});
