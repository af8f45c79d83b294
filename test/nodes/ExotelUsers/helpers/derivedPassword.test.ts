import { derivationKey, deriveSipPassword } from '../../../../nodes/ExotelUsers/helpers/derivedPassword';
import { sipPasswordProblems } from '../../../../nodes/ExotelUsers/helpers/passwordPolicy';

const key = derivationKey({ apiToken: 'token-of-the-account' });
const base = { rotationId: '2026-Q4', accountSid: 'acct1', userId: 'a3f1', deviceId: '101', length: 16 };

describe('derived SIP passwords', () => {
	it('are the same for the same rotation, account, user, device and length, in any call', () => {
		expect(deriveSipPassword(key, base)).toBe(deriveSipPassword(derivationKey({ apiToken: 'token-of-the-account' }), { ...base }));
	});

	it('differ when any input differs', () => {
		const one = deriveSipPassword(key, base);
		for (const change of [{ rotationId: '2027-Q1' }, { accountSid: 'acct2' }, { userId: 'a3f2' }, { deviceId: '102' }]) {
			expect(deriveSipPassword(key, { ...base, ...change })).not.toBe(one);
		}
		expect(deriveSipPassword(derivationKey({ apiToken: 'another-token' }), base)).not.toBe(one);
	});

	it('use the credential’s own key when one is set, not the token', () => {
		const own = derivationKey({ apiToken: 'token-of-the-account', passwordKey: 'team-secret' });
		expect(own.equals(key)).toBe(false);
		expect(own.equals(derivationKey({ apiToken: 'a-rotated-token', passwordKey: 'team-secret' }))).toBe(true);
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
