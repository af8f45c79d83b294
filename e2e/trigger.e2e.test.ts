/* eslint-disable @n8n/community-nodes/no-restricted-globals -- not shipped: linted by eslint.support.config.mjs */
/**
 * The Exotel Users Trigger in a real n8n 2.41.1 (Node 24), the node loaded from dist/
 * (CUSTOM.exotelUsersTrigger): a published workflow polling every minute (n8n's shortest
 * interval) against the Exotel sandbox with 237 users, its items posted by an HTTP Request
 * node to a local collector (one body per item, with the execution's id).
 *
 * n8n polls once when it activates a workflow (at Publish and at start-up), then on the
 * minute. The checks are batched so that the whole file waits for about two scheduled polls:
 *   1. Publish: the first poll records the account and starts nothing.
 *   2. A user added and one removed, and the poll's first page answered 503: after one poll,
 *      one execution with both events, each once.
 *   3. n8n stopped, a user added while it is down, n8n started: the start-up poll reports that
 *      user once and repeats nothing; the next scheduled poll starts nothing.
 *   4. examples/coworker-added.json, fed the User Added item the trigger emitted in 2 (its
 *      trigger replaced by that item, run with `n8n execute`): the co-worker gets one email with
 *      their SIP user name and the password Exotel received.
 * Every poll reads ⌈237 ÷ 50⌉ = 5 pages.
 */
import { randomBytes } from 'node:crypto';

import { startCollector, type Collector } from '../dev/n8n/collector';
import { freePort, N8nFolder, NODE_TYPE } from '../dev/n8n/n8n';
import { startN8n, type RunningN8n } from '../dev/n8n/server';
import { activateWorkflow, collectingTriggerWorkflow, runnableExample, sandboxCredential, smtpCredential } from '../dev/n8n/workflows';
import { smtpCredentialData, startMailbox } from '../dev/smtp/mailbox';
import { manyUsers, seedUsers, startSandbox, type ExotelSandbox, type RecordedRequest, type User } from '../dev/sandbox/server';

const USERS = 237;
const PAGES = Math.ceil(USERS / 50);
const TRIGGER_TYPE = NODE_TYPE.custom.replace(/exotelUsers$/, 'exotelUsersTrigger');

describe('Exotel Users Trigger in a real n8n 2.41.1, polling every minute', () => {
	const secrets = {
		apiKey: `trg-key-${randomBytes(3).toString('hex')}`,
		apiToken: `trg-token-${randomBytes(12).toString('hex')}`,
		accountSid: `trg${randomBytes(3).toString('hex')}`,
	};
	// Users the sandbox does not start with (its 237 are the named three and manyUsers(234)).
	const [added, addedWhileDown] = manyUsers(USERS + 2)
		.slice(USERS - 3)
		.map((u) => structuredClone(u) as User);
	let removed: User;

	let sandbox: ExotelSandbox;
	let collector: Collector;
	let folder: N8nFolder;
	let n8n: RunningN8n | undefined;
	/** The listing requests of each poll, in order (a poll starts with offset 0, or a retry of it). */
	const polls: RecordedRequest[][] = [];

	const listing = (r: RecordedRequest) => r.method === 'GET' && r.segments.at(-1) === 'users';
	/** Waits for the next complete poll after request number `from`: its last page answered 200. */
	async function nextPoll(from: number, timeoutMs = 90_000): Promise<RecordedRequest[]> {
		for (const started = Date.now(); Date.now() - started < timeoutMs; ) {
			const since = sandbox.requests.slice(from).filter(listing);
			const last = since.findIndex((r) => r.query.offset === String((PAGES - 1) * 50) && r.status === 200);
			if (last >= 0) {
				polls.push(since.slice(0, last + 1));
				return since.slice(0, last + 1);
			}
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		throw new Error(`no complete poll within ${timeoutMs} ms`);
	}
	/** After a poll: time for its execution to post what it got. */
	const settle = async () => await new Promise((resolve) => setTimeout(resolve, 5_000));
	const events = () => collector.received.map((c) => `${String(c.item.event)} ${String(c.item.user_id)}`);

	const workflow = () =>
		collectingTriggerWorkflow(
			'exoTrigger',
			{
				name: 'Exotel Users Trigger',
				type: TRIGGER_TYPE,
				typeVersion: 1,
				parameters: { events: ['userAdded', 'userRemoved', 'sipDeviceAdded'], pollTimes: { item: [{ mode: 'everyMinute' }] } },
			},
			collector.url,
		);

	beforeAll(async () => {
		sandbox = await startSandbox({ ...secrets, users: seedUsers(USERS) });
		removed = structuredClone([...sandbox.users.values()][20]);
		collector = await startCollector();
		folder = await N8nFolder.create('v2', 'custom');
		await folder.importCredentials(sandboxCredential(secrets, sandbox.url));
		await folder.importWorkflows([workflow()]);
	}, 300_000);

	afterAll(async () => {
		await n8n?.stop();
		await collector?.stop();
		await sandbox?.stop();
		folder?.remove();
	});

	it('publishing: the first poll records the account and starts nothing', async () => {
		n8n = await startN8n(folder, await freePort());
		const from = sandbox.requests.length;
		await activateWorkflow(n8n.rest, 'exoTrigger');
		const poll = await nextPoll(from);
		await settle();
		expect(poll.map((r) => [r.query.offset, r.query.limit, r.query.fields, r.status])).toEqual(
			Array.from({ length: PAGES }, (_, i) => [String(i * 50), '50', 'devices', 200]),
		);
		expect(collector.received).toEqual([]);
	}, 180_000);

	it('a user added and one removed, the first page answered 503: one execution, each event once', async () => {
		sandbox.users.set(added.id, added);
		sandbox.users.delete(removed.id);
		sandbox.faults.add({ kind: 'status', status: 503, route: 'GET users', times: 1 });
		const from = sandbox.requests.length;
		const poll = await nextPoll(from);
		await collector.waitFor(2, 30_000);
		await settle();
		expect(poll.map((r) => [r.query.offset, r.status])).toEqual([['0', 503], ...Array.from({ length: PAGES }, (_, i) => [String(i * 50), 200])]);
		expect(events().sort()).toEqual([`userAdded ${added.id}`, `userRemoved ${removed.id}`].sort());
		expect(new Set(collector.received.map((c) => c.execution)).size).toBe(1);
		const [addedItem] = collector.received.filter((c) => c.item.event === 'userAdded').map((c) => c.item);
		expect(addedItem).toMatchObject({ id: added.id, email: added.email, sip_username: added.devices[0].contact_uri.replace(/^sip:/, '') });
		// The removal was confirmed with one lookup of that user (404) before it was reported.
		expect(sandbox.requests.slice(from).filter((r) => r.method === 'GET' && r.segments.at(-2) === 'users').map((r) => [r.segments.at(-1), r.status])).toEqual([
			[removed.id, 404],
		]);
	}, 180_000);

	it('n8n restarted with a user added while it was down: reported once at start-up, nothing repeated, then nothing', async () => {
		await n8n!.stop();
		n8n = undefined;
		sandbox.users.set(addedWhileDown.id, addedWhileDown);
		const from = sandbox.requests.length;
		n8n = await startN8n(folder, await freePort());
		const startup = await nextPoll(from);
		await collector.waitFor(3, 30_000);
		await settle();
		expect(startup.filter((r) => r.status === 200)).toHaveLength(PAGES);
		expect(events().slice(2)).toEqual([`userAdded ${addedWhileDown.id}`]);
		const scheduled = await nextPoll(sandbox.requests.length);
		await settle();
		expect(scheduled.map((r) => r.status)).toEqual(Array.from({ length: PAGES }, () => 200));
		expect(events()).toHaveLength(3);
	}, 240_000);

	it('reads ⌈users ÷ 50⌉ pages every poll (237 users: 5), and no secret reaches an item', () => {
		expect(polls.map((p) => p.filter((r) => r.status === 200).length)).toEqual(polls.map(() => PAGES));
		const everything = JSON.stringify(collector.received);
		expect(everything).not.toContain(secrets.apiToken);
		expect(everything).not.toContain(secrets.apiKey);
	});

	it('the example co-worker added → SIP password → email, fed the item the trigger emitted: one email with the SIP user name and the password Exotel received', async () => {
		await n8n?.stop();
		n8n = undefined;
		const mailbox = await startMailbox();
		try {
			const item = collector.received.find((c) => c.item.event === 'userAdded' && c.item.user_id === added.id)!.item;
			await folder.importCredentials(smtpCredential(smtpCredentialData(mailbox), { id: 'smtpMailbox0001', name: 'SMTP (your mail server)' }));
			await folder.importWorkflows([runnableExample('coworker-added.json', 'exoExCoworker', NODE_TYPE.custom, [item])]);
			const from = sandbox.requests.length;
			const run = await folder.execute('exoExCoworker');
			expect(run.error).toBeUndefined();
			const puts = sandbox.requests.slice(from).filter((r) => r.method === 'PUT');
			expect(puts.map((r) => `${r.url} ${r.status}`)).toEqual([`/v2/accounts/${secrets.accountSid}/users/${added.id}/devices/${added.devices[0].id}/password 200`]);
			const [mail, ...more] = await mailbox.waitFor(1, 30_000);
			expect(more).toEqual([]);
			expect(mail.to).toEqual([String(added.email).toLowerCase()]);
			expect(mail.text).toContain(`SIP user name: ${added.devices[0].contact_uri.replace(/^sip:/, '')}`);
			const password = /SIP password: (\S+)/.exec(mail.text)?.[1] ?? '';
			expect(sandbox.fingerprint(password)).toBe((puts[0].body as { password: string }).password);
		} finally {
			await mailbox.close();
		}
	}, 180_000);
});
