/**
 * SIP passwords made for the user, from a cryptographically secure source. Every password
 * has all four of Exotel's character classes, and uses only characters that survive being
 * read aloud, typed from an email, pasted into a shell or put in a URL:
 * - no look-alikes: 0 O o, 1 l I;
 * - special characters only from - _ . (URL-unreserved, inert in shells and email), and
 *   never first or last, where a leading "-" reads as a command-line flag and a trailing
 *   "." is lost at the end of a sentence.
 */
import { randomInt } from 'node:crypto';

export const GENERATOR_ALPHABET = {
	lower: 'abcdefghijkmnpqrstuvwxyz',
	upper: 'ABCDEFGHJKLMNPQRSTUVWXYZ',
	digits: '23456789',
	special: '-_.',
} as const;

export const MIN_GENERATED_LENGTH = 8;
export const MAX_GENERATED_LENGTH = 64;
export const DEFAULT_GENERATED_LENGTH = 16;

const ALPHANUMERIC =
	GENERATOR_ALPHABET.lower + GENERATOR_ALPHABET.upper + GENERATOR_ALPHABET.digits;
const ALL = ALPHANUMERIC + GENERATOR_ALPHABET.special;

/** A uniform whole number from 0 to below `max`; crypto's randomInt unless a derivation gives its own. */
export type IndexSource = (max: number) => number;

export function generateSipPassword(
	length: number = DEFAULT_GENERATED_LENGTH,
	nextIndex: IndexSource = randomInt,
): string {
	const pick = (from: string) => from[nextIndex(from.length)];
	if (!Number.isInteger(length) || length < MIN_GENERATED_LENGTH || length > MAX_GENERATED_LENGTH) {
		throw new RangeError(
			`length must be a whole number from ${MIN_GENERATED_LENGTH} to ${MAX_GENERATED_LENGTH}`,
		);
	}
	// The inner characters: one of each class guaranteed, the rest from everything.
	const inner = [
		pick(GENERATOR_ALPHABET.lower),
		pick(GENERATOR_ALPHABET.upper),
		pick(GENERATOR_ALPHABET.digits),
		pick(GENERATOR_ALPHABET.special),
	];
	while (inner.length < length - 2) inner.push(pick(ALL));
	// Fisher–Yates, so the guaranteed characters are not always in the same places.
	for (let i = inner.length - 1; i > 0; i--) {
		const j = nextIndex(i + 1);
		[inner[i], inner[j]] = [inner[j], inner[i]];
	}
	return pick(ALPHANUMERIC) + inner.join('') + pick(ALPHANUMERIC);
}
