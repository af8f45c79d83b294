/**
 * n8n in queue mode on loopback, for the queue-mode end-to-end tier: one main process
 * (`n8n start`: editor, REST API, production webhooks) and N workers (`n8n worker`), sharing
 * a PostgreSQL database, a Redis queue and one encryption key — each process with its own user
 * folder and the package installed there as a community package, the way the README tells
 * users to (the README's own lines, `installAsReadmeSays`).
 *
 * The runtime is tools/dev/n8n/runtime.sh's (n8n 2.41.1 on Node 24, offline settings). Workers of one
 * machine all report the same worker id to n8n (n8n takes the hostname when it believes it runs
 * in a container), so which worker ran an execution is read from each worker's own log
 * ("Worker started execution <id>"), see `executions()`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { filesBelow, installAsReadmeSays, ROOT } from '../n8n/n8n';
import { OWNER } from '../n8n/server';
import type { Postgres } from '../services/postgres';
import type { Redis } from '../services/redis';
import { freePort, sleep, stopGroup } from '../services/common';

const run = promisify(execFile);
const RUNTIME = join(ROOT, 'tools', 'dev', 'n8n', 'runtime.sh');
const TARGET = 'v2'; // queue mode is tested on the current line only

export type Role = 'main' | 'worker';

/** One n8n process of the cluster. */
export class N8nProcess {
	private output = '';

	child?: ChildProcess;

	constructor(
		readonly name: string,
		readonly role: Role,
		readonly folder: string,
		private readonly env: NodeJS.ProcessEnv,
	) {}

	/** stdout and stderr so far. */
	log(): string {
		return this.output;
	}

	start(args: string[]): void {
		this.child = spawn('bash', [RUNTIME, 'n8n', '--target', TARGET, '--', ...args], {
			env: this.env,
			cwd: this.folder,
			detached: true, // its own process group: stop() ends n8n and its task runner together
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const collect = (chunk: Buffer) => (this.output += chunk.toString());
		this.child.stdout!.on('data', collect);
		this.child.stderr!.on('data', collect);
	}

	async waitFor(text: string | RegExp, timeoutMs: number): Promise<void> {
		const started = Date.now();
		const found = () =>
			typeof text === 'string' ? this.output.includes(text) : text.test(this.output);
		while (!found()) {
			if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) {
				throw new Error(
					`${this.name} exited with ${this.child.exitCode}:\n${this.output.slice(-4000)}`,
				);
			}
			if (Date.now() - started > timeoutMs)
				throw new Error(
					`${this.name} did not log ${String(text)} within ${timeoutMs / 1000} s:\n${this.output.slice(-4000)}`,
				);
			await sleep(200);
		}
	}

	async stop(): Promise<void> {
		if (this.child) await stopGroup(this.child, 'SIGTERM', 20_000);
	}

	/** Every file n8n wrote in the user folder (logs, config, anything else), package files aside. */
	files(): Array<{ path: string; text: string }> {
		return filesBelow(this.folder);
	}
}

export interface ClusterOptions {
	postgres: Postgres;
	redis: Redis;
	/** The package tarball (packPackage) installed in every process's user folder. */
	tarball: string;
	workers?: number;
	/** Settings for every process (e.g. pruning, passwords the workflows read from $env). */
	env?: Record<string, string>;
	/** Settings for the workers only, on top of `env`. */
	workerEnv?: Record<string, string>;
	/** Created through the REST API once the main is up, as the editor does (n8n's import format: id, name, type, data). */
	credentials?: CredentialImport[];
	/** Created through the REST API with their ids; credential references are mapped to the created credentials. */
	workflows?: WorkflowImport[];
	/** Ids of the workflows to publish (activate), so that their production webhooks are live on the main. */
	activate?: string[];
	/** Extra arguments of `n8n worker`, e.g. `--concurrency=2`. */
	workerArgs?: string[];
	/** Progress lines (what is being done, seconds since start). */
	onProgress?: (message: string) => void;
}

export interface CredentialImport {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface WorkflowImport {
	id: string;
	nodes: Array<Record<string, unknown>>;
	[key: string]: unknown;
}

function withCredentialIds(workflow: WorkflowImport, ids: Map<string, string>): WorkflowImport {
	return {
		...workflow,
		active: false,
		nodes: workflow.nodes.map((node) => {
			const credentials = node.credentials as
				| Record<string, { id: string; name: string }>
				| undefined;
			if (!credentials) return node;
			return {
				...node,
				credentials: Object.fromEntries(
					Object.entries(credentials).map(([type, ref]) => [
						type,
						{ ...ref, id: ids.get(ref.id) ?? ref.id },
					]),
				),
			};
		}),
	};
}

export interface ExecutionRecord {
	executionId: string;
	workflowId?: string;
	/** The process whose log says it ran the execution. */
	process: string;
	/** Set once the worker reports the execution finished: whether it succeeded. */
	success?: boolean;
}

export class QueueCluster {
	private constructor(
		readonly main: N8nProcess,
		readonly workers: N8nProcess[],
		readonly port: number,
		private readonly root: string,
	) {}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	get processes(): N8nProcess[] {
		return [this.main, ...this.workers];
	}

	/** A production webhook URL on the main process. */
	webhookUrl(path: string): string {
		return `${this.url}/webhook/${path}`;
	}

	static async start(options: ClusterOptions): Promise<QueueCluster> {
		const started = Date.now();
		const progress = (message: string) =>
			options.onProgress?.(`[queue ${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);
		const root = mkdtempSync(join(tmpdir(), 'exotel-queue-'));
		const port = await freePort();
		const shared: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			N8N_ENCRYPTION_KEY: 'queue-e2e-fixed-encryption-key-0123456789',
			...options.postgres.n8nEnv(),
			...options.redis.n8nEnv(),
			N8N_LOG_FORMAT: 'json',
			N8N_LOG_OUTPUT: 'console,file',
			// The webhook URLs n8n shows and registers.
			WEBHOOK_URL: `http://127.0.0.1:${port}/`,
			...options.env,
		};
		const names = [
			'main',
			...Array.from({ length: options.workers ?? 2 }, (_, i) => `worker-${i + 1}`),
		];
		const processes: N8nProcess[] = [];
		try {
			for (const name of names) {
				const folder = join(root, name);
				mkdirSync(folder);
				await installAsReadmeSays(folder, options.tarball);
				progress(`${name}: package installed in ${folder}/.n8n/nodes`);
				const env: NodeJS.ProcessEnv = {
					...process.env,
					...shared,
					N8N_USER_FOLDER: folder,
					// n8n's task broker (Code nodes) listens on 5679 by default: one port per process.
					N8N_RUNNERS_BROKER_PORT: String(await freePort()),
				};
				// jest sets NODE_ENV=test, which n8n's CLI takes as its own test mode.
				delete env.NODE_ENV;
				delete env.JEST_WORKER_ID;
				delete env.N8N_CUSTOM_EXTENSIONS;
				if (name !== 'main') Object.assign(env, options.workerEnv ?? {});
				if (name === 'main') {
					Object.assign(env, {
						N8N_PORT: String(port),
						N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
						N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
						N8N_INSTANCE_OWNER_PASSWORD_HASH: (
							await run('bash', [RUNTIME, 'hash-password', '--target', TARGET, OWNER.password])
						).stdout.trim(),
					});
				}
				processes.push(new N8nProcess(name, name === 'main' ? 'main' : 'worker', folder, env));
			}
			const [main, ...workers] = processes;
			const cluster = new QueueCluster(main, workers, port, root);

			// All at once: on PostgreSQL, n8n serialises its migrations with an advisory lock.
			for (const p of processes)
				p.start(p.role === 'main' ? ['start'] : ['worker', ...(options.workerArgs ?? [])]);
			await main.waitFor('Editor is now accessible', 240_000);
			progress('main ready');
			await Promise.all(
				workers.map(async (worker) => await worker.waitFor('n8n worker is now ready', 240_000)),
			);
			progress('workers ready');

			// What a user does in the editor: create the credential, import the workflows, publish them.
			await cluster.login();
			const credentialIds = new Map<string, string>();
			for (const credential of options.credentials ?? []) {
				const { id, ...body } = credential;
				const created = await cluster.rest('POST', '/rest/credentials', body);
				if (created.status !== 200)
					throw new Error(
						`creating credential ${credential.name} failed: ${created.status} ${JSON.stringify(created.json)}`,
					);
				credentialIds.set(id, created.json.data.id);
			}
			for (const workflow of options.workflows ?? []) {
				const created = await cluster.rest(
					'POST',
					'/rest/workflows',
					withCredentialIds(workflow, credentialIds),
				);
				if (created.status !== 200)
					throw new Error(
						`creating workflow ${workflow.id} failed: ${created.status} ${JSON.stringify(created.json)}`,
					);
				if (!(options.activate ?? []).includes(workflow.id)) continue;
				const activated = await cluster.rest(
					'POST',
					`/rest/workflows/${created.json.data.id}/activate`,
					{ versionId: created.json.data.versionId },
				);
				if (activated.status !== 200)
					throw new Error(
						`activating workflow ${workflow.id} failed: ${activated.status} ${JSON.stringify(activated.json)}`,
					);
			}
			progress(
				`${credentialIds.size} credential(s) and ${options.workflows?.length ?? 0} workflow(s) created, ${options.activate?.length ?? 0} published`,
			);
			return cluster;
		} catch (error) {
			await Promise.all(processes.map(async (p) => await p.stop()));
			rmSync(root, { recursive: true, force: true });
			throw error;
		}
	}

	private cookie = '';

	private async login(): Promise<void> {
		const response = await fetch(`${this.url}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
		});
		const cookie = /n8n-auth=[^;]+/.exec(response.headers.get('set-cookie') ?? '')?.[0];
		if (response.status !== 200 || !cookie)
			throw new Error(`login failed: ${response.status} ${await response.text()}`);
		this.cookie = cookie;
	}

	/** A JSON request to n8n's REST API on the main, as the instance owner. */
	async rest(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
		const response = await fetch(this.url + path, {
			method,
			headers: { 'content-type': 'application/json', cookie: this.cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		try {
			return { status: response.status, json: JSON.parse(text) };
		} catch {
			return { status: response.status, json: text };
		}
	}

	/**
	 * The executions the workers' logs report, with the process that ran each: "Worker started
	 * execution <id> (job <n>)" and "Worker finished execution <id> (job <n>)" (JSON log lines).
	 */
	executions(): ExecutionRecord[] {
		const records = new Map<string, ExecutionRecord>();
		for (const process of this.processes) {
			for (const line of process.log().split('\n')) {
				const match = /Worker (started|finished) execution (\d+) \(job/.exec(line);
				if (!match) continue;
				let metadata: { workflowId?: string; success?: boolean } = {};
				try {
					metadata = (JSON.parse(line) as { metadata?: typeof metadata }).metadata ?? {};
				} catch {
					// a text log line: no metadata
				}
				const record = records.get(match[2]) ?? {
					executionId: match[2],
					process: process.name,
					workflowId: metadata.workflowId,
				};
				if (match[1] === 'finished') record.success = metadata.success ?? true;
				records.set(match[2], record);
			}
		}
		return [...records.values()].sort((a, b) => Number(a.executionId) - Number(b.executionId));
	}

	/** Waits until the workers' logs report `count` finished executions of the workflow. */
	async waitForExecutions(
		workflowId: string,
		count: number,
		timeoutMs: number,
	): Promise<ExecutionRecord[]> {
		const started = Date.now();
		for (;;) {
			const done = this.executions().filter(
				(e) => e.workflowId === workflowId && e.success !== undefined,
			);
			if (done.length >= count) return done;
			if (Date.now() - started > timeoutMs) {
				throw new Error(
					`${done.length} of ${count} executions of ${workflowId} finished within ${timeoutMs / 1000} s:\n${this.workers.map((w) => w.log().slice(-2000)).join('\n')}`,
				);
			}
			await sleep(250);
		}
	}

	/** Each process's console output and every file in its user folder, by process name. */
	everythingWritten(): Array<{ process: string; source: string; text: string }> {
		return this.processes.flatMap((p) => [
			{ process: p.name, source: 'console', text: p.log() },
			...p.files().map((f) => ({ process: p.name, source: f.path, text: f.text })),
		]);
	}

	/** Stops the workers, then the main, and removes every user folder. */
	async stop(): Promise<void> {
		await Promise.all(this.workers.map(async (w) => await w.stop()));
		await this.main.stop();
		rmSync(this.root, { recursive: true, force: true });
	}
}
