import {
	deviceToken,
	fingerprint,
	markSeen,
	newState,
	readFingerprint,
	readState,
	unseenUsers,
	finishPass,
} from '../../../../nodes/ExotelUsersTrigger/helpers/usersState';

const ACCOUNT = '0123456789abcdef';
const good = () => ({
	...newState(ACCOUNT),
	baseline: false,
	pass: 3,
	offset: 100,
	users: { u1: '1+1001', u2: '0-' },
});

describe('readState', () => {
	it('reads a good state as a copy the poll may change', () => {
		const raw = good();
		const read = readState(raw, ACCOUNT);
		expect(read).toEqual({ ok: true, state: raw });
		if (read.ok) read.state.users.u3 = '1+';
		expect(raw.users).not.toHaveProperty('u3');
	});

	it('says there is no state on a first activation, without a problem', () => {
		expect(readState(undefined, ACCOUNT)).toEqual({ ok: false });
	});

	it.each([
		['not an object', [], /not an object/],
		[
			'another state version',
			{ ...good(), version: 1 },
			/another version of the trigger \(state version 1\)/,
		],
		[
			'the first version’s state',
			{ version: 1, account: ACCOUNT, users: { u1: { id: 'u1', devices: [], announced: true } } },
			/state version 1/,
		],
		['another account', { ...good(), account: 'fedcba9876543210' }, /another Exotel account/],
		['users stored as a list', { ...good(), users: [{ id: 'u1' }] }, /users are a list/],
		['users missing', { ...good(), users: undefined }, /users are not an object/],
		['a null entry', { ...good(), users: { u1: null } }, /entry of user u1 is malformed/],
		[
			'an entry of the first version (an object with devices)',
			{ ...good(), users: { u1: { id: 'u1', devices: 'none', announced: true } } },
			/entry of user u1/,
		],
		[
			'an entry that is not a fingerprint',
			{ ...good(), users: { u1: '2+1001' } },
			/entry of user u1/,
		],
		['a device token too long', { ...good(), users: { u1: '1+123456789' } }, /entry of user u1/],
		['an offset that is not a count', { ...good(), offset: -50 }, /offset/],
		['a pass that is not a number', { ...good(), pass: '3' }, /pass/],
	])('refuses %s, naming the problem', (_name, raw, problem) => {
		const read = readState(raw, ACCOUNT);
		expect(read.ok).toBe(false);
		expect(read.ok ? undefined : read.problem).toMatch(problem);
	});
});

describe('fingerprints', () => {
	it('round-trip, and keep short device ids as they are and long ones as 7 characters of their hash', () => {
		const print = {
			mark: 1 as const,
			announced: false,
			sip: [deviceToken(1001), deviceToken('sip-device-0f3a9c')],
		};
		expect(print.sip[0]).toBe('1001');
		expect(print.sip[1]).toMatch(/^~[A-Za-z0-9_-]{7}$/);
		expect(readFingerprint(fingerprint(print))).toEqual(print);
	});

	it('mark the users a pass saw; the others are unseen at its end', () => {
		const state = { ...good(), pass: 4, users: { seen: '0+1', unseen: '1+2', kept: '1+3' } };
		expect(unseenUsers(state)).toEqual(['unseen', 'kept']);
		markSeen(state, 'kept');
		expect(state.users.kept).toBe('0+3');
		finishPass(state);
		expect(state).toMatchObject({ pass: 5, offset: 0, confirming: false, baseline: false });
	});
});
