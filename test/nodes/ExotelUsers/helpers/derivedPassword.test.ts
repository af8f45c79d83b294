import {
	derivationKey,
	deriveSipPassword,
} from '../../../../nodes/ExotelUsers/helpers/derivedPassword';
import { sipPasswordProblems } from '../../../support/sipPassword';

/** A SIP Password Key as `openssl rand -base64 32` makes one (made up for the test). */
const sample = 'r8Vq2mXb7TgK1pWz9sLc4HdNy6FaJe3U0oQiZvRtBu8=';
const key = derivationKey(sample);
const base = {
	rotationId: '2026-Q4',
	accountSid: 'acct1',
	userId: 'a3f1',
	deviceId: '101',
	length: 16,
};

describe('derived SIP passwords', () => {
	it('are the same for the same key, rotation, account, user, device and length, in any call', () => {
		expect(deriveSipPassword(key, base)).toBe(
			deriveSipPassword(derivationKey(sample), { ...base }),
		);
	});

	it('differ when any input differs, the key included', () => {
		const one = deriveSipPassword(key, base);
		for (const change of [
			{ rotationId: '2027-Q1' },
			{ accountSid: 'acct2' },
			{ userId: 'a3f2' },
			{ deviceId: '102' },
		]) {
			expect(deriveSipPassword(key, { ...base, ...change })).not.toBe(one);
		}
		expect(deriveSipPassword(derivationKey(`${sample.slice(0, -2)}x=`), base)).not.toBe(one);
	});

	it('pass the policy at every length, and do not repeat across 2,000 agents', () => {
		const seen = new Set<string>();
		for (let i = 0; i < 2000; i++) {
			const length = 8 + (i % 57);
			const password = deriveSipPassword(key, { ...base, userId: `user-${i}`, length });
			expect([...password]).toHaveLength(length);
			expect(sipPasswordProblems(password)).toEqual([]);
			seen.add(password);
		}
		expect(seen.size).toBe(2000);
	});
});
