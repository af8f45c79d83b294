/**
 * Property tests for the SIP password policy (issue "Bulk resets at Exotel's pace" §4), with
 * fast-check and a fixed seed, so every run checks the same 10,000 cases and a failure
 * prints a seed and a shrunk counterexample that reproduce it:
 *   - the node's validator accepts exactly what Exotel accepts (tools/dev/sandbox/exotelPolicy.ts,
 *     written independently), minus passwords with white space or an invisible character at
 *     either end (copy-paste accidents), a NUL or a broken UTF-16 pair, which the node refuses
 *     on purpose;
 *   - every generated password passes the node's validator (and Exotel's rule).
 */
import fc from 'fast-check';

import {
	generateSipPassword,
	MAX_GENERATED_LENGTH,
	MIN_GENERATED_LENGTH,
} from '../../../../nodes/ExotelUsers/helpers/passwordGenerator';
import { sipPasswordProblems } from '../../../support/sipPassword';
import { exotelAcceptsSipPassword } from '../../../../tools/dev/sandbox/exotelPolicy';

const SEED = 20260105;
const RUNS = 10_000;

/** Each alphabet is a list of "characters" as a person types them; some are several code points. */
const ALPHABETS = {
	lower: [...'abcdefghijklmnopqrstuvwxyz'],
	upper: [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'],
	digits: [...'0123456789'],
	specials: [...'!@#$%^&*()-_=+[]{};:\'",.<>/?\\|`~'],
	// JavaScript's \s covers all of these but the last three (NEL, zero-width space, word joiner).
	whitespace: [
		' ',
		'\t',
		'\n',
		'\r',
		'\v',
		'\f',
		'\u00a0',
		'\u1680',
		'\u2003',
		'\u2028',
		'\u2029',
		'\u202f',
		'\u3000',
		'\ufeff',
		'\u0085',
		'\u200b',
		'\u2060',
	],
	// Letters and digits outside a-z, A-Z, 0-9 (Exotel counts them as special), combining marks,
	// look-alikes such as the Kelvin sign and fullwidth forms, and lone surrogates.
	unicode: [...'éßЖжΩǅİıKﬀ٣５Ａａ中ñ', 'e\u0301', '\u0301', '\ud800', '\udfff'],
	emoji: ['😀', '👍🏽', '🇮🇳', '👨‍👩‍👧', '🔑', '\u{1F600}\u{FE0F}'],
};

const character = fc.oneof(
	...Object.values(ALPHABETS).map((alphabet) => fc.constantFrom(...alphabet)),
);

/** Strings of 0 to 40 such characters, every length equally likely. */
const candidate = fc
	.integer({ min: 0, max: 40 })
	.chain((length) => fc.array(character, { minLength: length, maxLength: length }))
	.map((characters) => characters.join(''));

/** Most random strings are long and mixed; these sit at the policy's edges (7–9 characters, 2–3 classes). */
const nearTheEdge = fc
	.tuple(
		fc.integer({ min: 7, max: 9 }),
		fc.shuffledSubarray(Object.keys(ALPHABETS) as Array<keyof typeof ALPHABETS>, {
			minLength: 1,
			maxLength: 3,
		}),
	)
	.chain(([length, names]) =>
		fc.array(fc.oneof(...names.map((name) => fc.constantFrom(...ALPHABETS[name]))), {
			minLength: length,
			maxLength: length,
		}),
	)
	.map((characters) => characters.join(''));

const nodeAccepts = (password: string) => sipPasswordProblems(password).length === 0;
const INVISIBLE = new Set(['\u0085', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff']);
const invisible = (c: string | undefined) => c !== undefined && (/\s/.test(c) || INVISIBLE.has(c));
const atAnEnd = {
	test: (password: string) => invisible(password[0]) || invisible(password[password.length - 1]),
};
const brokenPair = (password: string) =>
	[...password].some(
		(c) => c.length === 1 && c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) <= 0xdfff,
	);
const reference = (password: string) =>
	exotelAcceptsSipPassword(password) &&
	!atAnEnd.test(password) &&
	!password.includes('\u0000') &&
	!brokenPair(password);

describe('sipPasswordProblems agrees with Exotel’s rule', () => {
	it(`on ${RUNS} random strings of 0–40 characters from mixed alphabets`, () => {
		let accepted = 0;
		fc.assert(
			fc.property(candidate, (password) => {
				const verdict = nodeAccepts(password);
				if (verdict) accepted++;
				return verdict === reference(password);
			}),
			{ seed: SEED, numRuns: RUNS },
		);
		// Both verdicts were exercised, many times.
		expect(accepted).toBeGreaterThan(RUNS / 10);
		expect(accepted).toBeLessThan(RUNS - RUNS / 10);
	});

	it(`on ${RUNS} strings at the policy’s edges (7–9 characters from 1–3 alphabets)`, () => {
		let accepted = 0;
		fc.assert(
			fc.property(nearTheEdge, (password) => {
				const verdict = nodeAccepts(password);
				if (verdict) accepted++;
				return verdict === reference(password);
			}),
			{ seed: SEED + 1, numRuns: RUNS },
		);
		expect(accepted).toBeGreaterThan(RUNS / 20);
		expect(accepted).toBeLessThan(RUNS - RUNS / 10);
	});

	it('never quotes the password in the problems it reports', () => {
		fc.assert(
			fc.property(candidate, (password) => {
				if ([...password].length < 6) return true; // short strings occur in any sentence
				return sipPasswordProblems(password).every((problem) => !problem.includes(password));
			}),
			{ seed: SEED + 2, numRuns: RUNS },
		);
	});
});

describe('generateSipPassword', () => {
	it(`makes ${RUNS} passwords of every allowed length, each passing the node’s validator and Exotel’s rule`, () => {
		fc.assert(
			fc.property(
				fc.integer({ min: MIN_GENERATED_LENGTH, max: MAX_GENERATED_LENGTH }),
				(length) => {
					const password = generateSipPassword(length);
					return (
						[...password].length === length &&
						nodeAccepts(password) &&
						exotelAcceptsSipPassword(password)
					);
				},
			),
			{ seed: SEED + 3, numRuns: RUNS },
		);
	});
});
