/**
 * A 20,000-user account, polled every minute on a fake clock: the sandbox answers in this
 * process (no sockets, so time moves only when the test moves it), at Exotel's 50 requests a
 * minute with its rate-limit headers, through n8n-core's PollContext. The trigger reads the
 * account across polls, each well inside n8n's limits, keeps a small state, and reports every
 * change once across full passes, while the account changes under it.
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { randomBytes } from 'node:crypto';
import type { IDataObject, IHttpRequestOptions, INodeExecutionData } from 'n8n-workflow';
import { PollContext } from 'n8n-core';

import { ExotelUsersApi } from '../../../credentials/ExotelUsersApi.credentials';
import { STATE_KEY } from '../../../nodes/ExotelUsersTrigger/pollUsers';
import { buildExecuteContext } from '../../../tools/dev/harness/n8n';
import { ExotelSandbox, manyUsers, seedUsers, type User } from '../../../tools/dev/sandbox/server';
import { FakeClock } from '../../support/clock';
import { loadedNode } from '../../support/loadedNode';
import { newProcess } from '../../support/newProcess';

const USERS = 20_000;
const MINUTE = 60_000;
const secrets = {
	apiKey: `key-${randomBytes(4).toString('hex')}`,
	apiToken: `tok-${randomBytes(12).toString('hex')}`,
	accountSid: `acct${randomBytes(3).toString('hex')}`,
};
const basic = `Basic ${Buffer.from(`${secrets.apiKey}:${secrets.apiToken}`).toString('base64')}`;

const clock = new FakeClock();
const sandbox = new ExotelSandbox({
	...secrets,
	users: seedUsers(USERS),
	now: () => clock.now(),
	rateLimit: { limit: 50, windowMs: MINUTE },
});
const trigger = loadedNode(newProcess('ExotelUsersTrigger', { clock }));
let staticData: IDataObject = {};

/** One scheduled poll, as n8n runs it, with the sandbox answering in this process. */
async function pollOnce(): Promise<{ items: IDataObject[]; ms: number; requests: number }> {
	const { workflow, node, additionalData } = buildExecuteContext({
		nodeType: trigger,
		credentialType: new ExotelUsersApi(),
		credentials: { ...secrets, region: 'custom', baseUrl: 'http://127.0.0.1:4010' },
		parameters: {
			events: ['userAdded', 'userRemoved', 'sipDeviceAdded'],
			pollTimes: { item: [{ mode: 'everyMinute' }] },
		},
		mode: 'trigger',
	});
	workflow.staticData = staticData as typeof workflow.staticData;
	const context = new PollContext(workflow, node, additionalData, 'trigger', 'activate');
	context.helpers.httpRequestWithAuthentication = async (
		_type: string,
		options: IHttpRequestOptions,
	) => {
		const url = new URL(options.url);
		for (const [name, value] of Object.entries(options.qs ?? {}))
			url.searchParams.set(name, String(value));
		const answer = sandbox.answerInProcess({
			method: options.method ?? 'GET',
			url: url.pathname + url.search,
			authorization: basic,
		});
		const headers = Object.fromEntries(
			Object.entries(answer.headers).map(([name, value]) => [name.toLowerCase(), value]),
		);
		return { statusCode: answer.status, headers, body: JSON.parse(answer.body) as unknown };
	};
	const before = sandbox.requests.length;
	const started = clock.now();
	let output: INodeExecutionData[][] | null | undefined;
	let failure: unknown;
	const poll = trigger.poll.call(context).then(
		(result) => (output = result),
		(error: unknown) => (failure = error ?? new Error('failed')),
	);
	while (output === undefined && failure === undefined) await clock.advance(100);
	await poll;
	if (failure) throw failure;
	// n8n saves static data as JSON: the next poll gets it back as it was written.
	staticData = JSON.parse(JSON.stringify(staticData)) as IDataObject;
	return {
		items: (output?.[0] ?? []).map((i) => i.json),
		ms: clock.now() - started,
		requests: sandbox.requests.length - before,
	};
}

/** The trigger's state: n8n keeps a node's static data under `node:<name>`. */
const state = () =>
	(staticData['node:Exotel Users Trigger'] as IDataObject | undefined)?.[STATE_KEY] as
		| { pass: number; baseline: boolean; offset: number; confirming: boolean }
		| undefined;

/** Polls on the minute until the pass in progress is complete; what each poll did. */
async function untilPassEnds(
	during?: (poll: number) => void,
): Promise<Array<Awaited<ReturnType<typeof pollOnce>>>> {
	const pass = state()?.pass ?? 0;
	const polls = [];
	for (let n = 0; (state()?.pass ?? 0) === pass; n++) {
		if (n > 40) throw new Error('the pass did not end within 40 polls');
		during?.(n);
		polls.push(await pollOnce());
		await clock.advance(MINUTE - (clock.now() % MINUTE));
	}
	return polls;
}

const events = (polls: Array<{ items: IDataObject[] }>) =>
	polls.flatMap((p) =>
		p.items.map(
			(i) =>
				`${String(i.event)} ${String(i.user_id)}${i.device_id ? ` ${String(i.device_id)}` : ''}`,
		),
	);

describe('Exotel Users Trigger on a 20,000-user account at 50 requests a minute (fake clock)', () => {
	const warn = jest.spyOn(Container.get(Logger), 'warn').mockImplementation(() => undefined);
	afterAll(() => warn.mockRestore());
	const polls: Array<Awaited<ReturnType<typeof pollOnce>>> = [];
	const newcomers = manyUsers(USERS + 3).slice(USERS) as User[];

	it('records the account across polls (the first one included), each within 45 s and 25 requests, and fires nothing', async () => {
		const baseline = await untilPassEnds();
		polls.push(...baseline);
		expect(baseline.length).toBeGreaterThanOrEqual(16);
		expect(events(baseline)).toEqual([]);
		expect(state()).toMatchObject({ baseline: false, offset: 0, confirming: false });
		// Once the pass knows the account's size, the log says the interval spends too much of the account.
		expect(warn.mock.calls.map(([message]) => String(message))).toEqual([
			"Exotel Users Trigger: 20000 users cost 25 requests a poll, 25.0 a minute at this interval — more than a tenth of Exotel's 50 a minute for the account. Poll every 5 minutes or less often.",
		]);
	}, 120_000);

	it('keeps its state under 1.5 MiB (at most 64 bytes a user)', () => {
		const bytes = Buffer.byteLength(JSON.stringify(staticData));
		expect(bytes).toBeLessThanOrEqual(1.5 * 1024 * 1024);
		expect(bytes / USERS).toBeLessThanOrEqual(64);
	});

	it('over the next passes, while the account changes under it, reports every add and remove exactly once', async () => {
		const ids = [...sandbox.users.keys()];
		const removed = [ids[5], ids[9_000], ids[19_990]];
		const removedMidPass = ids[100]; // on a page the pass has read when it goes: the next pass reports it
		const withNewSip = sandbox.users.get(ids[12_345])!;
		for (const id of removed) sandbox.users.delete(id);
		sandbox.users.set(newcomers[0].id, structuredClone(newcomers[0]));
		withNewSip.devices.push({
			id: 999_001,
			name: 'second softphone',
			contact_uri: 'sip:second999001',
			type: 'sip',
			available: false,
			verified: true,
			status: 'free',
		});

		const second = await untilPassEnds((poll) => {
			if (poll === 3) {
				// Mid-pass: everyone after it moves up a place, across the page the pass is at.
				sandbox.users.delete(removedMidPass);
				sandbox.users.set(newcomers[1].id, structuredClone(newcomers[1]));
			}
		});
		const third = await untilPassEnds();
		const fourth = await untilPassEnds();
		polls.push(...second, ...third, ...fourth);

		expect(events([...second, ...third]).sort()).toEqual(
			[
				...removed.map((id) => `userRemoved ${id}`),
				`userRemoved ${removedMidPass}`,
				`userAdded ${newcomers[0].id}`,
				`userAdded ${newcomers[1].id}`,
				`sipDeviceAdded ${withNewSip.id} 999001`,
			].sort(),
		);
		expect(events(fourth)).toEqual([]);
		// The users the page shift hid were looked up, found, and not reported.
		expect(
			sandbox.requests.filter((r) => r.segments.at(-2) === 'users' && r.status === 200).length,
		).toBeGreaterThan(0);
	}, 300_000);

	it('every poll took at most 45 s of the clock and 25 requests, and met no 429', () => {
		expect(Math.max(...polls.map((p) => p.ms))).toBeLessThanOrEqual(45_000);
		expect(Math.max(...polls.map((p) => p.requests))).toBeLessThanOrEqual(25);
		expect(sandbox.requests.filter((r) => r.status === 429)).toEqual([]);
	});
});
