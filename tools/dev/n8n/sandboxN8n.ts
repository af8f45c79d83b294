/**
 * The sandbox and a real n8n (the editor) with the node loaded from `dist/`, the "Exotel
 * sandbox" credential, the example workflows and "Exotel: try it". `npm start`
 * (tools/scripts/start.ts) and the browser tier (tools/e2e/editor.e2e.test.ts) both run this setup.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { SANDBOX_CREDENTIALS } from '../sandbox/cli';
import {
	seedUsers,
	startSandbox,
	type ExotelSandbox,
	type RecordedRequest,
} from '../sandbox/server';
import { smtpCredentialData, startMailbox, type Mailbox } from '../smtp/mailbox';
import {
	activateWorkflow,
	EXAMPLE_IDS,
	loadExample,
	smtpCredential,
	WEBHOOK_AUTH,
} from './examples';
import { freePort, N8nFolder, ROOT } from './n8n';
import { RUNTIME, startN8n, type RunningN8n } from './server';
import { CREDENTIAL, sandboxCredential, type Workflow } from './workflows';

export const DEFAULT_FOLDER = join(ROOT, '.n8n-sandbox');
export const DEFAULT_N8N_PORT = 5678;
export const DEFAULT_SANDBOX_PORT = 4010;

/** The node type when n8n loads `dist/` through N8N_CUSTOM_EXTENSIONS. */
const NODE_TYPE = 'CUSTOM.exotelUsers';

/** Asha Rao, the sandbox's first seeded user, and her SIP device. */
export const TRY_IT = {
	id: 'exoTryItSandbox1',
	name: 'Exotel: try it',
	userId: 'a3f1c2d4e5b60718293a4b5c6d7e8f90',
	deviceId: '101',
	exotelNode: 'Update SIP password',
};

/** n8n's workflow settings that keep no execution of it, so no generated password stays in the history. */
export const SAVES_NO_EXECUTIONS = {
	saveManualExecutions: false,
	saveDataSuccessExecution: 'none',
	saveDataErrorExecution: 'none',
	saveExecutionProgress: false,
} as const;

/**
 * The Header Auth credential the HR and ticket examples' webhooks check: a caller sends
 * `X-Exotel-Webhook-Key: <value>` (WEBHOOK_AUTH, the credential the examples name).
 */
export const WEBHOOK_CALLER_CREDENTIAL = WEBHOOK_AUTH;

/**
 * A secret made once per user folder and kept in it: the webhook callers' value (so the curl
 * lines npm start prints stay valid across restarts) and the sandbox credential's SIP Password
 * Key (so a rotation re-run after a restart derives the same passwords, and its key id matches).
 */
function keptSecret(
	folder: string,
	name: string,
	bytes: number,
	encoding: 'base64url' | 'base64',
): string {
	const file = join(folder, name);
	if (existsSync(file)) return readFileSync(file, 'utf8').trim();
	const secret = randomBytes(bytes).toString(encoding);
	writeFileSync(file, `${secret}\n`, { mode: 0o600 });
	return secret;
}

/**
 * Published at every start: the recovery workflow (the quarterly rotation names it as its error
 * workflow, and n8n 2.x starts only a published one) and the co-worker trigger workflow (HR
 * onboarding creates users and leaves their first password to it).
 */
const ALWAYS_PUBLISHED: string[] = [EXAMPLE_IDS.recovery, EXAMPLE_IDS.coworker];

export const EXAMPLE_FILES = [
	'hr-onboarding.json',
	'ticket-sip-reset.json',
	'quarterly-rotation.json',
	'rotation-recovery.json',
	'coworker-added.json',
];

/** "Exotel: try it": Manual Trigger → Exotel Update SIP Password (generated) for Asha Rao's SIP device. */
export function tryItWorkflow(): Workflow {
	const trigger = 'When clicking ‘Execute workflow’';
	return {
		id: TRY_IT.id,
		name: TRY_IT.name,
		active: false,
		// Saves no execution, manual or not: the generated password is in the node's output.
		settings: { executionOrder: 'v1', ...SAVES_NO_EXECUTIONS },
		nodes: [
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000001',
				name: trigger,
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000002',
				name: TRY_IT.exotelNode,
				type: NODE_TYPE,
				// What a node added today is: version 2 (Device a picker, a Rotation ID).
				typeVersion: 2,
				position: [260, 0],
				parameters: {
					resource: 'user',
					operation: 'updateSipPassword',
					userId: { __rl: true, mode: 'id', value: TRY_IT.userId },
					deviceId: { __rl: true, mode: 'id', value: String(TRY_IT.deviceId) },
					passwordMode: 'generate',
					rotationId: '',
				},
				credentials: { exotelUsersApi: CREDENTIAL },
			},
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000003',
				name: 'About this workflow',
				type: 'n8n-nodes-base.stickyNote',
				typeVersion: 1,
				position: [-60, -300],
				parameters: {
					width: 560,
					height: 260,
					content:
						'## Exotel: try it\n' +
						'1. Click **Execute workflow** (below).\n' +
						`2. Double-click **${TRY_IT.exotelNode}**. The Exotel node has set a new, generated SIP password for ` +
						`Asha Rao (SIP device ${TRY_IT.deviceId}) in the local **Exotel sandbox**; its output is Exotel’s answer — ` +
						'`request_id`, `http_code` 200, `response.status` "success" — and the new `sipPassword` for the next node to deliver.\n\n' +
						'Credential: **Exotel sandbox** (Region: Custom, Base URL: the sandbox). This workflow saves no executions ' +
						'(*Workflow settings*), so the password is not kept in n8n’s execution history.',
				},
			},
		],
		connections: { [trigger]: { main: [[{ node: TRY_IT.exotelNode, type: 'main', index: 0 }]] } },
	};
}

/** An example from examples/, its Exotel nodes retyped for the node loaded as a custom extension. */
export function exampleWorkflow(file: string): Workflow {
	return loadExample(file, NODE_TYPE);
}

/**
 * n8n settings on top of tools/dev/n8n/runtime.sh's offline ones. The "instance AI" module is
 * off: it needs an AI provider, and with it on, the editor's start page (where the sign-in
 * leads) is its "Get started" screen instead of the Overview with the workflows.
 */
const N8N_ENV: Record<string, string> = {
	N8N_DISABLED_MODULES: process.env.N8N_DISABLED_MODULES ?? 'mcp-registry,instance-ai',
};

export interface SandboxN8nOptions {
	/** n8n's port (default 5678). */
	port?: number;
	/** The Exotel sandbox's port (default 4010; 0: any free one); a port in use is an error naming it. */
	sandboxPort?: number;
	/** n8n's user folder (default `.n8n-sandbox/` at the repo root). */
	folder?: string;
	/** Progress lines (default: none). */
	log?: (line: string) => void;
	/** n8n's own output (default: none). */
	onN8nLog?: (text: string) => void;
	/** One line per request the sandbox answered (default: none). */
	onSandboxRequest?: (line: string, request: RecordedRequest) => void;
	/** Called as soon as n8n is spawned, so a caller can stop it while it starts. */
	onN8nSpawn?: (child: ChildProcess) => void;
	/** How many users the sandbox starts with (the three named ones, then generated ones; default: the three). */
	users?: number;
}

export interface SandboxN8n {
	/** The editor's address as printed (http://localhost:PORT). */
	editorUrl: string;
	sandbox: ExotelSandbox;
	folder: N8nFolder;
	n8n: RunningN8n;
	workflows: Array<{ id: string; name: string }>;
	/** The local mailbox the examples' Send Email nodes deliver to (their SMTP credential points here). */
	mailbox: Mailbox;
	/** What a caller of the HR and ticket webhooks sends in the `X-Exotel-Webhook-Key` header. */
	webhookToken: string;
	/** The workflows published after the start: those published before it, recovery and the co-worker trigger. */
	published: string[];
	/** Stops n8n (its process group), the mailbox and the sandbox. */
	stop: () => Promise<void>;
	/**
	 * Kills n8n's process group with SIGKILL, as a crash or an out-of-memory kill would, and starts
	 * it again on the same folder and port (`n8n` is then the new process). At its start n8n finds
	 * the runs the kill cut short and starts their error workflow.
	 */
	crashN8n: () => Promise<RunningN8n>;
}

async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
	return await new Promise((resolve) => {
		const probe = createServer();
		probe.once('error', () => resolve(false));
		probe.listen(port, host, () => probe.close(() => resolve(true)));
	});
}

async function startExotelSandbox(
	port: number,
	onRequest?: SandboxN8nOptions['onSandboxRequest'],
	users?: number,
): Promise<ExotelSandbox> {
	const options = {
		...SANDBOX_CREDENTIALS,
		users: seedUsers(users),
		onRequest: (r: ExotelSandbox['requests'][number]) =>
			onRequest?.(
				`${r.method} ${r.url} -> ${r.status || 'no answer'}${r.fault ? ` [${r.fault}]` : ''} (request_id ${r.request_id})`,
				r,
			),
	};
	try {
		return await startSandbox({ ...options, port });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
		// Never moved silently: a builder who typed 127.0.0.1:4010 somewhere would reach something else.
		throw new Error(
			`Port ${port} (the Exotel sandbox) is already in use (another npm start or npm run sandbox?). Stop what uses it, or pick another port: npm start -- --sandbox-port ${port + 1}`,
		);
	}
}

/**
 * The workflows published in the folder's n8n database (none when there is none yet), read
 * with the runtime's own Node.js and sqlite3 while n8n is stopped.
 */
export async function publishedWorkflowIds(folder: string): Promise<string[]> {
	const database = join(folder, '.n8n', 'database.sqlite');
	if (!existsSync(database)) return [];
	const { stdout: envText } = await promisify(execFile)('bash', [RUNTIME, 'env']);
	const env = Object.fromEntries(
		envText
			.trim()
			.split('\n')
			.map((line) => [
				line.slice(0, line.indexOf('=')),
				line.slice(line.indexOf('=') + 1).replace(/^'|'$/g, ''),
			]),
	);
	const script = `
		const sqlite3 = require(process.argv[1]);
		const db = new sqlite3.Database(process.argv[2], sqlite3.OPEN_READONLY);
		db.all('SELECT id FROM workflow_entity WHERE activeVersionId IS NOT NULL OR active = 1', (error, rows) => {
			if (error) { console.error(error.message); process.exit(1); }
			console.log(JSON.stringify(rows.map((row) => row.id)));
			db.close();
		});`;
	const sqlite = join(env.N8N_RUNTIME_DIR, 'n8n', 'node_modules', 'sqlite3');
	const { stdout } = await promisify(execFile)(env.N8N_NODE, ['-e', script, sqlite, database]);
	return JSON.parse(stdout) as string[];
}

/** `.n8n-sandbox/n8n.pid`: "<n8n's pid (its process group)> <pid of the process that started it>". */
const PID_FILE = 'n8n.pid';

/** The process's working folder, or undefined if it is gone or not ours to read. */
function processCwd(pid: number): string | undefined {
	try {
		return readlinkSync(`/proc/${pid}/cwd`);
	} catch {
		return undefined;
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/**
 * Another n8n on this folder. If the process that started it still runs (a second
 * `npm start` beside a first), this throws: two n8n on one database do not mix. If it was
 * killed without a chance to clean up (SIGKILL, a closed terminal), its n8n is stopped, so it
 * holds neither the port nor the database. Only a process group whose leader still runs in
 * this very folder is touched.
 */
export async function stopLeftoverN8n(folder: string, log: (line: string) => void): Promise<void> {
	const file = join(folder, PID_FILE);
	if (!existsSync(file)) return;
	const [pid, starter] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
	if (!Number.isInteger(pid) || pid <= 1 || processCwd(pid) !== folder) {
		rmSync(file, { force: true });
		return;
	}
	if (Number.isInteger(starter) && starter > 1 && starter !== process.pid && isAlive(starter)) {
		throw new Error(
			`n8n (pid ${pid}) already runs on ${folder}, started by process ${starter} — another npm start? ` +
				'Stop that one first (Ctrl-C in its terminal).',
		);
	}
	rmSync(file, { force: true });
	log(`Stopping the n8n (process group ${pid}) left running by an earlier npm start …`);
	const signal = (name: NodeJS.Signals) => {
		try {
			process.kill(-pid, name);
		} catch {
			/* gone */
		}
	};
	signal('SIGTERM');
	for (let i = 0; i < 60 && processCwd(pid) === folder; i++)
		await new Promise((resolve) => setTimeout(resolve, 250));
	if (processCwd(pid) === folder) signal('SIGKILL');
}

/**
 * The sandbox and an n8n with the node, the "Exotel sandbox" credential, the examples and
 * "Exotel: try it", its owner logged in. Shared by `npm start` and the editor test.
 */
export async function prepareSandboxN8n(options: SandboxN8nOptions = {}): Promise<SandboxN8n> {
	const port = options.port ?? DEFAULT_N8N_PORT;
	const log = options.log ?? (() => undefined);
	const folderPath = options.folder ?? DEFAULT_FOLDER;

	await stopLeftoverN8n(folderPath, log);
	// An n8n that was just stopped (a quick Ctrl-C and npm start again) frees its port within seconds.
	for (let wait = 0; wait < 20 && !(await isPortFree(port)); wait++) {
		if (wait === 0) log(`Port ${port} is in use; waiting up to 10 s for it to be freed …`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	if (!(await isPortFree(port))) {
		throw new Error(
			`Port ${port} is already in use (another n8n?). Stop what uses it, or pick another port: npm start -- --port ${port + 1}`,
		);
	}
	if (!existsSync(join(ROOT, 'dist', 'nodes', 'ExotelUsers', 'ExotelUsers.node.js'))) {
		throw new Error('dist/ has no built node: run `npm run build` first (`npm start` does).');
	}

	const sandbox = await startExotelSandbox(
		options.sandboxPort ?? DEFAULT_SANDBOX_PORT,
		options.onSandboxRequest,
		options.users,
	);
	log(`Exotel sandbox listening on ${sandbox.url}`);
	const mailbox = await startMailbox();
	log(`Local mailbox (SMTP) listening on ${mailbox.host}:${mailbox.port}`);
	let n8n: RunningN8n | undefined;
	let child: ChildProcess | undefined;
	const stop = async () => {
		if (n8n) await n8n.stop();
		else if (child?.pid !== undefined && child.exitCode === null) {
			try {
				process.kill(-child.pid, 'SIGKILL'); // still starting: nothing to save
			} catch {
				/* gone */
			}
		}
		rmSync(join(folderPath, PID_FILE), { force: true });
		await mailbox.close();
		await sandbox.stop();
	};
	try {
		// n8n's task broker (it runs Code nodes) listens on 5679 unless told otherwise; another n8n on
		// the machine may hold it, and n8n then stops at start.
		let brokerPort = process.env.N8N_RUNNERS_BROKER_PORT;
		if (brokerPort === undefined) {
			brokerPort = String((await isPortFree(port + 1)) ? port + 1 : await freePort());
			if (brokerPort !== String(port + 1))
				log(
					`Port ${port + 1} is in use: n8n's task broker (it runs Code nodes) listens on ${brokerPort} instead`,
				);
		}
		mkdirSync(folderPath, { recursive: true });
		const webhookToken = keptSecret(folderPath, 'webhook-token', 18, 'base64url');
		const passwordKey = keptSecret(folderPath, 'sip-password-key', 32, 'base64');
		const folder = await N8nFolder.create(
			'v2',
			'custom',
			{ ...N8N_ENV, N8N_RUNNERS_BROKER_PORT: brokerPort },
			{ folder: folderPath },
		);
		const workflows = [tryItWorkflow(), ...EXAMPLE_FILES.map(exampleWorkflow)];
		// Importing unpublishes what it replaces: what was published before is published again once n8n runs.
		const wasPublished = await publishedWorkflowIds(folderPath);
		log(
			`Importing the credentials "${CREDENTIAL.name}", "${WEBHOOK_CALLER_CREDENTIAL.name}" and ${workflows.length} workflows into ${folderPath} …`,
		);
		await folder
			.importCredentials([
				...sandboxCredential({ ...SANDBOX_CREDENTIALS, passwordKey }, sandbox.url),
				...smtpCredential(smtpCredentialData(mailbox)),
				{
					id: WEBHOOK_CALLER_CREDENTIAL.id,
					name: WEBHOOK_CALLER_CREDENTIAL.name,
					type: 'httpHeaderAuth',
					data: { name: WEBHOOK_CALLER_CREDENTIAL.header, value: webhookToken },
				},
			])
			.catch((error: Error) => {
				// Seen after a first start stopped while n8n was creating its database.
				if (/database migrations/.test(error.message)) {
					error.message += `\nn8n's database in ${folderPath} is half set up (was an earlier start stopped while n8n created it?): npm start -- --fresh starts from an empty folder.`;
				}
				throw error;
			});
		await folder.importWorkflows(workflows);
		log(`Starting n8n on port ${port} …`);
		const start = () =>
			startN8n(folder, port, {
				onLog: options.onN8nLog,
				onSpawn: (spawned) => {
					child = spawned;
					options.onN8nSpawn?.(spawned);
					if (spawned.pid !== undefined)
						writeFileSync(join(folderPath, PID_FILE), `${spawned.pid} ${process.pid}\n`);
				},
			});
		n8n = await start();
		const imported = new Set(workflows.map((w) => w.id));
		const published = [...new Set([...ALWAYS_PUBLISHED, ...wasPublished])].filter((id) =>
			imported.has(id),
		);
		for (const id of published) await activateWorkflow(n8n, id);
		if (published.length)
			log(
				`Published: ${published.map((id) => `"${workflows.find((w) => w.id === id)?.name}"`).join(', ')}`,
			);
		const setup: SandboxN8n = {
			editorUrl: `http://localhost:${port}`,
			sandbox,
			folder,
			n8n,
			workflows: workflows.map(({ id, name }) => ({ id, name })),
			mailbox,
			webhookToken,
			published,
			stop,
			crashN8n: async () => {
				const crashed = n8n;
				n8n = undefined;
				const exited = new Promise<void>((resolve) =>
					crashed?.process.exitCode === null
						? crashed.process.once('exit', () => resolve())
						: resolve(),
				);
				if (crashed?.process.pid !== undefined) {
					try {
						process.kill(-crashed.process.pid, 'SIGKILL');
					} catch {
						/* gone */
					}
				}
				await exited;
				n8n = await start();
				setup.n8n = n8n;
				return n8n;
			},
		};
		return setup;
	} catch (error) {
		await stop();
		throw error;
	}
}
