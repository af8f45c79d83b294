import {
	GENERATOR_ALPHABET,
	generateSipPassword,
	MAX_GENERATED_LENGTH,
	MIN_GENERATED_LENGTH,
} from '../../../../nodes/ExotelUsers/helpers/passwordGenerator';
import { characterClassesIn } from '../../../../nodes/ExotelUsers/helpers/passwordPolicy';
import { sipPasswordProblems } from '../../../support/sipPassword';
import { exotelAcceptsSipPassword } from '../../../../tools/dev/sandbox/exotelPolicy';

const ALLOWED = new Set(Object.values(GENERATOR_ALPHABET).join(''));

describe('generateSipPassword', () => {
	it('makes 10,000 distinct passwords that meet the policy with all four classes, at every length 8–64', () => {
		const seen = new Set<string>();
		const lengths = MAX_GENERATED_LENGTH - MIN_GENERATED_LENGTH + 1;
		for (let n = 0; n < 10_000; n++) {
			const length = MIN_GENERATED_LENGTH + (n % lengths);
			const password = generateSipPassword(length);
			expect(password).toHaveLength(length);
			if (sipPasswordProblems(password).length > 0 || !exotelAcceptsSipPassword(password)) {
				throw new Error(`a generated password of length ${length} breaks the policy`);
			}
			if (characterClassesIn(password).length !== 4)
				throw new Error('a generated password lacks a class');
			for (const character of password) {
				if (!ALLOWED.has(character))
					throw new Error(`excluded character code ${character.charCodeAt(0)} used`);
			}
			if (
				GENERATOR_ALPHABET.special.includes(password[0]) ||
				GENERATOR_ALPHABET.special.includes(password.at(-1)!)
			) {
				throw new Error('a special character stands first or last');
			}
			seen.add(password);
		}
		expect(seen.size).toBe(10_000);
	});

	it('leaves out look-alike characters and those that break shells, URLs and email', () => {
		for (const excluded of '0Oo1lI !"#$%&\'()*+,/:;<=>?@[\\]`{|}~')
			expect(ALLOWED.has(excluded)).toBe(false);
	});

	it('defaults to 16 characters and refuses lengths outside 8–64', () => {
		expect(generateSipPassword()).toHaveLength(16);
		expect(() => generateSipPassword(7)).toThrow(RangeError);
		expect(() => generateSipPassword(65)).toThrow(RangeError);
		expect(() => generateSipPassword(10.5)).toThrow(RangeError);
	});

	it('uses every allowed character over many passwords (no class is starved)', () => {
		const used = new Set(Array.from({ length: 300 }, () => generateSipPassword(32)).join(''));
		expect([...ALLOWED].filter((c) => !used.has(c))).toEqual([]);
	});
});
