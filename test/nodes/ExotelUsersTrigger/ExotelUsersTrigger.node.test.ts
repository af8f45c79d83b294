/**
 * The trigger's poll() through n8n-core's PollContext and real request stack, against the
 * sandbox. n8n keeps a poll's state in the workflow's static data and saves it as JSON; a
 * JSON copy handed to the next poll is an n8n restart.
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { randomBytes } from 'node:crypto';

import { ExotelUsersApi } from '../../../credentials/ExotelUsersApi.credentials';
import type { ExotelUsersTrigger } from '../../../nodes/ExotelUsersTrigger/ExotelUsersTrigger.node';
import { STATE_KEY } from '../../../nodes/ExotelUsersTrigger/pollUsers';
import { runPoll } from '../../../tools/dev/harness/n8n';
import {
	manyUsers,
	seedUsers,
	startSandbox,
	type ExotelSandbox,
	type RecordedRequest,
	type User,
} from '../../../tools/dev/sandbox/server';
import { ASHA, expectNoSecrets, TEST_WINDOW_MS } from '../../support/exotel';
import { loadedNode } from '../../support/loadedNode';
import { newProcess } from '../../support/newProcess';

const secrets = {
	apiKey: `key-${randomBytes(4).toString('hex')}`,
	apiToken: `tok-${randomBytes(12).toString('hex')}`,
	accountSid: `acct${randomBytes(3).toString('hex')}`,
};
let sandbox: ExotelSandbox;
let afterRequest: ((request: RecordedRequest) => void) | undefined;
const MEI_LIN = 'c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0';

beforeAll(async () => {
	sandbox = await startSandbox({ ...secrets, onRequest: (r) => afterRequest?.(r) });
});
afterAll(async () => await sandbox.stop());

/** An n8n process's trigger: the minute scaled down, retries faster. */
const PROCESS = { windowMs: TEST_WINDOW_MS, pollSend: { retryBaseDelay: 0.01, maxRetryWait: 1 } };
/** One n8n process: its node instance (and account window). */
let trigger: ExotelUsersTrigger;
let staticData: IDataObject;
beforeEach(() => {
	sandbox.reset();
	afterRequest = undefined;
	trigger = loadedNode(newProcess('ExotelUsersTrigger', PROCESS));
	staticData = {};
});

const EVERY_MINUTE = { item: [{ mode: 'everyMinute' }] };

async function poll(
	parameters: INodeParameters = {},
	mode: 'trigger' | 'manual' = 'trigger',
): Promise<IDataObject[]> {
	const output = await runPoll({
		nodeType: trigger,
		credentialType: new ExotelUsersApi(),
		credentials: { ...secrets, region: 'custom', baseUrl: sandbox.url },
		parameters: {
			events: ['userAdded', 'userRemoved', 'sipDeviceAdded'],
			pollTimes: EVERY_MINUTE,
			...parameters,
		},
		mode,
		staticData,
	});
	const items: INodeExecutionData[] = output?.[0] ?? [];
	expectNoSecrets(items, [secrets.apiToken, secrets.apiKey]);
	return items.map((i) => i.json);
}

/** n8n restarts: the state as it was saved (JSON), a new node instance. */
function restart() {
	staticData = JSON.parse(JSON.stringify(staticData)) as IDataObject;
	trigger = loadedNode(newProcess('ExotelUsersTrigger', PROCESS));
}

/** What the trigger wrote to n8n's log as warnings since the test began. */
let warn: jest.SpyInstance;
beforeEach(() => {
	warn = jest.spyOn(Container.get(Logger), 'warn').mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());
const warnings = () =>
	warn.mock.calls.map(([message]) => String(message)).filter((m) => m.includes('saved state'));

/** The trigger's state as n8n keeps it (a node's static data is under `node:<name>`). */
const stored = () =>
	(staticData['node:Exotel Users Trigger'] as IDataObject)[STATE_KEY] as IDataObject;

const newcomer = (i = 0): User => structuredClone(manyUsers(i + 1)[i]);
const add = (user: User) => sandbox.users.set(user.id, user);
const events = (items: IDataObject[]) =>
	items.map(
		(i) => `${String(i.event)} ${String(i.user_id)}${i.device_id ? ` ${String(i.device_id)}` : ''}`,
	);
const listings = () =>
	sandbox.requests.filter((r) => r.method === 'GET' && r.segments.at(-1) === 'users');

describe('Exotel Users Trigger', () => {
	it('records the account on the first poll and fires nothing, then nothing while nothing changes', async () => {
		expect(await poll()).toEqual([]);
		expect(await poll()).toEqual([]);
		expect(listings()[0].query).toMatchObject({ fields: 'devices', limit: '50', offset: '0' });
	});

	it('fires once for a user added, with the user, their devices and SIP username', async () => {
		await poll();
		const user = newcomer();
		add(user);
		const items = await poll();
		expect(items).toEqual([
			expect.objectContaining({
				event: 'userAdded',
				event_id: `userAdded:${user.id}`,
				id: user.id,
				user_id: user.id,
				first_name: user.first_name,
				email: user.email,
				sip_username: user.devices[0].contact_uri.replace('sip:', ''),
				devices: [expect.objectContaining({ id: user.devices[0].id, type: 'sip' })],
			}),
		]);
		expect(items[0]).not.toHaveProperty('announced');
		expect(await poll()).toEqual([]);
	});

	it('fires once for a user removed, confirmed with Exotel, with the user’s id', async () => {
		await poll();
		sandbox.users.delete(ASHA.id);
		const items = await poll();
		expect(items).toEqual([
			{ event: 'userRemoved', event_id: `userRemoved:${ASHA.id}`, user_id: ASHA.id, id: ASHA.id },
		]);
		expect(sandbox.requests.at(-1)).toMatchObject({
			method: 'GET',
			segments: expect.arrayContaining(['users', ASHA.id]),
			status: 404,
		});
		expect(await poll()).toEqual([]);
	});

	it('fires for a SIP device added to a user who was there, not for a telephone device', async () => {
		await poll();
		const mei = sandbox.users.get(MEI_LIN)!;
		mei.devices.push({
			id: 901,
			name: 'Mei Lin softphone',
			contact_uri: 'sip:meilintan901',
			type: 'sip',
			available: false,
			verified: true,
			status: 'free',
		});
		sandbox.users.get(ASHA.id)!.devices.push({
			id: 902,
			name: 'desk',
			contact_uri: '+919800000009',
			type: 'tel',
			available: false,
			verified: false,
			status: 'free',
		});
		expect(events(await poll())).toEqual([`sipDeviceAdded ${MEI_LIN} 901`]);
	});

	it('only the events chosen start the workflow', async () => {
		await poll({ events: ['userRemoved'] });
		add(newcomer());
		sandbox.users.delete(ASHA.id);
		expect(events(await poll({ events: ['userRemoved'] }))).toEqual([`userRemoved ${ASHA.id}`]);
	});

	it('with Only When a SIP Device Exists, waits for the new user’s SIP device and then fires once', async () => {
		const options = { events: ['userAdded'], sipDeviceRequired: true };
		await poll(options);
		const user = newcomer();
		const sip = user.devices.pop()!;
		add(user);
		expect(await poll(options)).toEqual([]);
		user.devices.push(sip);
		expect(events(await poll(options))).toEqual([`userAdded ${user.id}`]);
		expect(await poll(options)).toEqual([]);
	});

	it('loses and repeats nothing across an n8n restart, including changes made while n8n was down', async () => {
		await poll();
		const first = newcomer(0);
		add(first);
		expect(events(await poll())).toEqual([`userAdded ${first.id}`]);
		restart();
		expect(await poll()).toEqual([]);
		const second = newcomer(1);
		add(second);
		restart(); // down while the user was added
		expect(events(await poll())).toEqual([`userAdded ${second.id}`]);
		restart();
		expect(await poll()).toEqual([]);
	});

	it('retries a poll answered 503, and the event arrives once', async () => {
		await poll();
		add(newcomer());
		sandbox.faults.add({ kind: 'status', status: 503, route: 'GET users', times: 1 });
		expect(events(await poll())).toHaveLength(1);
		expect(
			listings()
				.slice(-2)
				.map((r) => r.status),
		).toEqual([503, 200]);
		expect(await poll()).toEqual([]);
	});

	it('a poll that fails saves nothing: the next poll reports the change once', async () => {
		await poll();
		const saved = JSON.stringify(staticData);
		const user = newcomer();
		add(user);
		sandbox.faults.add({ kind: 'status', status: 503, route: 'GET users', times: 6 });
		const error = await poll().then(
			() => undefined,
			(e: unknown) => e as Error,
		);
		expect(error?.message).toMatch(/^Exotel answered 503/);
		expectNoSecrets(error, [secrets.apiToken]);
		expect(JSON.stringify(staticData)).toBe(saved);
		expect(events(await poll())).toEqual([`userAdded ${user.id}`]);
	});

	it('reads ⌈users ÷ 50⌉ pages a poll: 237 users, 5 requests', async () => {
		sandbox.options.users = seedUsers(237);
		sandbox.reset();
		await poll();
		const before = sandbox.requests.length;
		await poll();
		const requests = sandbox.requests.slice(before);
		expect(requests.map((r) => r.query.offset)).toEqual(['0', '50', '100', '150', '200']);
		expect(requests.every((r) => r.query.limit === '50' && r.query.fields === 'devices')).toBe(
			true,
		);
		sandbox.options.users = undefined;
	});

	it('does not report a user skipped by a page shift as removed, and reports the one really removed once', async () => {
		sandbox.options.users = seedUsers(60);
		sandbox.reset();
		await poll();
		const ids = [...sandbox.users.keys()];
		// Between the two pages, a user of the first page is deleted: everyone moves up one, and
		// the user who was first on the second page is on neither.
		afterRequest = (request) => {
			if (request.method === 'GET' && request.query.offset === '0' && afterRequest) {
				afterRequest = undefined;
				sandbox.users.delete(ids[10]);
			}
		};
		// This poll read the deleted user on the first page (still there then) and missed the next one.
		expect(await poll()).toEqual([]);
		const userLookups = () =>
			sandbox.requests
				.filter((r) => r.method === 'GET' && r.segments.at(-2) === 'users')
				.map((r) => [r.segments.at(-1), r.status]);
		expect(userLookups()).toEqual([[ids[50], 200]]);
		expect(events(await poll())).toEqual([`userRemoved ${ids[10]}`]);
		expect(userLookups()).toEqual([
			[ids[50], 200],
			[ids[10], 404],
		]);
		expect(await poll()).toEqual([]);
		sandbox.options.users = undefined;
	});

	it('a test run in the editor returns the newest user and leaves the state alone', async () => {
		const user = { ...newcomer(), date_created: '2030-01-01T00:00:00Z' };
		add(user);
		const items = await poll({}, 'manual');
		expect(events(items)).toEqual([`userAdded ${user.id}`]);
		expect(staticData).toEqual({});
	});

	it('starts a new baseline when the credential points at another account, instead of reporting every user removed and added', async () => {
		await poll();
		const otherSecrets = {
			apiKey: 'key-other',
			apiToken: `tok-${randomBytes(12).toString('hex')}`,
			accountSid: 'acctother',
		};
		const other = await startSandbox({ ...otherSecrets, users: [newcomer(5)] });
		try {
			const pollOther = async () =>
				await runPoll({
					nodeType: trigger,
					credentialType: new ExotelUsersApi(),
					credentials: { ...otherSecrets, region: 'custom', baseUrl: other.url },
					parameters: {
						events: ['userAdded', 'userRemoved', 'sipDeviceAdded'],
						pollTimes: EVERY_MINUTE,
					},
					staticData,
				});
			expect(await pollOther()).toBeNull();
			expect(warnings()).toEqual([expect.stringContaining('it describes another Exotel account')]);
			other.users.set(newcomer(6).id, newcomer(6));
			expect(
				(await pollOther())?.[0].map((i) => `${String(i.json.event)} ${String(i.json.user_id)}`),
			).toEqual([`userAdded ${newcomer(6).id}`]);
		} finally {
			await other.stop();
		}
	});

	describe('a saved state it cannot trust starts a new baseline, with a warning, and fires nothing', () => {
		const first = () => Object.keys(stored().users as IDataObject)[0];
		it.each<[string, (state: IDataObject) => void, RegExp]>([
			[
				'a user entry without devices (the first version’s shape)',
				(s) => ((s.users as IDataObject)[first()] = { id: first(), announced: true }),
				/entry of user .* is malformed/,
			],
			[
				'a user entry whose devices are not a list',
				(s) =>
					((s.users as IDataObject)[first()] = { id: first(), devices: 'none', announced: true }),
				/entry of user/,
			],
			[
				'users stored as a list',
				(s) => (s.users = Object.keys(s.users as IDataObject).map((id) => ({ id, devices: [] }))),
				/users are a list/,
			],
			['a null entry', (s) => ((s.users as IDataObject)[first()] = null), /entry of user/],
			[
				'an entry without an id',
				(s) => ((s.users as IDataObject)[''] = { devices: [] }),
				/no usable id/,
			],
			['another state version', (s) => (s.version = 1), /another version of the trigger/],
			['another account', (s) => (s.account = 'ffffffffffffffff'), /another Exotel account/],
		])('%s', async (_name, corrupt, problem) => {
			await poll();
			corrupt(stored());
			restart();
			sandbox.users.delete(ASHA.id);
			expect(await poll()).toEqual([]);
			expect(warnings()).toEqual([expect.stringMatching(problem)]);
			expect(warnings()[0]).toContain('starts a new baseline');
			// The new baseline is the account as it is now: only what changes after it fires.
			const user = newcomer();
			add(user);
			expect(events(await poll())).toEqual([`userAdded ${user.id}`]);
			expect(warnings()).toHaveLength(1);
		});
	});

	it('refuses Poll Times that add up to more than one poll a minute, naming the field, before any request', async () => {
		const twice = {
			item: [{ mode: 'everyMinute' }, { mode: 'everyX', value: 30, unit: 'minutes' }],
		};
		for (const mode of ['trigger', 'manual'] as const) {
			const error = await poll({ pollTimes: twice }, mode).then(
				() => undefined,
				(e: unknown) => e as Error,
			);
			expect(error?.message).toMatch(/^Poll Times add up to 1\.03 polls a minute/);
		}
		expect(sandbox.requests).toEqual([]);
	});

	it('runs one poll at a time: a tick that comes while the last poll still runs is skipped, and each event fires once', async () => {
		await poll();
		const user = newcomer();
		add(user);
		const [slow, overlapping] = await Promise.all([poll(), poll()]);
		expect(overlapping).toEqual([]);
		expect(events(slow)).toEqual([`userAdded ${user.id}`]);
		expect(await poll()).toEqual([]);
	});

	it('reads a large account across polls, 25 requests at most each, and reports a change once the pass reaches it', async () => {
		sandbox.options.users = seedUsers(1_300);
		sandbox.reset();
		const perPoll: number[] = [];
		const counted = async () => {
			const before = listings().length;
			const items = await poll();
			perPoll.push(listings().length - before);
			return items;
		};
		expect(await counted()).toEqual([]);
		expect(await counted()).toEqual([]); // the baseline pass ends
		const user = newcomer(1_400);
		add(user); // last in the listing: on page 27
		expect(await counted()).toEqual([]);
		expect(events(await counted())).toEqual([`userAdded ${user.id}`]);
		expect(perPoll).toEqual([25, 1, 25, 2]);
		sandbox.options.users = undefined;
	});

	it('goes on with a pass where n8n keeps only the state of polls that emitted (durable scheduler without durable cursors), and repeats nothing', async () => {
		sandbox.options.users = seedUsers(1_300);
		sandbox.reset();
		// n8n's database: each tick starts from it; it keeps what a poll wrote only when the poll emitted (and at activation).
		let database: IDataObject = {};
		const tick = async () => {
			staticData = JSON.parse(JSON.stringify(database)) as IDataObject;
			const items = await poll();
			if (items.length > 0 || Object.keys(database).length === 0)
				database = JSON.parse(JSON.stringify(staticData)) as IDataObject;
			return events(items);
		};
		expect(await tick()).toEqual([]); // activation: saved
		expect(await tick()).toEqual([]); // the baseline's last page: not saved, remembered
		const ids = [...sandbox.users.keys()];
		const user = newcomer(1_400);
		sandbox.users.delete(ids[10]);
		add(user);
		expect(await tick()).toEqual([]);
		expect((await tick()).sort()).toEqual(
			[`userAdded ${user.id}`, `userRemoved ${ids[10]}`].sort(),
		);
		expect([...(await tick()), ...(await tick()), ...(await tick())]).toEqual([]);
		restart(); // a new process: only the database's state
		expect([...(await tick()), ...(await tick())]).toEqual([]);
		sandbox.options.users = undefined;
	});
});
