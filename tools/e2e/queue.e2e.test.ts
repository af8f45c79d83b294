/**
 * The queue-mode tier: the package in n8n 2.41.1's queue mode (scaling mode), all on loopback and
 * all started here — a throw-away PostgreSQL and Redis (Debian's packages, tools/dev/services), one
 * n8n main process and two workers sharing them and one encryption key, the package installed
 * as a community package in each process's own user folder the way the README says
 * (`npm install … --legacy-peer-deps` in `~/.n8n/nodes`), and the Exotel sandbox as Exotel.
 *
 *   a. The HR onboarding and ticket examples, published and called through their production
 *      webhook URLs on the main with their Header Auth, are executed by a worker (the test says
 *      which); so is a workflow that sets a password read from the workers' environment.
 *   b. Three bulk rotations started at once on one account that allows 60 requests in any
 *      minute and sends no rate-limit headers, each node set to Requests per Minute = 60 ÷ 2
 *      workers: every user gets exactly one output item and exactly one password change; 429s
 *      are counted and reported.
 *   d. Three rotations at once, at default settings, on an account that sends Exotel's
 *      X-RateLimit-* headers (fixed minutes, a small limit so the case takes a few minutes): the
 *      two workers share the account through the headers alone — 429s ≤ 1 %, every full minute
 *      ≥ 0.9 of the limit, nothing lost.
 *   c. With the pruning setting the README recommends (EXECUTIONS_DATA_PRUNE_HARD_DELETE_INTERVAL=1):
 *      the generated passwords, which queue mode writes into execution_data for webhook-started
 *      runs even when successful executions are not saved, are gone once n8n's next hard-delete
 *      has run; then a pg_dump of n8n's database, every key and value in Redis, every process's
 *      console output and every file in their user folders hold neither the API token nor any
 *      password.
 *
 * Run: `bash tools/dev/services/install.sh && bash tools/dev/n8n/runtime.sh install && npm run build &&
 * npx jest -c tools/jest.e2e.config.js --runInBand tools/e2e/queue.e2e.test.ts`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import {
	newPasswordKey,
	postWebhook,
	smtpCredential,
	WEBHOOK_AUTH,
	webhookAuthCredential,
} from '../dev/n8n/examples';
import { packPackage, ROOT } from '../dev/n8n/n8n';
import { QueueCluster, type ExecutionRecord } from '../dev/queue/cluster';
import { startPasswordTap, type PasswordTap } from '../dev/queue/passwordTap';
import { envPasswordWorkflow, example, rotationWorkflow } from '../dev/queue/workflows';
import { startPostgres, type Postgres } from '../dev/services/postgres';
import { startRedis, type Redis } from '../dev/services/redis';
import { manyUsers, seedUsers, startSandbox, type ExotelSandbox } from '../dev/sandbox/server';
import { smtpCredentialData, startMailbox, type Mailbox } from '../dev/smtp/mailbox';
import { ExecutionDataWatch } from './support/executionDataWatch';
import { postJson } from './support/postJson';

const run = promisify(execFile);

const WORKERS = 2;
/** The bulk account's limit: requests in any rolling minute (Exotel's window). */
const ACCOUNT_LIMIT = 60;
/** What the README advises with several workers: the account's limit divided by the number of workers. */
const REQUESTS_PER_MINUTE = ACCOUNT_LIMIT / WORKERS;
const ROTATIONS = 3;
const USERS_PER_ROTATION = 40;
/** The headers account's limit per (fixed) minute: small, so that three full minutes pass in a few. */
const HEADERS_LIMIT = 20;
/** Enough for the first (partial) minute, two full ones and a last: 3 rotations of 20. */
const HEADERS_USERS_PER_ROTATION = 20;
/** The README's recommendation for workflows whose items carry generated passwords. */
const PRUNING = { EXECUTIONS_DATA_PRUNE_HARD_DELETE_INTERVAL: '1' };
const PASSWORD_ROUTE = 'PUT users/:userId/devices/:deviceId/password';

const [ASHA, VIKRAM] = seedUsers();
const BULK_USERS = manyUsers(ROTATIONS * USERS_PER_ROTATION);
const HEADERS_USERS = manyUsers(ROTATIONS * HEADERS_USERS_PER_ROTATION);

const examplesAccount = {
	apiKey: `qk-${randomBytes(3).toString('hex')}`,
	apiToken: `qtoken-${randomBytes(12).toString('hex')}`,
	accountSid: `qx${randomBytes(3).toString('hex')}`,
	passwordKey: newPasswordKey(),
};
/** What the examples' webhook callers send in WEBHOOK_AUTH.header. */
const WEBHOOK_SECRET = randomBytes(24).toString('base64url');
const bulkAccount = {
	apiKey: `qb-${randomBytes(3).toString('hex')}`,
	apiToken: `qbtoken-${randomBytes(12).toString('hex')}`,
	accountSid: `qb${randomBytes(3).toString('hex')}`,
};
const EXAMPLES_CREDENTIAL = { id: 'queueExamples01', name: 'Exotel (examples account)' };
const BULK_CREDENTIAL = { id: 'queueBulk000001', name: 'Exotel (bulk account)' };
const headersAccount = {
	apiKey: `qh-${randomBytes(3).toString('hex')}`,
	apiToken: `qhtoken-${randomBytes(12).toString('hex')}`,
	accountSid: `qh${randomBytes(3).toString('hex')}`,
};
const HEADERS_CREDENTIAL = {
	id: 'queueHeaders001',
	name: 'Exotel (account with rate-limit headers)',
};
/** Given to the workers through their environment; the workflow reads it with $env. */
const ENV_PASSWORD = `Env-${randomBytes(5).toString('hex')}-Pw7`;

/** What the test reports at the end. */
const report: string[] = [];
const note = (line: string) => report.push(line);

describe(`n8n 2.41.1 in queue mode: main + ${WORKERS} workers, PostgreSQL, Redis`, () => {
	let postgres: Postgres | undefined;
	let redis: Redis | undefined;
	let sandbox: ExotelSandbox | undefined;
	let mailbox: Mailbox | undefined;
	let bulk: ExotelSandbox | undefined;
	let examplesTap: PasswordTap | undefined;
	let bulkTap: PasswordTap | undefined;
	let headersSandbox: ExotelSandbox | undefined;
	let headersTap: PasswordTap | undefined;
	let pack: { tarball: string; remove: () => void } | undefined;
	let cluster: QueueCluster;
	const started = Date.now();
	const seconds = () => ((Date.now() - started) / 1000).toFixed(0);

	const allPasswords = () => [
		...new Set([
			...(examplesTap?.passwords ?? []),
			...(bulkTap?.passwords ?? []),
			...(headersTap?.passwords ?? []),
		]),
	];
	/** When each password the node sent was seen in execution_data (sampled every 2 s). */
	const watch = new ExecutionDataWatch(async (sql) => await postgres!.query(sql), allPasswords);

	/** POST to a production webhook (a rotation's answer may take minutes). */
	const post = async (path: string, body: unknown) =>
		await postJson(cluster.webhookUrl(path), body);
	const ranOn = (records: ExecutionRecord[]) =>
		records.map((r) => `execution ${r.executionId} on ${r.process}`).join(', ');

	beforeAll(async () => {
		if (!existsSync(join(ROOT, 'dist', 'nodes', 'ExotelUsers', 'ExotelUsers.node.js')))
			throw new Error('dist/ is missing: run `npm run build` first');
		// Both are idempotent and quick when everything is installed.
		await run('bash', [join(ROOT, 'tools', 'dev', 'services', 'install.sh')]);
		await run('bash', [join(ROOT, 'tools', 'dev', 'n8n', 'runtime.sh'), 'install'], {
			maxBuffer: 64 * 1024 * 1024,
		});

		[postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
		note(
			`PostgreSQL ${postgres.version} on 127.0.0.1:${postgres.port}, Redis on 127.0.0.1:${redis.port}`,
		);
		sandbox = await startSandbox({ ...examplesAccount, users: seedUsers() });
		mailbox = await startMailbox();
		bulk = await startSandbox({
			...bulkAccount,
			users: BULK_USERS,
			rateLimit: { limit: ACCOUNT_LIMIT, windowMs: 60_000, headers: false },
		});
		headersSandbox = await startSandbox({
			...headersAccount,
			users: HEADERS_USERS,
			rateLimit: { limit: HEADERS_LIMIT, windowMs: 60_000 },
		});
		headersTap = await startPasswordTap(headersSandbox.url);
		examplesTap = await startPasswordTap(sandbox.url);
		bulkTap = await startPasswordTap(bulk.url);
		pack = await packPackage();

		cluster = await QueueCluster.start({
			postgres,
			redis,
			tarball: pack.tarball,
			workers: WORKERS,
			// Two jobs at most per worker, so that three rotations cannot all land on one worker.
			workerArgs: ['--concurrency=2'],
			env: { ...PRUNING, N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false', EXOTEL_QUEUE_PW: ENV_PASSWORD },
			credentials: [
				{
					...EXAMPLES_CREDENTIAL,
					type: 'exotelUsersApi',
					data: { ...examplesAccount, region: 'custom', baseUrl: examplesTap.url },
				},
				{
					...BULK_CREDENTIAL,
					type: 'exotelUsersApi',
					data: { ...bulkAccount, region: 'custom', baseUrl: bulkTap.url },
				},
				{
					...HEADERS_CREDENTIAL,
					type: 'exotelUsersApi',
					data: { ...headersAccount, region: 'custom', baseUrl: headersTap.url },
				},
				// The examples deliver by email: their Send Email nodes' SMTP credential, at a local mailbox.
				...smtpCredential(smtpCredentialData(mailbox)),
				// The examples' webhooks authenticate their callers (n8n's Header Auth).
				...webhookAuthCredential(WEBHOOK_SECRET),
			],
			workflows: [
				example('hr-onboarding.json', EXAMPLES_CREDENTIAL),
				example('ticket-sip-reset.json', EXAMPLES_CREDENTIAL),
				envPasswordWorkflow(
					'queueEnvReset',
					'queue-env-reset',
					EXAMPLES_CREDENTIAL,
					VIKRAM.id,
					'201',
					'EXOTEL_QUEUE_PW',
				),
				rotationWorkflow('queueRotation', 'queue-rotation', BULK_CREDENTIAL, {
					requestsPerMinute: REQUESTS_PER_MINUTE,
				}),
				rotationWorkflow('queueHeadersRot', 'queue-headers-rotation', HEADERS_CREDENTIAL, {}),
			],
			activate: [
				'exoExampleOnboard',
				'exoExampleTicket',
				'queueEnvReset',
				'queueRotation',
				'queueHeadersRot',
			],
			onProgress: (line) => note(line),
		});
		note(`[${seconds()} s] n8n main on ${cluster.url}, ${WORKERS} workers ready`);
		watch.start(2000);
	}, 300_000);

	afterAll(async () => {
		await watch.stop();
		const stops = [
			cluster?.stop(),
			mailbox?.close(),
			examplesTap?.stop(),
			bulkTap?.stop(),
			headersTap?.stop(),
			sandbox?.stop(),
			bulk?.stop(),
			headersSandbox?.stop(),
		];
		await Promise.allSettled(stops);
		await Promise.allSettled([postgres?.stop(), redis?.stop()]);
		pack?.remove();
		note(`[${seconds()} s] everything stopped and removed`);
		console.log(`Queue-mode tier report\n${report.join('\n')}`);
	}, 120_000);

	it('a. runs the HR onboarding and ticket examples from their production webhooks on a worker, and a password from the workers’ environment', async () => {
		const auth = { [WEBHOOK_AUTH.header]: WEBHOOK_SECRET };
		const hire = await postWebhook(
			cluster.webhookUrl('exotel-new-hire'),
			{
				employee_id: 'E-2041',
				first_name: 'Farah',
				last_name: 'Khan',
				email: 'farah.khan@example.com',
			},
			15_000,
			auth,
		);
		// HR onboarding answers once the user exists; the co-worker workflow mails the first password (not published here).
		expect(hire.status).toBe(200);
		expect(hire.json).toMatchObject({ employee_id: 'E-2041', status: 'done' });
		const ticket = await postWebhook(
			cluster.webhookUrl('exotel-reset-softphone'),
			{ ticket_id: 'T-1042', requester_email: ASHA.email },
			15_000,
			auth,
		);
		expect(ticket.status).toBe(200);
		expect(ticket.json).toEqual({
			ticket_id: 'T-1042',
			status: 'done',
			message: 'A new softphone password was sent to you privately.',
		});
		const fromEnv = await post('queue-env-reset', {});
		expect(fromEnv.status).toBe(200);
		expect(fromEnv.json).toMatchObject({
			method: 'PUT',
			http_code: 200,
			response: { status: 'success' },
		});

		const onboarding = await cluster.waitForExecutions('exoExampleOnboard', 1, 60_000);
		const reset = await cluster.waitForExecutions('exoExampleTicket', 1, 60_000);
		const env = await cluster.waitForExecutions('queueEnvReset', 1, 60_000);
		for (const record of [...onboarding, ...reset, ...env]) {
			expect(record.process).toMatch(/^worker-\d$/);
			expect(record.success).toBe(true);
		}
		expect(cluster.main.log()).not.toMatch(/Worker started execution/);
		note(
			`a. HR onboarding: ${ranOn(onboarding)}; ticket: ${ranOn(reset)}; password from $env: ${ranOn(env)}`,
		);

		// What Exotel (the sandbox) got: the new hire exists (id in the answer); the ticket's and the $env password are the ones the node sent.
		const farah = [...sandbox!.users.values()].find((u) => u.email === 'farah.khan@example.com');
		expect(farah).toBeDefined();
		expect(hire.json.user_id).toBe(farah!.id);
		const sent = examplesTap!.passwords;
		expect(sent).toHaveLength(2);
		expect(sent).toContain(ENV_PASSWORD);
		expect(sent.map((p) => sandbox!.fingerprint(p))).toEqual(
			expect.arrayContaining([
				sandbox!.passwordOf(ASHA.id, '101'),
				sandbox!.passwordOf(VIKRAM.id, '201'),
			]),
		);
		expect(sandbox!.passwordOf(VIKRAM.id, '201')).toBe(sandbox!.fingerprint(ENV_PASSWORD));
		for (const answer of [JSON.stringify(hire.json), JSON.stringify(ticket.json), fromEnv.text])
			for (const password of sent) expect(answer).not.toContain(password);
		// Delivered first: the ticket's requester got the very password Exotel holds.
		const mailed = mailbox!.to(ASHA.email!).map((m) => m.text);
		expect(
			mailed.some((text) =>
				sent.some(
					(p) =>
						text.includes(p) && sandbox!.fingerprint(p) === sandbox!.passwordOf(ASHA.id, '101'),
				),
			),
		).toBe(true);
	}, 120_000);

	it(`b. three bulk rotations at once on one account limited to ${ACCOUNT_LIMIT}/min: one output and one password change per user, nothing lost`, async () => {
		const batches = Array.from({ length: ROTATIONS }, (_, r) =>
			BULK_USERS.slice(r * USERS_PER_ROTATION, (r + 1) * USERS_PER_ROTATION),
		);
		const began = Date.now();
		const answers = await Promise.all(
			batches.map(
				async (users) =>
					await post('queue-rotation', {
						users: users.map((u) => ({ id: u.id, device: u.devices[0].id })),
					}),
			),
		);
		const took = (Date.now() - began) / 1000;
		const executions = await cluster.waitForExecutions('queueRotation', ROTATIONS, 30_000);

		answers.forEach((answer, r) => {
			expect(answer.status).toBe(200);
			const reports = answer.json as Array<{
				index: number;
				user: string;
				ok: boolean;
				error: string | null;
				generated: boolean;
			}>;
			// One output item per input item, in order and paired back to its user, each a success with a generated password.
			expect(reports.map((item) => item.user)).toEqual(batches[r].map((u) => u.id));
			expect(reports.filter((item) => !item.ok)).toEqual([]);
			expect(reports.every((item) => item.generated)).toBe(true);
		});

		// Each user's password changed exactly once, to a password the node sent.
		const accepted = bulk!.requests.filter(
			(r) => r.method === 'PUT' && r.segments.at(-1) === 'password' && r.status === 200,
		);
		const changes = new Map<string, number>();
		for (const request of accepted)
			changes.set(request.segments[4], (changes.get(request.segments[4]) ?? 0) + 1);
		expect([...changes.keys()].sort()).toEqual(BULK_USERS.map((u) => u.id).sort());
		expect([...changes.values()].every((count) => count === 1)).toBe(true);
		const sentFingerprints = new Set(bulkTap!.passwords.map((p) => bulk!.fingerprint(p)));
		for (const user of BULK_USERS)
			expect(sentFingerprints.has(bulk!.passwordOf(user.id, user.devices[0].id)!)).toBe(true);

		expect(new Set(executions.map((e) => e.process)).size).toBe(WORKERS);
		const stats = bulk!.stats({ route: PASSWORD_ROUTE });
		const all = bulk!.stats();
		note(
			`b. ${ROTATIONS} rotations × ${USERS_PER_ROTATION} users, Requests per Minute ${REQUESTS_PER_MINUTE} per node, account limit ${ACCOUNT_LIMIT}/min: ` +
				`${ranOn(executions)}; ${all.total} requests, ${all.byStatus[429] ?? 0} answered 429 ` +
				`(${(((all.byStatus[429] ?? 0) / all.total) * 100).toFixed(1)} %), ${stats.byStatus[200] ?? 0} passwords set; all three answered within ${took.toFixed(0)} s`,
		);
	}, 420_000);

	it(`d. three rotations at default settings on an account sending Exotel’s rate-limit headers (${HEADERS_LIMIT}/min): shared by the workers, ≤ 1 % 429s, every full minute ≥ 0.9 of the limit`, async () => {
		const batches = Array.from({ length: ROTATIONS }, (_, r) =>
			HEADERS_USERS.slice(r * HEADERS_USERS_PER_ROTATION, (r + 1) * HEADERS_USERS_PER_ROTATION),
		);
		const began = Date.now();
		const answers = await Promise.all(
			batches.map(
				async (users) =>
					await post('queue-headers-rotation', {
						users: users.map((u) => ({ id: u.id, device: u.devices[0].id })),
					}),
			),
		);
		const took = (Date.now() - began) / 1000;
		const executions = await cluster.waitForExecutions('queueHeadersRot', ROTATIONS, 30_000);

		answers.forEach((answer, r) => {
			expect(answer.status).toBe(200);
			const reports = answer.json as Array<{ user: string; ok: boolean }>;
			expect(reports.map((item) => item.user)).toEqual(batches[r].map((u) => u.id));
			expect(reports.filter((item) => !item.ok)).toEqual([]);
		});
		const requests = headersSandbox!.requests;
		const refused = requests.filter((r) => r.status === 429).length;
		const perMinute = new Map<number, number>();
		for (const r of requests.filter((q) => q.status === 200))
			perMinute.set(
				Math.floor(r.receivedAt / 60_000),
				(perMinute.get(Math.floor(r.receivedAt / 60_000)) ?? 0) + 1,
			);
		const minutes = [...perMinute.keys()].sort((a, b) => a - b);
		const inner = minutes.slice(1, -1).map((m) => (perMinute.get(m) ?? 0) / HEADERS_LIMIT);
		note(
			`d. ${ROTATIONS} rotations × ${HEADERS_USERS_PER_ROTATION} users at default settings, account limit ${HEADERS_LIMIT}/min with X-RateLimit-* headers: ` +
				`${ranOn(executions)}; ${requests.length} requests, ${refused} answered 429 (${((refused / requests.length) * 100).toFixed(1)} %); ` +
				`accepted per minute ${minutes.map((m) => perMinute.get(m)).join(', ')} (full minutes ÷ limit: ${inner.map((x) => x.toFixed(2)).join(', ')}); all answered within ${took.toFixed(0)} s`,
		);
		expect(new Set(executions.map((e) => e.process)).size).toBe(WORKERS);
		expect(refused / requests.length).toBeLessThanOrEqual(0.01);
		expect(inner.length).toBeGreaterThanOrEqual(1);
		for (const share of inner) expect(share).toBeGreaterThanOrEqual(0.9);
		expect(requests.filter((r) => r.status === 200)).toHaveLength(HEADERS_USERS.length);
	}, 420_000);

	it('c. leaves neither the API token nor any password in PostgreSQL, Redis or any process’s log or files', async () => {
		// Queue mode writes a webhook-started run's items (generated passwords included) into
		// execution_data even when successful executions are not saved; n8n marks the execution
		// deleted and its hard-delete removes it, every EXECUTIONS_DATA_PRUNE_HARD_DELETE_INTERVAL minutes.
		const waitStart = Date.now();
		// A control for the search below: right after the rotations, before n8n's next hard-delete, a dump does show them.
		const dumpBefore = await postgres!.dump();
		const inDumpBefore = allPasswords().filter((p) => dumpBefore.includes(p)).length;
		for (;;) {
			const left = Number((await postgres!.query('SELECT count(*) FROM execution_entity')).trim());
			if (left === 0) break;
			if (Date.now() - waitStart > 100_000)
				throw new Error(`${left} execution(s) still in the database 100 s after the last run`);
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
		await watch.sampleNow();
		const waited = (Date.now() - waitStart) / 1000;
		const passwords = allPasswords();
		expect(passwords.length).toBeGreaterThanOrEqual(2 + ROTATIONS * USERS_PER_ROTATION);
		const stays = [...watch.residence.values()].map((r) => (r.lastSeen - r.firstSeen) / 1000);
		note(
			`c. ${watch.residence.size} of ${passwords.length} passwords were seen in execution_data (soft-deleted runs) before n8n's hard-delete; ` +
				`longest seen ${Math.max(0, ...stays).toFixed(0)} s (sampled every 2 s); a pg_dump right after the rotations held ${inDumpBefore}; ` +
				`the last ones left ${waited.toFixed(0)} s after the rotations ended`,
		);
		// The behaviour the README describes: the data was there, and was gone within the interval (+ sampling and margin).
		expect(watch.residence.size).toBeGreaterThan(0);
		expect(Math.max(...stays)).toBeLessThan(100);

		const sources = [
			{ name: 'pg_dump of the n8n database', text: await postgres!.dump() },
			{ name: 'every key and value in Redis', text: await redis!.dumpText() },
			{ name: 'PostgreSQL server output', text: postgres!.log() },
			{ name: 'Redis server output', text: redis!.log() },
			...cluster
				.everythingWritten()
				.map((w) => ({ name: `${w.process}: ${w.source}`, text: w.text })),
		];
		expect(sources[0].text).toMatch(/CREATE TABLE public\.execution_data/); // the dump is real
		expect(sources[1].text).toMatch(/n8n:cache:webhook:POST-queue-rotation/); // so is the Redis one
		const secrets = [
			{ label: 'API token (examples account)', value: examplesAccount.apiToken },
			{ label: 'API token (bulk account)', value: bulkAccount.apiToken },
			{ label: 'API token (headers account)', value: headersAccount.apiToken },
			{ label: 'password from the environment', value: ENV_PASSWORD },
			{ label: 'SIP Password Key (examples account)', value: examplesAccount.passwordKey },
			{ label: 'the webhooks’ Header Auth value', value: WEBHOOK_SECRET },
			...passwords.map((value, i) => ({ label: `password #${i + 1} the node sent`, value })),
		];
		const found = secrets.flatMap((secret) =>
			sources
				.filter((s) => s.text.includes(secret.value))
				.map((s) => `${secret.label} in ${s.name}`),
		);
		note(
			`c. searched ${sources.length} sources (${(sources.reduce((n, s) => n + s.text.length, 0) / 1024).toFixed(0)} KiB) for ${secrets.length} secrets: ${found.length} found`,
		);
		expect(found).toEqual([]);
	}, 200_000);
});
