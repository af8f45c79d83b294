import fc from 'fast-check';

import {
	applyListed,
	applyRemoved,
	newestUser,
	type UserEvent,
} from '../../../../nodes/ExotelUsersTrigger/helpers/userDiff';
import {
	finishPass,
	newState,
	unseenUsers,
	type UsersState,
} from '../../../../nodes/ExotelUsersTrigger/helpers/usersState';

const sip = (id: number | string) => ({
	id,
	name: `softphone ${id}`,
	type: 'sip',
	contact_uri: `sip:agent${id}`,
	available: true,
	verified: true,
	status: 'free',
});
const tel = (id: number) => ({
	id,
	name: `mobile ${id}`,
	type: 'tel',
	contact_uri: `+9198000000${id}`,
	available: false,
	verified: true,
	status: 'free',
});
const user = (id: string, devices: object[] = [], extra: object = {}) => ({
	id,
	first_name: `First${id}`,
	last_name: 'Agent',
	email: `${id}@example.com`,
	role: 'user',
	date_created: '2026-01-05T09:30:00Z',
	devices,
	...extra,
});

/** A state whose baseline pass saw `users` and is complete. */
function known(users: object[], sipRequired = false): UsersState {
	const state = newState('acct');
	applyListed(state, users, { sipRequired });
	finishPass(state);
	return state;
}

/** One full pass over `listed` (one page), the unseen users confirmed gone: its events. */
function pass(state: UsersState, listed: object[], sipRequired = false): UserEvent[] {
	const events = applyListed(state, listed, { sipRequired });
	for (const id of unseenUsers(state)) events.push(...applyRemoved(state, id));
	finishPass(state);
	return events;
}

const summary = (events: UserEvent[]) =>
	events.map((e) =>
		[e.event, e.user.id, e.event === 'sipDeviceAdded' ? e.device.id : undefined]
			.filter((p) => p !== undefined)
			.join(' '),
	);

describe('applyListed and applyRemoved', () => {
	it('reports a user added, with their devices, and a user removed, by id', () => {
		const state = known([user('a', [sip(1)]), user('b')]);
		const events = pass(state, [user('a', [sip(1)]), user('c', [sip(3), tel(4)])]);
		expect(summary(events)).toEqual(['userAdded c', 'userRemoved b']);
		expect(events[0].event === 'userAdded' && events[0].user.devices.map((d) => d.id)).toEqual([
			3, 4,
		]);
		expect(events[1].user).toEqual({ id: 'b' });
	});

	it('records the baseline and reports nothing while it is read', () => {
		const state = newState('acct');
		expect(applyListed(state, [user('a', [sip(1)]), user('b')], { sipRequired: false })).toEqual(
			[],
		);
		expect(Object.keys(state.users)).toEqual(['a', 'b']);
	});

	it('reports a SIP device added to a user who was there, once per new device, but not a telephone device', () => {
		const state = known([user('a', [sip(1)])]);
		const events = pass(state, [user('a', [sip(1), sip(2), tel(5)])]);
		expect(summary(events)).toEqual(['sipDeviceAdded a 2']);
		expect(events[0].event === 'sipDeviceAdded' && events[0].device).toMatchObject({
			id: 2,
			type: 'sip',
			contact_uri: 'sip:agent2',
		});
	});

	it('tells long device ids apart by their hash', () => {
		const long = (n: number) => `device-with-a-long-id-${n}`;
		const state = known([user('a', [sip(long(1))])]);
		expect(summary(pass(state, [user('a', [sip(long(1)), sip(long(2))])]))).toEqual([
			`sipDeviceAdded a ${long(2)}`,
		]);
		expect(pass(state, [user('a', [sip(long(1)), sip(long(2))])])).toEqual([]);
	});

	it('does not report a new user’s SIP device separately from User Added', () => {
		expect(summary(pass(known([]), [user('n', [sip(9)])]))).toEqual(['userAdded n']);
	});

	it('reports nothing when only the order of the listing changed', () => {
		const users = [user('a', [sip(1)]), user('b', [sip(2)]), user('c')];
		const state = known(users);
		expect(pass(state, [users[2], users[0], users[1]])).toEqual([]);
	});

	it('counts a user listed on two pages once', () => {
		const state = known([user('a')]);
		const events = applyListed(state, [user('a'), user('n', [sip(1)])], { sipRequired: false });
		events.push(...applyListed(state, [user('n', [sip(1), sip(2)])], { sipRequired: false }));
		expect(summary(events)).toEqual(['userAdded n', 'sipDeviceAdded n 2']);
		expect(applyListed(state, [user('n', [sip(1), sip(2)])], { sipRequired: false })).toEqual([]);
	});

	it('saves a state against which the same listing reports nothing: no event twice', () => {
		const after = [user('a', [sip(1), sip(2)]), user('c', [sip(3)])];
		const state = known([user('a', [sip(1)]), user('b')]);
		expect(pass(state, after)).toHaveLength(3);
		expect(pass(state, after)).toEqual([]);
	});

	it('keeps a fingerprint of at most 64 bytes of JSON for a user with a 32-character id and up to three SIP devices', () => {
		const id = 'a3f1c2d4e5b60718293a4b5c6d7e8f90';
		const state = known([
			user(id, [sip(12345678), sip('a-long-device-id-from-exotel'), sip(3), tel(4)]),
		]);
		expect(JSON.stringify(state.users).length - 2).toBeLessThanOrEqual(64);
	});

	describe('only when a SIP device exists', () => {
		it('waits for a new user’s SIP device, then reports User Added once', () => {
			const state = known([], true);
			expect(pass(state, [user('n', [tel(4)])], true)).toEqual([]);
			expect(summary(pass(state, [user('n', [tel(4), sip(7)])], true))).toEqual(['userAdded n']);
			expect(pass(state, [user('n', [tel(4), sip(7)])], true)).toEqual([]);
		});

		it('says nothing when a user who never got a SIP device is removed', () => {
			const state = known([], true);
			pass(state, [user('n')], true);
			expect(pass(state, [], true)).toEqual([]);
		});

		it('treats users there at the baseline as known, with or without a SIP device', () => {
			const state = known([user('old')], true);
			expect(summary(pass(state, [user('old', [sip(1)])], true))).toEqual(['sipDeviceAdded old 1']);
		});
	});

	it('keeps only Exotel’s known fields of a user and a device', () => {
		const events = pass(known([]), [
			user('n', [{ ...sip(1), password: 'x', secret: 'y' }], { token: 'z', active_call: null }),
		]);
		const added = events[0].event === 'userAdded' ? events[0].user : undefined;
		expect(Object.keys(added ?? {}).sort()).toEqual([
			'date_created',
			'devices',
			'email',
			'first_name',
			'id',
			'last_name',
			'role',
		]);
		expect(Object.keys(added?.devices[0] ?? {}).sort()).toEqual([
			'available',
			'contact_uri',
			'id',
			'name',
			'status',
			'type',
			'verified',
		]);
	});

	it('ignores records without a usable id', () => {
		const state = known([]);
		expect(
			applyListed(state, [{ first_name: 'x' }, null, 'a', { id: '' }, user('a')], {
				sipRequired: false,
			}).map((e) => e.user.id),
		).toEqual(['a']);
	});

	it('finds the same events whatever the page order, page size and duplicates (property)', () => {
		const ids = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { maxLength: 6 });
		fc.assert(
			fc.property(
				ids,
				ids,
				fc.array(fc.nat(), { maxLength: 6 }),
				fc.integer({ min: 1, max: 4 }),
				fc.nat(),
				(before, after, duplicates, pageSize, seed) => {
					const listed = after.map((id) => user(id, [sip(id.charCodeAt(0))]));
					const shuffled = [...listed].sort(
						(x, y) =>
							((x.id.charCodeAt(0) * 31 + seed) % 7) - ((y.id.charCodeAt(0) * 31 + seed) % 7),
					);
					const withDuplicates = [
						...shuffled,
						...duplicates.filter(() => listed.length > 0).map((n) => listed[n % listed.length]),
					];
					const state = known(before.map((id) => user(id, [sip(id.charCodeAt(0))])));
					const events: UserEvent[] = [];
					for (let i = 0; i < withDuplicates.length; i += pageSize)
						events.push(
							...applyListed(state, withDuplicates.slice(i, i + pageSize), { sipRequired: false }),
						);
					for (const id of unseenUsers(state)) events.push(...applyRemoved(state, id));
					const want = [
						...after.filter((id) => !before.includes(id)).map((id) => `userAdded ${id}`),
						...before.filter((id) => !after.includes(id)).map((id) => `userRemoved ${id}`),
					];
					expect(summary(events).sort()).toEqual(want.sort());
				},
			),
		);
	});
});

describe('newestUser', () => {
	const users = [
		user('old', [sip(1)], { date_created: '2026-01-01T00:00:00Z' }),
		user('new', [], { date_created: '2026-03-01T00:00:00Z' }),
		user('mid', [sip(2)], { date_created: '2026-02-01T00:00:00Z' }),
	];

	it('is the user created last', () => {
		expect(newestUser(users, false)?.id).toBe('new');
	});

	it('with a SIP device required, the newest user who has one', () => {
		expect(newestUser(users, true)?.id).toBe('mid');
	});

	it('is undefined for an empty account', () => {
		expect(newestUser([], false)).toBeUndefined();
	});
});
