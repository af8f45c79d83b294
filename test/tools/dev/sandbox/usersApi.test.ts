/** The sandbox's Users API: every endpoint's success and each documented error code. */
import {
	manyUsers,
	seedUsers,
	startSandbox,
	type ExotelSandbox,
} from '../../../../tools/dev/sandbox/server';
import { api, ASHA, CREDS, errorOf, GOOD_PASSWORD, MEI, VIKRAM, type Json } from './testClient';

let sandbox: ExotelSandbox;
beforeAll(async () => {
	sandbox = await startSandbox(CREDS);
});
afterAll(async () => await sandbox.stop());
beforeEach(() => sandbox.reset());

const HEX32 = /^[0-9a-f]{32}$/;
const ids = (answer: { json: Json }) =>
	(answer.json.response as Json[]).map((item) => item.data.id as string);

describe('POST /users', () => {
	it('creates a user with an auto-created SIP device when the account has VOIP', async () => {
		const res = await api(sandbox, 'POST', 'users', {
			body: { first_name: 'Ravi', last_name: 'Kumar' },
		});
		expect(res.status).toBe(200);
		const user = res.json.response.data;
		expect(user).toMatchObject({
			id: expect.stringMatching(HEX32),
			first_name: 'Ravi',
			last_name: 'Kumar',
			email: null,
			role: 'user',
		});
		expect(user.devices).toEqual([
			{
				id: 302,
				name: 'Ravi softphone',
				contact_uri: 'sip:ravikumar302',
				type: 'sip',
				available: true,
				verified: true,
				status: 'free',
			},
		]);
		expect((await api(sandbox, 'GET', `users/${user.id}`)).json.response.data).toEqual(user);
		expect((await api(sandbox, 'GET', 'users')).json.metadata.total).toBe(4);
	});

	it('adds a tel device for device_contact_uri, named device_name, unverified, with increasing device ids', async () => {
		const first = await api(sandbox, 'POST', 'users', {
			body: {
				first_name: "Anne-Marie O'Neil",
				last_name: 'St. John',
				email: 'amo@example.com',
				role: 'supervisor',
				device_contact_uri: '+14155550123',
				device_name: 'Desk phone',
			},
		});
		expect(first.status).toBe(200);
		expect(first.json.response.data).toMatchObject({
			email: 'amo@example.com',
			role: 'supervisor',
		});
		const [sip, tel] = first.json.response.data.devices;
		expect(sip).toMatchObject({
			type: 'sip',
			available: true,
			contact_uri: expect.stringMatching(/^sip:\S+$/),
		});
		expect(tel).toMatchObject({
			id: sip.id + 1,
			type: 'tel',
			name: 'Desk phone',
			contact_uri: '+14155550123',
			available: false,
			verified: false,
		});
		const second = await api(sandbox, 'POST', 'users', {
			body: { first_name: 'Zoe', last_name: 'Lee' },
		});
		expect(second.json.response.data.devices[0].id).toBe(tel.id + 1);
		expect(second.json.response.data.id).not.toBe(first.json.response.data.id);
	});

	it('lets the auto-created SIP device take a password', async () => {
		const created = (
			await api(sandbox, 'POST', 'users', { body: { first_name: 'Ravi', last_name: 'Kumar' } })
		).json.response.data;
		const res = await api(
			sandbox,
			'PUT',
			`users/${created.id}/devices/${created.devices[0].id}/password`,
			{ body: { password: GOOD_PASSWORD } },
		);
		expect(res.status).toBe(200);
		expect(sandbox.passwordOf(created.id, created.devices[0].id)).toBe(
			sandbox.fingerprint(GOOD_PASSWORD),
		);
	});

	it.each([
		['no body', undefined],
		['no first_name', { last_name: 'Kumar' }],
		['an empty last_name', { first_name: 'Ravi', last_name: '' }],
	])('answers 400/1001 to %s', async (_name, body) => {
		expect(errorOf(await api(sandbox, 'POST', 'users', { body }))).toEqual([400, 1001]);
	});

	it.each([
		['a first_name too short', { first_name: 'Al', last_name: 'Kumar' }],
		['a last_name too long', { first_name: 'Ravi', last_name: 'K'.repeat(21) }],
		['a name with a forbidden character', { first_name: 'Ravi!', last_name: 'Kumar' }],
		['a name that is not a string', { first_name: 12345, last_name: 'Kumar' }],
		['an unknown role', { first_name: 'Ravi', last_name: 'Kumar', role: 'owner' }],
		['a malformed email', { first_name: 'Ravi', last_name: 'Kumar', email: 'ravi.example.com' }],
		['a body that is not an object', ['Ravi', 'Kumar']],
	])('answers 400/1002 to %s', async (_name, body) => {
		expect(errorOf(await api(sandbox, 'POST', 'users', { body }))).toEqual([400, 1002]);
	});

	it.each(['9876543210', '+91 98765 43210', '+0123456789', 'tel:+919800000000', '+1234'])(
		'answers 400/1401 to the phone number %p',
		async (device_contact_uri) => {
			const res = await api(sandbox, 'POST', 'users', {
				body: { first_name: 'Ravi', last_name: 'Kumar', device_contact_uri },
			});
			expect(errorOf(res)).toEqual([400, 1401]);
		},
	);

	it('answers 409/10811 to a contact number another device has', async () => {
		const res = await api(sandbox, 'POST', 'users', {
			body: { first_name: 'Ravi', last_name: 'Kumar', device_contact_uri: '+919876543210' },
		});
		expect(errorOf(res)).toEqual([409, 10811]);
	});

	it.each(['asha.rao@example.com', 'Asha.Rao@Example.com'])(
		'answers 409/10813 to the email %p, already in use',
		async (email) => {
			const res = await api(sandbox, 'POST', 'users', {
				body: { first_name: 'Ravi', last_name: 'Kumar', email },
			});
			expect(errorOf(res)).toEqual([409, 10813]);
			expect(sandbox.users.size).toBe(3);
		},
	);

	it('answers 415/1011 to a form-encoded body', async () => {
		const res = await api(sandbox, 'POST', 'users', {
			body: 'first_name=Ravi&last_name=Kumar',
			contentType: 'application/x-www-form-urlencoded',
		});
		expect(errorOf(res)).toEqual([415, 1011]);
	});

	describe('on an account without VOIP', () => {
		let plain: ExotelSandbox;
		beforeAll(async () => {
			plain = await startSandbox({ ...CREDS, voip: false });
		});
		afterAll(async () => await plain.stop());

		it('answers 400/1402 without device_contact_uri', async () => {
			expect(
				errorOf(
					await api(plain, 'POST', 'users', { body: { first_name: 'Ravi', last_name: 'Kumar' } }),
				),
			).toEqual([400, 1402]);
		});

		it('creates only the tel device, and turns it on', async () => {
			const res = await api(plain, 'POST', 'users', {
				body: { first_name: 'Ravi', last_name: 'Kumar', device_contact_uri: '+919800000001' },
			});
			expect(res.status).toBe(200);
			expect(res.json.response.data.devices).toEqual([
				expect.objectContaining({ type: 'tel', available: true, contact_uri: '+919800000001' }),
			]);
		});
	});
});

describe('GET /users/{user_id}', () => {
	it('returns the user with its devices', async () => {
		const res = await api(sandbox, 'GET', `users/${ASHA}`);
		expect(res.status).toBe(200);
		expect(res.json.response.data).toMatchObject({
			id: ASHA,
			first_name: 'Asha',
			devices: [{ id: 101 }, { id: 102 }],
		});
		expect(res.json.response.data).not.toHaveProperty('last_login');
	});

	it('adds active_call and last_login when fields asks', async () => {
		const res = await api(sandbox, 'GET', `users/${VIKRAM}?fields=active_call,last_login`);
		expect(res.json.response.data).toMatchObject({
			devices: [{ id: 201 }],
			active_call: { device_id: 201 },
			last_login: expect.any(String),
		});
	});

	it('answers 404/10801 for an unknown user', async () => {
		expect(errorOf(await api(sandbox, 'GET', 'users/0123456789abcdef0123456789abcdef'))).toEqual([
			404, 10801,
		]);
	});
});

describe('GET /users', () => {
	it('lists users without devices, active_call or last_login unless asked, with default paging', async () => {
		const res = await api(sandbox, 'GET', 'users');
		expect(res.status).toBe(200);
		expect(res.json.metadata).toEqual({ total: 3, count: 3, offset: 0, limit: 20 });
		expect(res.json.response[0]).toEqual({
			code: 200,
			error_data: null,
			status: 'success',
			data: expect.objectContaining({ id: ASHA }),
		});
		for (const item of res.json.response as Json[]) {
			expect(item.data).not.toHaveProperty('devices');
			expect(item.data).not.toHaveProperty('active_call');
			expect(item.data).not.toHaveProperty('last_login');
		}
	});

	it('adds exactly the fields asked for', async () => {
		const withDevices = await api(sandbox, 'GET', 'users?fields=devices');
		expect(withDevices.json.response[0].data.devices).toHaveLength(2);
		expect(withDevices.json.response[0].data).not.toHaveProperty('last_login');
		const others = await api(sandbox, 'GET', 'users?fields=active_call%2Clast_login');
		expect(
			others.json.response.map((i: Json) => [i.data.active_call === null, i.data.last_login]),
		).toEqual([
			[true, '2026-01-05T08:55:12Z'],
			[false, '2026-01-05T09:02:40Z'],
			[true, null],
		]);
		expect(others.json.response[0].data).not.toHaveProperty('devices');
	});

	it('answers 400/1002 to an unknown field', async () => {
		expect(errorOf(await api(sandbox, 'GET', 'users?fields=devices,password'))).toEqual([
			400, 1002,
		]);
	});

	it('filters by email, exactly, any of a list', async () => {
		const two = await api(
			sandbox,
			'GET',
			'users?email=asha.rao@example.com,vikram.iyer@example.com',
		);
		expect(ids(two)).toEqual([ASHA, VIKRAM]);
		expect(two.json.metadata).toMatchObject({ total: 2, count: 2 });
		expect(ids(await api(sandbox, 'GET', 'users?email=ASHA.RAO@example.com'))).toEqual([]);
	});

	it('filters by device contact URI: E.164 with + encoded as %2B, and sip: URIs', async () => {
		expect(ids(await api(sandbox, 'GET', 'users?devices.contact_uri=%2B919876543210'))).toEqual([
			ASHA,
		]);
		expect(
			ids(await api(sandbox, 'GET', 'users?devices.contact_uri=sip:vikramiyer201,%2B6591234567')),
		).toEqual([VIKRAM, MEI]);
	});

	it('does not match a raw + (it decodes to a space: the client’s encoding bug)', async () => {
		const res = await api(sandbox, 'GET', 'users?devices.contact_uri=+919876543210');
		expect(res.status).toBe(200);
		expect(res.json.metadata).toMatchObject({ total: 0, count: 0 });
		expect(sandbox.requests[0].query['devices.contact_uri']).toBe(' 919876543210');
	});

	it('combines filters: a user must match both', async () => {
		expect(
			ids(
				await api(
					sandbox,
					'GET',
					'users?email=asha.rao@example.com&devices.contact_uri=sip:vikramiyer201',
				),
			),
		).toEqual([]);
		expect(
			ids(
				await api(
					sandbox,
					'GET',
					'users?email=asha.rao@example.com&devices.contact_uri=sip:asharao101',
				),
			),
		).toEqual([ASHA]);
	});

	it.each(['limit=0', 'limit=51', 'limit=abc', 'limit=2.5', 'offset=-1', 'offset=x'])(
		'answers 400/1002 to %s',
		async (query) => {
			expect(errorOf(await api(sandbox, 'GET', `users?${query}`))).toEqual([400, 1002]);
		},
	);

	describe('in a large account', () => {
		let big: ExotelSandbox;
		beforeAll(async () => {
			big = await startSandbox({ ...CREDS, users: seedUsers(237) });
		});
		afterAll(async () => await big.stop());

		it('pages through every user with offset and limit', async () => {
			const seen: string[] = [];
			const counts: number[] = [];
			for (let offset = 0; ; offset += 50) {
				const page = await api(big, 'GET', `users?limit=50&offset=${offset}`);
				expect(page.json.metadata).toEqual({
					total: 237,
					count: page.json.response.length,
					offset,
					limit: 50,
				});
				if (page.json.response.length === 0) break;
				counts.push(page.json.response.length);
				seen.push(...ids(page));
			}
			expect(counts).toEqual([50, 50, 50, 50, 37]);
			expect(new Set(seen).size).toBe(237);
			expect(seen.slice(0, 3)).toEqual([ASHA, VIKRAM, MEI]);
		});

		it('counts the filtered set in total', async () => {
			const [a, b] = manyUsers(2);
			const res = await api(big, 'GET', `users?limit=1&email=${a.email},${b.email}`);
			expect(res.json.metadata).toEqual({ total: 2, count: 1, offset: 0, limit: 1 });
			expect(ids(res)).toEqual([a.id]);
		});
	});
});

describe('PUT /users/{user_id}', () => {
	it('renames a user, ignores unknown fields, and returns the user with devices', async () => {
		const res = await api(sandbox, 'PUT', `users/${ASHA}`, {
			body: { first_name: 'Ashwini', last_name: 'Rao-Iyer', role: 'admin', colour: 'blue' },
		});
		expect(res.status).toBe(200);
		expect(res.json.response.data).toMatchObject({
			id: ASHA,
			first_name: 'Ashwini',
			last_name: 'Rao-Iyer',
			role: 'user',
			devices: [{}, {}],
		});
		expect(res.json.response.data).not.toHaveProperty('colour');
		expect(sandbox.users.get(ASHA)?.first_name).toBe('Ashwini');
	});

	it('answers 400/1002 to an invalid name', async () => {
		expect(
			errorOf(await api(sandbox, 'PUT', `users/${ASHA}`, { body: { last_name: 'R' } })),
		).toEqual([400, 1002]);
		expect(sandbox.users.get(ASHA)?.last_name).toBe('Rao');
	});

	it('sets an email on a user who has none', async () => {
		const res = await api(sandbox, 'PUT', `users/${MEI}`, {
			body: { email: 'meilin.tan@example.com' },
		});
		expect(res.status).toBe(200);
		expect(res.json.response.data).toMatchObject({
			email: 'meilin.tan@example.com',
			email_verified: false,
		});
	});

	it('answers 400/1002 when the user already has an email, saying so', async () => {
		const res = await api(sandbox, 'PUT', `users/${ASHA}`, { body: { email: 'asha@example.org' } });
		expect(errorOf(res)).toEqual([400, 1002]);
		expect(res.json.response.error_data.description).toMatch(/email is already set/);
	});

	it('answers 409/10813 when the email belongs to another user', async () => {
		expect(
			errorOf(
				await api(sandbox, 'PUT', `users/${MEI}`, { body: { email: 'vikram.iyer@example.com' } }),
			),
		).toEqual([409, 10813]);
	});

	it('answers 404/10801 for an unknown user', async () => {
		expect(
			errorOf(await api(sandbox, 'PUT', 'users/nobody', { body: { first_name: 'Nobody' } })),
		).toEqual([404, 10801]);
	});
});

describe('DELETE /users/{user_id}', () => {
	it('removes the user, answering data: null; the user is then unknown', async () => {
		await api(sandbox, 'PUT', `users/${ASHA}/devices/101/password`, {
			body: { password: GOOD_PASSWORD },
		});
		const res = await api(sandbox, 'DELETE', `users/${ASHA}`);
		expect(res.status).toBe(200);
		expect(res.json.response).toEqual({
			code: 200,
			error_data: null,
			status: 'success',
			data: null,
		});
		expect(errorOf(await api(sandbox, 'GET', `users/${ASHA}`))).toEqual([404, 10801]);
		expect(errorOf(await api(sandbox, 'DELETE', `users/${ASHA}`))).toEqual([404, 10801]);
		expect(sandbox.passwordOf(ASHA, 101)).toBeUndefined();
		expect((await api(sandbox, 'GET', 'users')).json.metadata.total).toBe(2);
	});
});

describe('PUT /users/{user_id}/devices/{device_id}', () => {
	const device = (id: number, body: unknown, user = ASHA) =>
		api(sandbox, 'PUT', `users/${user}/devices/${id}`, { body });

	it('switches devices on and off, one at a time, returning the device', async () => {
		expect(errorOf(await device(102, { available: true }))).toEqual([403, 10810]);
		const off = await device(101, { available: false });
		expect(off.status).toBe(200);
		expect(off.json.response.data).toEqual({
			id: 101,
			name: 'Asha softphone',
			contact_uri: 'sip:asharao101',
			type: 'sip',
			available: false,
			verified: true,
			status: 'free',
		});
		expect((await device(102, { available: true })).json.response.data).toMatchObject({
			id: 102,
			available: true,
		});
		expect(errorOf(await device(101, { available: true }))).toEqual([403, 10810]);
	});

	it('answers 400/1002 to an available that is not a boolean', async () => {
		expect(errorOf(await device(101, { available: 'yes' }))).toEqual([400, 1002]);
	});

	it('changes a tel device’s number, which must then be verified again', async () => {
		const same = await device(102, { contact_uri: '+919876543210' });
		expect(same.json.response.data).toMatchObject({ verified: true });
		const changed = await device(102, { contact_uri: '+919812345678' });
		expect(changed.status).toBe(200);
		expect(changed.json.response.data).toMatchObject({
			contact_uri: '+919812345678',
			verified: false,
		});
	});

	it('answers 409/10809 to turning on a device whose number is not verified, and changes nothing', async () => {
		await device(102, { contact_uri: '+919812345678' });
		await device(101, { available: false });
		expect(errorOf(await device(102, { available: true }))).toEqual([409, 10809]);
		expect(
			(await api(sandbox, 'GET', `users/${ASHA}`)).json.response.data.devices.map(
				(d: { available: boolean }) => d.available,
			),
		).toEqual([false, false]);
	});

	it('answers 403/10817 to a new contact for a SIP device', async () => {
		expect(errorOf(await device(101, { contact_uri: '+919812345678' }))).toEqual([403, 10817]);
	});

	it('answers 400/1401 to a number that is not E.164', async () => {
		expect(errorOf(await device(102, { contact_uri: '09812345678' }))).toEqual([400, 1401]);
	});

	it('answers 409/10811 to a number another device has', async () => {
		expect(errorOf(await device(102, { contact_uri: '+6591234567' }))).toEqual([409, 10811]);
	});

	it('answers 404/1000 for an unknown device and 404/10801 for an unknown user', async () => {
		expect(errorOf(await device(999, { available: false }))).toEqual([404, 1000]);
		expect(errorOf(await device(101, { available: false }, 'nobody'))).toEqual([404, 10801]);
		expect(errorOf(await device(201, { available: false }))).toEqual([404, 1000]);
	});
});
