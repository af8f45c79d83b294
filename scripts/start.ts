/**
 * `npm start [-- --port 5678] [--fresh]`: n8n's editor with this node loaded, against the
 * local Exotel sandbox — no Exotel account needed.
 *
 * 1. installs the n8n runtime if needed (scripts/n8n-runtime.sh: n8n 2.41.1 on Node 24 from
 *    the npm registry, into ~/.cache/n8n-nodes-exotel; the first run shows its progress);
 * 2. starts the Exotel sandbox in this process on 127.0.0.1:4010 (a free port if 4010 is
 *    taken), logging one line per request (method, path, status — never a body);
 * 3. prepares the user folder `.n8n-sandbox/` (kept between runs, so your own workflows
 *    stay): the node loaded from `dist/` as a custom extension (type `CUSTOM.exotel`), the
 *    credential "Exotel sandbox", the three examples and "Exotel: try it" imported
 *    (re-imported, i.e. reset, at every start);
 * 4. starts n8n on http://localhost:5678 with its owner set up, logs in once over REST to
 *    prove the login works, and prints what to open and what to click.
 *
 * Ctrl-C (or SIGTERM/SIGHUP) stops n8n (its whole process group: n8n and its task runner)
 * and the sandbox, and exits 0.
 *
 * The editor test (e2e/editor.e2e.test.ts) runs the same setup through `prepareSandboxN8n`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { freePort, N8nFolder, ROOT } from '../e2e/lib/n8n';
import { OWNER, startN8n, type RunningN8n } from '../e2e/lib/server';
import { CREDENTIAL, sandboxCredential, type Workflow } from '../e2e/lib/workflows';
import { SANDBOX_CREDENTIALS } from '../test/sandbox/cli';
import { startSandbox, type ExotelSandbox } from '../test/sandbox/server';

export const DEFAULT_FOLDER = join(ROOT, '.n8n-sandbox');
export const DEFAULT_N8N_PORT = 5678;
export const DEFAULT_SANDBOX_PORT = 4010;

/** The node type when n8n loads `dist/` through N8N_CUSTOM_EXTENSIONS. */
const NODE_TYPE = 'CUSTOM.exotel';
/** The node type the examples are written with (the package installed from npm). */
const PACKAGE_NODE_TYPE = 'n8n-nodes-exotel.exotel';

/** Asha Rao, the sandbox's first seeded user, and her SIP device. */
export const TRY_IT = {
	id: 'exoTryItSandbox1',
	name: 'Exotel: try it',
	userId: 'a3f1c2d4e5b60718293a4b5c6d7e8f90',
	deviceId: '101',
	exotelNode: 'Update SIP password',
};

export const EXAMPLE_FILES = ['hr-onboarding.json', 'ticket-sip-reset.json', 'quarterly-rotation.json'];

/** "Exotel: try it": Manual Trigger → Exotel Update SIP Password (generated) for Asha Rao's SIP device. */
export function tryItWorkflow(): Workflow {
	const trigger = 'When clicking ‘Execute workflow’';
	return {
		id: TRY_IT.id,
		name: TRY_IT.name,
		active: false,
		settings: { executionOrder: 'v1' },
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
				typeVersion: 1,
				position: [260, 0],
				parameters: {
					resource: 'user',
					operation: 'updateSipPassword',
					userId: { __rl: true, mode: 'id', value: TRY_IT.userId },
					deviceId: TRY_IT.deviceId,
					passwordMode: 'generate',
				},
				credentials: { exotelApi: CREDENTIAL },
			},
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000003',
				name: 'About this workflow',
				type: 'n8n-nodes-base.stickyNote',
				typeVersion: 1,
				position: [-60, -300],
				parameters: {
					width: 560,
					height: 215,
					content:
						'## Exotel: try it\n' +
						'1. Click **Execute workflow** (below).\n' +
						`2. Double-click **${TRY_IT.exotelNode}**. The Exotel node has set a new, generated SIP password for ` +
						`Asha Rao (SIP device ${TRY_IT.deviceId}) in the local **Exotel sandbox**; its output is Exotel’s answer — ` +
						'`request_id`, `http_code` 200, `response.status` "success" — and the new `sipPassword` for the next node to deliver.\n\n' +
						'Credential: **Exotel sandbox** (Region: Custom, Base URL: the sandbox).',
				},
			},
		],
		connections: { [trigger]: { main: [[{ node: TRY_IT.exotelNode, type: 'main', index: 0 }]] } },
	};
}

/** An example from examples/, its Exotel nodes retyped for the node loaded as a custom extension. */
export function exampleWorkflow(file: string): Workflow {
	const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as Workflow;
	return { ...workflow, nodes: workflow.nodes.map((node) => (node.type === PACKAGE_NODE_TYPE ? { ...node, type: NODE_TYPE } : node)) };
}

/**
 * n8n settings on top of scripts/n8n-runtime.sh's offline ones. The "instance AI" module is
 * off: it needs an AI provider, and with it on, the editor's start page (where the sign-in
 * leads) is its "Get started" screen instead of the Overview with the workflows.
 */
const N8N_ENV: Record<string, string> = {
	N8N_DISABLED_MODULES: process.env.N8N_DISABLED_MODULES ?? 'mcp-registry,instance-ai',
};

export interface SandboxN8nOptions {
	/** n8n's port (default 5678). */
	port?: number;
	/** The Exotel sandbox's preferred port (default 4010); a free one is used if it is taken. */
	sandboxPort?: number;
	/** n8n's user folder (default `.n8n-sandbox/` at the repo root). */
	folder?: string;
	/** Progress lines (default: none). */
	log?: (line: string) => void;
	/** n8n's own output (default: none). */
	onN8nLog?: (text: string) => void;
	/** One line per request the sandbox answered (default: none). */
	onSandboxRequest?: (line: string) => void;
	/** Called as soon as n8n is spawned, so a caller can stop it while it starts. */
	onN8nSpawn?: (child: ChildProcess) => void;
}

export interface SandboxN8n {
	/** The editor's address as printed (http://localhost:PORT). */
	editorUrl: string;
	sandbox: ExotelSandbox;
	folder: N8nFolder;
	n8n: RunningN8n;
	workflows: Array<{ id: string; name: string }>;
	/** Stops n8n (its process group) and the sandbox. */
	stop: () => Promise<void>;
}

async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
	return await new Promise((resolve) => {
		const probe = createServer();
		probe.once('error', () => resolve(false));
		probe.listen(port, host, () => probe.close(() => resolve(true)));
	});
}

async function startExotelSandbox(port: number, onRequest?: (line: string) => void): Promise<ExotelSandbox> {
	const options = {
		...SANDBOX_CREDENTIALS,
		onRequest: (r: ExotelSandbox['requests'][number]) =>
			onRequest?.(`${r.method} ${r.url} -> ${r.status || 'no answer'}${r.fault ? ` [${r.fault}]` : ''} (request_id ${r.request_id})`),
	};
	try {
		return await startSandbox({ ...options, port });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
		return await startSandbox({ ...options, port: 0 });
	}
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
async function stopLeftoverN8n(folder: string, log: (line: string) => void): Promise<void> {
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
	for (let i = 0; i < 60 && processCwd(pid) === folder; i++) await new Promise((resolve) => setTimeout(resolve, 250));
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
	if (!existsSync(join(ROOT, 'dist', 'nodes', 'Exotel', 'Exotel.node.js'))) {
		throw new Error('dist/ has no built node: run `npm run build` first (`npm start` does).');
	}

	const sandbox = await startExotelSandbox(options.sandboxPort ?? DEFAULT_SANDBOX_PORT, options.onSandboxRequest);
	log(`Exotel sandbox listening on ${sandbox.url}`);
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
		await sandbox.stop();
	};
	try {
		// n8n's task broker (it runs Code nodes) listens on 5679 unless told otherwise; another n8n on
		// the machine may hold it, and n8n then stops at start.
		const brokerPort = process.env.N8N_RUNNERS_BROKER_PORT ?? String((await isPortFree(port + 1)) ? port + 1 : await freePort());
		const folder = await N8nFolder.create('v2', 'custom', { ...N8N_ENV, N8N_RUNNERS_BROKER_PORT: brokerPort }, { folder: folderPath });
		const workflows = [tryItWorkflow(), ...EXAMPLE_FILES.map(exampleWorkflow)];
		log(`Importing the credential "${CREDENTIAL.name}" and ${workflows.length} workflows into ${folderPath} …`);
		await folder.importCredentials(sandboxCredential(SANDBOX_CREDENTIALS, sandbox.url));
		await folder.importWorkflows(workflows);
		log(`Starting n8n on port ${port} …`);
		n8n = await startN8n(folder, port, {
			onLog: options.onN8nLog,
			onSpawn: (spawned) => {
				child = spawned;
				options.onN8nSpawn?.(spawned);
				if (spawned.pid !== undefined) writeFileSync(join(folderPath, PID_FILE), `${spawned.pid} ${process.pid}\n`);
			},
		});
		return {
			editorUrl: `http://localhost:${port}`,
			sandbox,
			folder,
			n8n,
			workflows: workflows.map(({ id, name }) => ({ id, name })),
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

function parseArgs(argv: string[]): { port: number; fresh: boolean } {
	let port = Number(process.env.N8N_PORT ?? DEFAULT_N8N_PORT);
	let fresh = false;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--port' || arg.startsWith('--port=')) {
			const raw = arg === '--port' ? argv[++i] : arg.slice('--port='.length);
			port = /^[0-9]+$/.test(raw ?? '') ? Number(raw) : NaN;
		} else if (arg === '--fresh') fresh = true;
		else throw new Error(`Unknown option ${arg}; use --port N (or env N8N_PORT) and --fresh (start from an empty .n8n-sandbox/)`);
	}
	if (!(port >= 1 && port <= 65535)) throw new Error('--port (or N8N_PORT) needs a port number, e.g. --port 5679');
	return { port, fresh };
}

async function installRuntime(): Promise<void> {
	// Run by `npm start`, this process has the project's .npmrc in its environment as npm_config_*
	// variables: ignore-scripts=true would reach the runtime's own npm and stop node@24's
	// installer (it fetches the binary in a preinstall script) and the sqlite3 build.
	const env = { ...process.env };
	delete env.npm_config_ignore_scripts;
	// stderr carries the progress (one line per download on the first run); stdout only the paths.
	const child = spawn('bash', [join(ROOT, 'scripts', 'n8n-runtime.sh'), 'install'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
	const code = await new Promise<number | null>((resolve, reject) => {
		child.once('error', reject);
		child.once('exit', (exitCode) => resolve(exitCode));
	});
	if (code !== 0) throw new Error(`installing the n8n runtime failed (exit ${code}); see the messages above`);
}

function banner(setup: SandboxN8n): string {
	const { editorUrl, sandbox } = setup;
	const n8nLocal = editorUrl;
	const examples = setup.workflows.filter((w) => w.id !== TRY_IT.id).map((w) => `      - ${w.name}`);
	const rule = '─'.repeat(78);
	const users = [...sandbox.users.values()].map((u) => `${u.first_name} ${u.last_name}`).join(', ');
	return [
		'',
		rule,
		` n8n is ready, with the Exotel node and the Exotel sandbox: open ${editorUrl}`,
		rule,
		` Sign in:   ${OWNER.email}   password ${OWNER.password}`,
		'',
		` Try it:    Overview → open the workflow "${TRY_IT.name}" → click "Execute workflow".`,
		`            Double-click the "${TRY_IT.exotelNode}" node: its output panel shows Exotel's`,
		'            envelope (request_id, http_code 200, response.status "success") and the',
		'            generated sipPassword. The sandbox logs the request below.',
		` Credential: Overview → Credentials → "${CREDENTIAL.name}" (Region: Custom, Base URL ${sandbox.url},`,
		`            API Key ${SANDBOX_CREDENTIALS.apiKey}, API Token ${SANDBOX_CREDENTIALS.apiToken}, Account SID ${SANDBOX_CREDENTIALS.accountSid}).`,
		' Examples (Overview → Workflows):',
		...examples,
		'            The webhook ones: click "Execute workflow", then send the trigger, e.g.',
		`            curl -X POST ${n8nLocal}/webhook-test/exotel-new-hire -H 'content-type: application/json' \\`,
		`                 -d '{"first_name":"Farah","last_name":"Khan","email":"farah.khan@example.com"}'`,
		`            curl -X POST ${n8nLocal}/webhook-test/exotel-reset-softphone -H 'content-type: application/json' \\`,
		`                 -d '{"ticket_id":"T-1042","requester_email":"asha.rao@example.com"}'`,
		` Sandbox:   ${sandbox.url} (Exotel's Users API; users ${users}; state resets at each start)`,
		` Folder:    ${setup.folder.folder} (kept between runs; the credential and these workflows are`,
		'            re-imported at each start; n8n\'s log: .n8n/logs/n8n.log in it; npm start -- --fresh empties it)',
		'',
		' Ctrl-C stops n8n and the sandbox.',
		rule,
		'',
	].join('\n');
}

/** The parent pid of a process, from /proc (Linux); undefined when unknown. */
function parentOf(pid: number): number | undefined {
	try {
		// /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
	} catch {
		return undefined;
	}
}

/**
 * Calls `onGone` when the process that launched tsx goes away. `npm start` runs
 * `sh -c "npm run build && tsx scripts/start.ts"`; a SIGTERM (or SIGINT) sent to npm alone is
 * forwarded to that sh, which dies of it without passing it on — this process would then
 * keep n8n and the sandbox running with nobody to stop them. The launcher is watched instead:
 * when it is gone (tsx, our parent, is re-parented), everything is stopped.
 */
function watchLauncher(onGone: () => void): void {
	const tsx = process.ppid;
	const launcher = parentOf(tsx);
	if (launcher === undefined || launcher <= 1) return;
	const timer = setInterval(() => {
		if (parentOf(tsx) !== launcher) {
			clearInterval(timer);
			onGone();
		}
	}, 1000);
	timer.unref();
}

async function main(): Promise<void> {
	let args: { port: number; fresh: boolean };
	try {
		args = parseArgs(process.argv.slice(2));
	} catch (error) {
		console.error((error as Error).message);
		process.exit(2);
	}
	const started = Date.now();
	const say = (line: string) => console.log(`[start] ${line}`);

	// Ctrl-C at any point: stop what runs, once. A Ctrl-C pressed again after a few seconds of
	// stopping forces it; one right after the first is ignored (tsx relays a Ctrl-C that
	// reached the whole process group to this process a second time).
	let setup: SandboxN8n | undefined;
	let starting: ChildProcess | undefined;
	let stopping = 0;
	const shutdown = async (reason: string, code: number) => {
		if (stopping) {
			if (Date.now() - stopping < 3000) return;
			say('forced: killing n8n');
			if (starting?.pid !== undefined) {
				try {
					process.kill(-starting.pid, 'SIGKILL');
				} catch {
					/* gone */
				}
			}
			process.exit(code);
		}
		stopping = Date.now();
		say(`${reason}: stopping n8n and the Exotel sandbox …`);
		try {
			if (setup) await setup.stop();
			else if (starting?.pid !== undefined && starting.exitCode === null) {
				try {
					process.kill(-starting.pid, 'SIGTERM');
				} catch {
					/* gone */
				}
			}
		} finally {
			say('stopped.');
			process.exit(code);
		}
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal, 0));
	watchLauncher(() => void shutdown('npm start was stopped', 0));

	await installRuntime();
	if (stopping) return;
	if (args.fresh) {
		say(`--fresh: removing ${DEFAULT_FOLDER}`);
		await stopLeftoverN8n(DEFAULT_FOLDER, say);
		rmSync(DEFAULT_FOLDER, { recursive: true, force: true });
	}
	// n8n's start-up chatter (deprecation notices, runner and licence messages) is not shown: a
	// failed start prints its last lines. Once it is ready, whatever n8n prints is passed on.
	let n8nReady = false;
	setup = await prepareSandboxN8n({
		port: args.port,
		log: say,
		onN8nLog: (text) => {
			if (!n8nReady) return;
			for (const line of text.split('\n')) if (line.trim()) process.stdout.write(`[n8n] ${line}\n`);
		},
		onSandboxRequest: (line) => console.log(`[exotel sandbox] ${line}`),
		onN8nSpawn: (child) => (starting = child),
	});
	if (stopping) {
		await setup.stop();
		return;
	}
	n8nReady = true;
	setup.n8n.process.once('exit', (code) => {
		if (!stopping) void shutdown(`n8n exited on its own (code ${code}); see its output above`, 1);
	});
	console.log(banner(setup));
	say(`ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(`[start] ${error instanceof Error ? error.message : String(error)}`);
		process.exit(1);
	});
}
