/**
 * The Exotel Users Trigger in a real n8n 2.41.1 (Node 24), the node loaded from dist/
 * (CUSTOM.exotelUsersTrigger): two published workflows, each with a trigger polling every
 * minute (n8n's shortest interval) at second 0, on ONE Exotel account of 2,040 users (41 pages), their items
 * posted by an HTTP Request node to a collector per workflow. Run twice at once, in two n8n:
 *
 *   - n8n's own timers (the durable scheduler off, n8n's default);
 *   - n8n's durable scheduler with durable cursors (N8N_SCHEDULER_ENABLED,
 *     N8N_SCHEDULER_POLL_TRIGGERS_ENABLED, N8N_POLLER_DURABLE_CURSORS_ENABLED), where a poll
 *     longer than 45 s is abandoned.
 *
 * What happens, minute by minute (M = the minute of publication):
 *   M+0  Publish both: each activation poll reads at most 25 pages (the first part of its
 *        baseline pass), so both publications succeed well inside n8n's 84 s (the activation
 *        polls of both took 2 s here; at Exotel's real pace, 25 requests take 30 s at most).
 *   M+1  Each trigger reads the last 16 pages: its baseline is complete. Then two users are
 *        added (last in the listing) and two removed (one early, one late: everyone after moves
 *        up a place across the pages, as in Exotel).
 *   M+2  Pages 1–25 of the next pass.
 *   M+3  The last pages (the new users: User Added), then a look-up of each user the pass did
 *        not see (404: User Removed; found: kept).
 *   M+4  One more poll: nothing is repeated (a lost commit would repeat M+3 here).
 * Each trigger fires each add and remove exactly once. Meanwhile examples/coworker-added.json,
 * fed a User Added item a trigger emitted, runs with `n8n execute` in a third n8n folder: the
 * co-worker gets one email with their SIP user name and the password Exotel received.
 *
 * Time: 4.6 to 6.2 minutes on 2 busy cores, the two n8n side by side. The sandbox's rate window is
 * scaled from a minute to 20 s (50 requests per 20 s, with Exotel's rate-limit headers, which
 * the node follows), so that two triggers' polls fit a minute; n8n's own limits are its real
 * ones (45 s scheduler timeout, 84 s publication, 1-minute polls). The bounds that keep any
 * account inside those limits are the trigger's own and do not depend on the pace: at most 25
 * requests and 30 s a poll, which the checks below read from the sandbox's records.
 */
import { randomBytes } from 'node:crypto';

import { startCollector, type Collector } from '../dev/n8n/collector';
import { freePort, N8nFolder, NODE_TYPE } from '../dev/n8n/n8n';
import { startN8n, type RunningN8n } from '../dev/n8n/server';
import {
	activateWorkflow,
	collectingTriggerWorkflow,
	runnableExample,
	sandboxCredential,
	smtpCredential,
} from '../dev/n8n/workflows';
import { smtpCredentialData, startMailbox } from '../dev/smtp/mailbox';
import {
	manyUsers,
	seedUsers,
	startSandbox,
	type ExotelSandbox,
	type RecordedRequest,
	type User,
} from '../dev/sandbox/server';

const USERS = 2_040;
const LAST_OFFSET = Math.floor((USERS - 1) / 50) * 50; // 2,000: page 41
const TRIGGER_TYPE = NODE_TYPE.custom.replace(/exotelUsers$/, 'exotelUsersTrigger');
const MINUTE = 60_000;

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
const untilSecond = async (from: number, to: number) => {
	while (new Date().getSeconds() < from || new Date().getSeconds() > to) await sleep(250);
};

interface Mode {
	name: string;
	id: string;
	env: Record<string, string>;
}

const MODES: Mode[] = [
	{ name: 'n8n’s own timers (durable scheduler off)', id: 'Off', env: {} },
	{
		name: 'the durable scheduler with durable cursors',
		id: 'On',
		env: {
			N8N_SCHEDULER_ENABLED: 'true',
			N8N_SCHEDULER_POLL_TRIGGERS_ENABLED: 'true',
			N8N_POLLER_DURABLE_CURSORS_ENABLED: 'true',
		},
	},
];

/** One n8n with two trigger workflows on one account, and what happened to them. */
class Run {
	readonly secrets = {
		apiKey: `trg-key-${randomBytes(3).toString('hex')}`,
		apiToken: `trg-token-${randomBytes(12).toString('hex')}`,
		accountSid: `trg${randomBytes(3).toString('hex')}`,
	};

	sandbox!: ExotelSandbox;

	readonly collectors: Collector[] = [];

	folder!: N8nFolder;

	n8n?: RunningN8n;

	added: User[] = [];

	removed: string[] = [];

	publishMs: number[] = [];

	publishAnswers: string[] = [];

	constructor(readonly mode: Mode) {}

	workflowId = (i: number) => `exoTrg${this.mode.id}${'AB'[i]}`;

	async prepare(): Promise<void> {
		this.sandbox = await startSandbox({
			...this.secrets,
			users: seedUsers(USERS),
			rateLimit: { limit: 50, windowMs: 20_000 },
		});
		for (let i = 0; i < 2; i++) this.collectors.push(await startCollector());
		this.folder = await N8nFolder.create('v2', 'custom', this.mode.env);
		await this.folder.importCredentials(sandboxCredential(this.secrets, this.sandbox.url));
		await this.folder.importWorkflows(
			this.collectors.map((collector, i) =>
				collectingTriggerWorkflow(
					this.workflowId(i),
					{
						name: 'Exotel Users Trigger',
						type: TRIGGER_TYPE,
						typeVersion: 1,
						// Every minute at second 0 (a custom cron): with Every Minute, n8n picks a random second per
						// trigger, which can put a tick right after publication, when the activation polls are still
						// paging; on the minute, each minute's listings are that tick's polls and nothing else.
						parameters: {
							events: ['userAdded', 'userRemoved', 'sipDeviceAdded'],
							pollTimes: { item: [{ mode: 'custom', cronExpression: '0 * * * * *' }] },
						},
					},
					collector.url,
				),
			),
		);
		this.n8n = await startN8n(this.folder, await freePort());
	}

	listings = () =>
		this.sandbox.requests.filter((r) => r.method === 'GET' && r.segments.at(-1) === 'users');

	/** Waits until `count` listings of the last page have been answered (a trigger reached the end of a pass). */
	async lastPages(count: number, timeoutMs: number): Promise<void> {
		for (
			const started = Date.now();
			this.listings().filter((r) => r.query.offset === String(LAST_OFFSET) && r.status === 200)
				.length < count;

		) {
			if (Date.now() - started > timeoutMs)
				throw new Error(
					`${this.mode.name}: fewer than ${count} passes reached the last page within ${timeoutMs} ms`,
				);
			await sleep(500);
		}
	}

	/**
	 * The listings in bursts: less than 10 s between requests, within one minute (polls start at
	 * second 0 and last at most 30 s). Each holds the polls of one tick, both triggers' (or, in the
	 * minute of publication, both activation polls, one after the other).
	 */
	bursts(): RecordedRequest[][] {
		const bursts: RecordedRequest[][] = [];
		for (const r of this.listings()) {
			const last = bursts.at(-1)?.at(-1);
			const sameBurst =
				last &&
				r.receivedAt - last.receivedAt < 10_000 &&
				Math.floor(r.receivedAt / MINUTE) === Math.floor(last.receivedAt / MINUTE);
			if (sameBurst) bursts.at(-1)!.push(r);
			else bursts.push([r]);
		}
		return bursts;
	}

	events = (i: number) =>
		this.collectors[i].received.map((c) => `${String(c.item.event)} ${String(c.item.user_id)}`);

	/** Publish at M+0, baseline complete at M+1, the account changes, the changes arrive by M+3, and one more poll. */
	async scenario(onUserAdded: (item: Record<string, unknown>) => void): Promise<void> {
		// Early in a minute, so that the activation polls end before the first tick.
		await untilSecond(1, 20);
		for (let i = 0; i < 2; i++) {
			const started = Date.now();
			await activateWorkflow(this.n8n!.rest, this.workflowId(i));
			this.publishMs.push(Date.now() - started);
			const { active, activeVersionId } = (
				await this.n8n!.rest('GET', `/rest/workflows/${this.workflowId(i)}`)
			).json.data as { active?: boolean; activeVersionId?: string };
			this.publishAnswers.push(JSON.stringify({ active, activeVersionId }));
		}
		// Both baselines complete: each trigger has read the last page once.
		await this.lastPages(2, 2 * MINUTE + 30_000);
		const ids = [...this.sandbox.users.keys()];
		this.removed = [ids[30], ids[1_900]];
		for (const id of this.removed) this.sandbox.users.delete(id);
		// Users the sandbox does not have (its 2,040 are the named three and manyUsers(2,037)).
		this.added = manyUsers(USERS - 1)
			.slice(USERS - 3)
			.map((u) => structuredClone(u) as User);
		for (const user of this.added) this.sandbox.users.set(user.id, user);
		// Each trigger: 2 added, 2 removed.
		await Promise.all(
			this.collectors.map(async (collector) => await collector.waitFor(4, 3 * MINUTE + 30_000)),
		);
		const item = this.collectors[0].received.find((c) => c.item.event === 'userAdded')?.item;
		if (item) onUserAdded(item);
		// The poll after: a lost commit would repeat the last events here.
		const after = this.listings().length;
		for (
			const started = Date.now();
			this.listings().length < after + 2 && Date.now() - started < 1.5 * MINUTE;

		)
			await sleep(500);
		await sleep(15_000);
	}

	async stop(): Promise<void> {
		await this.n8n?.stop();
		for (const collector of this.collectors) await collector.stop();
		await this.sandbox?.stop();
		this.folder?.remove();
	}
}

/** examples/coworker-added.json fed a User Added item, in an n8n folder of its own, against `run`'s sandbox. */
async function runExample(run: Run, item: Record<string, unknown>) {
	const mailbox = await startMailbox();
	const folder = await N8nFolder.create('v2', 'custom');
	try {
		await folder.importCredentials(sandboxCredential(run.secrets, run.sandbox.url));
		await folder.importCredentials(
			smtpCredential(smtpCredentialData(mailbox), {
				id: 'smtpMailbox0001',
				name: 'SMTP (your mail server)',
			}),
		);
		await folder.importWorkflows([
			runnableExample('coworker-added.json', 'exoExCoworker', NODE_TYPE.custom, [item]),
		]);
		const from = run.sandbox.requests.length;
		const result = await folder.execute('exoExCoworker');
		const puts = run.sandbox.requests.slice(from).filter((r) => r.method === 'PUT');
		const mails = await mailbox.waitFor(1, 30_000).catch(() => []);
		await sleep(1_000);
		return { error: result.error, puts, mails: [...mails] };
	} finally {
		await mailbox.close();
		folder.remove();
	}
}

describe('Exotel Users Trigger in a real n8n 2.41.1: two triggers on one 2,040-user account, polling every minute', () => {
	const runs = MODES.map((mode) => new Run(mode));
	let example: Awaited<ReturnType<typeof runExample>> | undefined;
	let exampleItem: Record<string, unknown> | undefined;

	beforeAll(async () => {
		await Promise.all(runs.map(async (run) => await run.prepare()));
	}, 300_000);

	afterAll(async () => {
		const report = runs.map((run) => {
			const bursts = run
				.bursts()
				.map(
					(b) =>
						`${b.length} requests in ${Math.round((b.at(-1)!.receivedAt - b[0].receivedAt) / 1000)} s`,
				);
			return `${run.mode.name}: published in ${run.publishMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(' and ')}; events ${run.collectors.map((c) => c.received.length).join(' + ')}; listings by tick: ${bursts.join(', ')}`;
		});
		console.log(`Trigger tier report\n${report.join('\n')}`);
		await Promise.all(runs.map(async (run) => await run.stop()));
	});

	it(
		'publishes both triggers in each n8n and reads the account until every change has arrived (both n8n side by side)',
		async () => {
			let exampleRun: Promise<Awaited<ReturnType<typeof runExample>>> | undefined;
			await Promise.all(
				runs.map(async (run, i) => {
					await run.scenario((item) => {
						if (i !== 0 || exampleRun) return;
						exampleItem = item;
						exampleRun = runExample(run, item);
					});
				}),
			);
			example = await exampleRun;
		},
		9 * MINUTE,
	);

	describe.each(MODES.map((mode, i) => [mode.name, i] as const))('with %s', (_name, index) => {
		const run = () => runs[index];

		it('published both workflows (n8n answers at once and activates them, its first poll included, in the background): both active, no trigger failed or timed out in n8n’s log', () => {
			expect(run().publishMs).toHaveLength(2);
			expect(Math.max(...run().publishMs)).toBeLessThan(84_000);
			expect(run().publishAnswers.map((a) => JSON.parse(a) as { active: boolean })).toEqual([
				expect.objectContaining({ active: true }),
				expect.objectContaining({ active: true }),
			]);
			const log = run().n8n!.log();
			expect(log).not.toMatch(/partially published|failed to activate|Poll exceeded its timeout/i);
		});

		it('each trigger fired each add and each remove exactly once, and nothing else', () => {
			const want = [
				...run().added.map((u) => `userAdded ${u.id}`),
				...run().removed.map((id) => `userRemoved ${id}`),
			].sort();
			expect(run().events(0).sort()).toEqual(want);
			expect(run().events(1).sort()).toEqual(want);
		});

		it('every poll sent at most 25 requests and ended within 45 s (read from the sandbox: the listings come in bursts, one per tick, both triggers together)', () => {
			const bursts = run().bursts();
			const summary = bursts.map((b) => ({
				at: new Date(b[0].receivedAt).toISOString().slice(11, 19),
				seconds: Math.round((b.at(-1)!.receivedAt - b[0].receivedAt) / 1000),
				requests: b.length,
				fromZero: b.filter((r) => r.query.offset === '0').length,
			}));
			// A poll starts at offset 0 or goes on from its cursor; at most two polls a burst, each of at most 25 requests.
			expect(summary.filter((b) => b.requests > 50 || b.seconds > 45)).toEqual([]);
			expect(bursts.length).toBeGreaterThanOrEqual(5);
			expect(run().sandbox.requests.filter((r) => r.status === 429)).toEqual([]);
		});

		it('no secret reached an item', () => {
			const everything = JSON.stringify(run().collectors.map((c) => c.received));
			expect(everything).not.toContain(run().secrets.apiToken);
			expect(everything).not.toContain(run().secrets.apiKey);
		});
	});

	it('the example co-worker added → SIP password → email, fed a User Added item the trigger emitted: one email with the SIP user name and the password Exotel received', () => {
		expect(exampleItem).toBeDefined();
		const added = runs[0].added.find((u) => u.id === exampleItem?.user_id)!;
		expect(example?.error).toBeUndefined();
		expect(example?.puts.map((r) => `${r.url} ${r.status}`)).toEqual([
			`/v2/accounts/${runs[0].secrets.accountSid}/users/${added.id}/devices/${added.devices[0].id}/password 200`,
		]);
		const [mail, ...more] = example?.mails ?? [];
		expect(more).toEqual([]);
		expect(mail.to).toEqual([String(added.email).toLowerCase()]);
		expect(mail.text).toContain(
			`SIP user name: ${added.devices[0].contact_uri.replace(/^sip:/, '')}`,
		);
		const password = /SIP password: (\S+)/.exec(mail.text)?.[1] ?? '';
		expect(runs[0].sandbox.fingerprint(password)).toBe(
			(example!.puts[0].body as { password: string }).password,
		);
	});
});
