import fc from 'fast-check';

import { baseline, dedupeUsers, diffUsers, missingUsers, newestUser, type UsersState } from '../../../../nodes/ExotelUsersTrigger/helpers/userDiff';

const sip = (id: number) => ({ id, name: `softphone ${id}`, type: 'sip', contact_uri: `sip:agent${id}`, available: true, verified: true, status: 'free' });
const tel = (id: number) => ({ id, name: `mobile ${id}`, type: 'tel', contact_uri: `+9198000000${id}`, available: false, verified: true, status: 'free' });
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

const state = (users: object[]): UsersState => baseline('acct', dedupeUsers(users));
const diff = (before: object[], after: object[], sipRequired = false) => diffUsers(state(before), dedupeUsers(after), { sipRequired });
const summary = (events: ReturnType<typeof diff>['events']) => events.map((e) => [e.event, e.user.id, e.device?.id].filter((p) => p !== undefined).join(' '));

describe('diffUsers', () => {
	it('reports a user added, with their devices, and a user removed, as last seen', () => {
		const { events } = diff([user('a', [sip(1)]), user('b')], [user('a', [sip(1)]), user('c', [sip(3), tel(4)])]);
		expect(summary(events)).toEqual(['userAdded c', 'userRemoved b']);
		expect(events[0].user.devices.map((d) => d.id)).toEqual([3, 4]);
		expect(events[1].user).toMatchObject({ id: 'b', first_name: 'Firstb', email: 'b@example.com' });
	});

	it('reports a SIP device added to a user who was there, once per new device, but not a telephone device', () => {
		const { events } = diff([user('a', [sip(1)])], [user('a', [sip(1), sip(2), tel(5)])]);
		expect(summary(events)).toEqual(['sipDeviceAdded a 2']);
		expect(events[0].device).toMatchObject({ id: 2, type: 'sip', contact_uri: 'sip:agent2' });
	});

	it('does not report a new user’s SIP device separately from User Added', () => {
		expect(summary(diff([], [user('n', [sip(9)])]).events)).toEqual(['userAdded n']);
	});

	it('reports nothing when only the order of the listing changed', () => {
		const users = [user('a', [sip(1)]), user('b', [sip(2)]), user('c')];
		expect(diff(users, [users[2], users[0], users[1]]).events).toEqual([]);
	});

	it('counts a user listed on two pages once (the later copy)', () => {
		const { events, next } = diff([user('a')], [user('a'), user('n', [sip(1)]), user('n', [sip(1), sip(2)])]);
		expect(summary(events)).toEqual(['userAdded n']);
		expect(next.users.n.devices.map((d) => d.id)).toEqual([1, 2]);
	});

	it('saves a state against which the same listing reports nothing: no event twice', () => {
		const after = [user('a', [sip(1), sip(2)]), user('c', [sip(3)])];
		const first = diffUsers(state([user('a', [sip(1)]), user('b')]), dedupeUsers(after), { sipRequired: false });
		expect(first.events).toHaveLength(3);
		expect(diffUsers(first.next, dedupeUsers(after), { sipRequired: false }).events).toEqual([]);
	});

	describe('only when a SIP device exists', () => {
		it('waits for a new user’s SIP device, then reports User Added once', () => {
			const first = diff([], [user('n', [tel(4)])], true);
			expect(first.events).toEqual([]);
			expect(first.next.users.n.announced).toBe(false);
			const second = diffUsers(first.next, dedupeUsers([user('n', [tel(4), sip(7)])]), { sipRequired: true });
			expect(summary(second.events)).toEqual(['userAdded n']);
			expect(diffUsers(second.next, dedupeUsers([user('n', [tel(4), sip(7)])]), { sipRequired: true }).events).toEqual([]);
		});

		it('says nothing when a user who never got a SIP device is removed', () => {
			const first = diff([], [user('n')], true);
			expect(diffUsers(first.next, dedupeUsers([]), { sipRequired: true }).events).toEqual([]);
		});

		it('treats users there at the baseline as known, with or without a SIP device', () => {
			const { events } = diff([user('old')], [user('old', [sip(1)])], true);
			expect(summary(events)).toEqual(['sipDeviceAdded old 1']);
		});
	});

	it('keeps a user the poll could not confirm gone, without an event', () => {
		const { events, next } = diffUsers(state([user('a'), user('b')]), dedupeUsers([user('a')]), { sipRequired: false, keep: ['b'] });
		expect(events).toEqual([]);
		expect(Object.keys(next.users).sort()).toEqual(['a', 'b']);
	});

	it('keeps only Exotel’s known fields of a user and a device', () => {
		const { events } = diff([], [user('n', [{ ...sip(1), password: 'x', secret: 'y' }], { token: 'z', active_call: null })]);
		expect(Object.keys(events[0].user).sort()).toEqual(['announced', 'date_created', 'devices', 'email', 'first_name', 'id', 'last_name', 'role']);
		expect(Object.keys(events[0].user.devices[0]).sort()).toEqual(['available', 'contact_uri', 'id', 'name', 'status', 'type', 'verified']);
	});

	it('finds the same events whatever the page order and duplicates (property)', () => {
		const ids = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { maxLength: 6 });
		fc.assert(
			fc.property(ids, ids, fc.array(fc.nat(), { maxLength: 6 }), fc.nat(), (before, after, duplicates, seed) => {
				const listed = after.map((id) => user(id, [sip(id.charCodeAt(0))]));
				const shuffled = [...listed].sort((x, y) => ((x.id.charCodeAt(0) * 31 + seed) % 7) - ((y.id.charCodeAt(0) * 31 + seed) % 7));
				const withDuplicates = [...shuffled, ...duplicates.filter(() => listed.length > 0).map((n) => listed[n % listed.length])];
				const { events } = diffUsers(state(before.map((id) => user(id, [sip(id.charCodeAt(0))]))), dedupeUsers(withDuplicates), { sipRequired: false });
				const got = summary(events).sort();
				const want = [...after.filter((id) => !before.includes(id)).map((id) => `userAdded ${id}`), ...before.filter((id) => !after.includes(id)).map((id) => `userRemoved ${id}`)].sort();
				expect(got).toEqual(want);
			}),
		);
	});
});

describe('missingUsers and dedupeUsers', () => {
	it('lists the known users the listing did not show', () => {
		expect(missingUsers(state([user('a'), user('b')]), dedupeUsers([user('b'), user('c')]))).toEqual(['a']);
	});

	it('ignores records without an id', () => {
		expect([...dedupeUsers([{ first_name: 'x' }, null, user('a'), { id: '' }]).keys()]).toEqual(['a']);
	});
});

describe('newestUser', () => {
	const users = dedupeUsers([
		user('old', [sip(1)], { date_created: '2026-01-01T00:00:00Z' }),
		user('new', [], { date_created: '2026-03-01T00:00:00Z' }),
		user('mid', [sip(2)], { date_created: '2026-02-01T00:00:00Z' }),
	]);

	it('is the user created last', () => {
		expect(newestUser(users, false)?.id).toBe('new');
	});

	it('with a SIP device required, the newest user who has one', () => {
		expect(newestUser(users, true)?.id).toBe('mid');
	});

	it('is undefined for an empty account', () => {
		expect(newestUser(dedupeUsers([]), false)).toBeUndefined();
	});
});
