/**
 * Update SIP Password (see updateSipPassword.operation.test.ts): how many requests a reset
 * costs, alone and many in one run (every request counts against Exotel's per-account limit).
 */
import {
	ASHA,
	byId,
	byEmail,
	startTestbed,
	useTestbed,
	type ExotelTestbed,
} from '../../../../support/exotel';
import { seedUsers, type User } from '../../../../../tools/dev/sandbox/server';

const bed = useTestbed();

describe('requests per reset (every request counts against Exotel’s per-account limit)', () => {
	const fromListDevice = (id: number) => ({
		__rl: true,
		mode: 'list',
		value: String(id),
		cachedResultName: 'Asha softphone',
	});
	const requests = () =>
		bed.sandbox.requests.map((r) => `${r.method} ${r.segments.slice(3).join('/')}`);

	it.each([
		// The read checks, before anything changes, that the device is the user's and SIP.
		['By ID, device id given', byId(ASHA.id), String(ASHA.sip), 2],
		[
			'From List, device from the list',
			{ __rl: true, mode: 'list', value: ASHA.id },
			fromListDevice(ASHA.sip),
			2,
		],
		['By ID, device left empty', byId(ASHA.id), '', 2],
		['By Email, device left empty', byEmail('asha.rao@example.com'), '', 2],
		['By Email, device id given', byEmail('asha.rao@example.com'), String(ASHA.sip), 2],
		['By Email in other capitals, device left empty', byEmail('Asha.Rao@Example.COM'), '', 2],
	])('%s: %i', async (_mode, userId, deviceId, expected) => {
		const output = await bed.run({ parameters: { userId, deviceId, passwordMode: 'generate' } });
		expect(output[0].json).toMatchObject({ http_code: 200, device_id: String(ASHA.sip) });
		expect(requests()).toHaveLength(expected);
		expect(requests().at(-1)).toBe(`PUT users/${ASHA.id}/devices/${ASHA.sip}/password`);
	});

	it('looks a user up once per execution, and sets one device once: three resets of the same user by email are 1 lookup and 1 PUT, one password for all three', async () => {
		const output = await bed.run({
			items: [{ json: {} }, { json: {} }, { json: {} }],
			parameters: {
				userId: byEmail('asha.rao@example.com'),
				deviceId: '',
				passwordMode: 'generate',
			},
		});
		expect(output.map((o) => o.json.http_code)).toEqual([200, 200, 200]);
		expect(requests()).toEqual(['GET users', `PUT users/${ASHA.id}/devices/${ASHA.sip}/password`]);
		expect(new Set(output.map((o) => o.json.sipPassword)).size).toBe(1);
		expect(bed.sandbox.fingerprint(output[2].json.sipPassword as string)).toBe(
			bed.sandbox.passwordOf(ASHA.id, ASHA.sip),
		);
	});

	it('shares a lookup in flight between items sent at the same time (Concurrency)', async () => {
		await bed.run({
			items: [{ json: {} }, { json: {} }, { json: {} }, { json: {} }],
			parameters: {
				userId: byId(ASHA.id),
				deviceId: '',
				passwordMode: 'generate',
				options: { concurrency: 4 },
			},
		});
		expect(requests().filter((r) => r.startsWith('GET'))).toEqual([`GET users/${ASHA.id}`]);
		expect(requests().filter((r) => r.startsWith('PUT'))).toHaveLength(1);
	});

	it('an address nobody has: each item gets its own error, from one read of the account (no reread per item)', async () => {
		const output = await bed.run({
			continueOnFail: true,
			items: [{ json: {} }, { json: {} }],
			parameters: { userId: byEmail('nobody@example.com'), deviceId: '', passwordMode: 'generate' },
		});
		expect(output).toEqual([
			{
				json: { error: 'No Exotel user has the email nobody@example.com' },
				pairedItem: { item: 0 },
			},
			{
				json: { error: 'No Exotel user has the email nobody@example.com' },
				pairedItem: { item: 1 },
			},
		]);
		// Two items: the account's one page, read once.
		expect(requests()).toEqual(['GET users']);
	});

	it('does not remember a failed lookup: the item fails alone, the next asks for itself', async () => {
		// The listing's first page and the first item's own lookup fail (400 is not retried).
		bed.sandbox.faults.add({ kind: 'status', status: 400, route: 'GET users', times: 2 });
		const output = await bed.run({
			continueOnFail: true,
			items: [{ json: {} }, { json: {} }],
			parameters: {
				userId: byEmail('asha.rao@example.com'),
				deviceId: '',
				passwordMode: 'generate',
			},
		});
		expect(output[0].json.error).toMatch(/^Exotel answered 400/);
		expect(output[1].json).toMatchObject({ http_code: 200, user_id: ASHA.id });
		expect(requests()).toEqual([
			'GET users',
			'GET users',
			'GET users',
			`PUT users/${ASHA.id}/devices/${ASHA.sip}/password`,
		]);
	});

	it('remembers nothing from one execution to the next', async () => {
		await bed.run({
			parameters: { userId: byId(ASHA.id), deviceId: '', passwordMode: 'generate' },
		});
		await bed.run({
			parameters: { userId: byId(ASHA.id), deviceId: '', passwordMode: 'generate' },
		});
		expect(requests().filter((r) => r.startsWith('GET'))).toHaveLength(2);
	});
});

describe('many resets in one run: at most one listing of the account (⌈users ÷ 50⌉ requests) when that is fewer', () => {
	/** Each request as "page <offset>", "exact" (Exotel's email filter), "user" (GET by id) or "PUT". */
	const asked = (testbed: ExotelTestbed) =>
		testbed.sandbox.requests.map((r) =>
			r.method === 'PUT'
				? 'PUT'
				: r.segments.length > 4
					? 'user'
					: r.query.email !== undefined
						? 'exact'
						: `page ${String(r.query.offset)}`,
		);
	const pages = (users: number) =>
		Array.from({ length: Math.ceil(users / 50) }, (_, i) => `page ${i * 50}`);
	/** Exotel holding every address in other capitals than the workflow has it. */
	const capitalised = (users: User[]) =>
		users.map((u) => ({
			...u,
			email:
				u.email && u.email.replace(/^./, (c) => c.toUpperCase()).replace('@example', '@Example'),
		}));
	const runs = [
		['On Error = stop (every item checked first)', false],
		['Continue On Fail (items resolved one by one)', true],
	] as const;

	async function resets(users: User[], emails: string[], continueOnFail: boolean) {
		const testbed = await startTestbed({ users });
		try {
			const output = await testbed.run({
				continueOnFail,
				items: emails.map((email) => ({ json: { email } })),
				parameters: {
					userId: byEmail('={{ $json.email }}'),
					deviceId: '',
					passwordMode: 'generate',
				},
			});
			for (const o of output) {
				expect(o.json.http_code).toBe(200);
				expect(testbed.sandbox.passwordOf(String(o.json.user_id), String(o.json.device_id))).toBe(
					testbed.sandbox.fingerprint(o.json.sipPassword as string),
				);
			}
			expect(output.map((o) => String(o.json.email).toLowerCase())).toEqual(
				emails.map((e) => e.toLowerCase()),
			);
			return asked(testbed);
		} finally {
			await testbed.sandbox.stop();
		}
	}

	const account = seedUsers(123);
	const emailed = account.filter((u) => u.email !== null).map((u) => u.email as string);

	it.each(runs)(
		'%s: 5 resets By Email in an account of 123 users are 3 pages and 5 PUTs (was 5 lookups)',
		async (_label, continueOnFail) => {
			expect(await resets(account, emailed.slice(-5), continueOnFail)).toEqual([
				...pages(123),
				'PUT',
				'PUT',
				'PUT',
				'PUT',
				'PUT',
			]);
		},
	);

	it.each(runs)(
		'%s: with every address stored in other capitals, the same 3 pages: no lookup reads the account again',
		async (_label, continueOnFail) => {
			expect(await resets(capitalised(account), emailed.slice(-5), continueOnFail)).toEqual([
				...pages(123),
				'PUT',
				'PUT',
				'PUT',
				'PUT',
				'PUT',
			]);
		},
	);

	it.each(runs)(
		'%s: 3 resets in an account of 303 users, stored in other capitals: the account is read once in all (was once per item)',
		async (_label, continueOnFail) => {
			const big = capitalised(seedUsers(303));
			const three = big
				.filter((u) => u.email !== null)
				.slice(-3)
				.map((u) => (u.email as string).toLowerCase());
			// The first page says 7 pages are more than 3 lookups; the first item's exact lookup misses,
			// so the rest of the account is read once; the other two are found in it.
			expect(await resets(big, three, continueOnFail)).toEqual([
				'page 0',
				'exact',
				...pages(303).slice(1),
				'PUT',
				'PUT',
				'PUT',
			]);
		},
	);

	it.each(runs)(
		'%s: 3 resets in an account of 303 users, stored as typed: the first page, then one lookup each',
		async (_label, continueOnFail) => {
			const three = seedUsers(303)
				.filter((u) => u.email !== null)
				.slice(-3)
				.map((u) => u.email as string);
			const sent = await resets(seedUsers(303), three, continueOnFail);
			// Checked first, the lookups come before the PUTs; under Continue On Fail, each item's in turn.
			expect(sent.filter((r) => r !== 'PUT')).toEqual(['page 0', 'exact', 'exact', 'exact']);
			expect(sent.filter((r) => r === 'PUT')).toHaveLength(3);
		},
	);

	it('checked first, users By ID and By Email count together: 2 of each in 123 users are 3 pages and 4 PUTs', async () => {
		const testbed = await startTestbed({ users: account });
		try {
			const picked = account.filter((u) => u.email !== null).slice(-4);
			const output = await testbed.run({
				items: picked.map((u, i) => ({ json: { user: i % 2 ? u.id : u.email } })),
				parameters: { userId: byId('={{ $json.user }}'), deviceId: '', passwordMode: 'generate' },
			});
			expect(output.map((o) => o.json.user_id)).toEqual(picked.map((u) => u.id));
			expect(asked(testbed)).toEqual([...pages(123), 'PUT', 'PUT', 'PUT', 'PUT']);
		} finally {
			await testbed.sandbox.stop();
		}
	});
});
