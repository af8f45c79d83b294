/**
 * A real n8n for the end-to-end tier: a throw-away user folder with the package loaded the
 * way users load it, credentials and workflows imported through n8n's CLI, and workflows
 * run with `n8n execute-batch`. The runtime itself (n8n and the Node.js it needs) is
 * installed by tools/dev/n8n/runtime.sh into a cache outside the clone.
 */
import { execFile, spawn } from 'node:child_process';
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { freePort } from '../services/common';

export { freePort };

export const ROOT = join(__dirname, '..', '..', '..');
const RUNTIME = join(ROOT, 'tools', 'dev', 'n8n', 'runtime.sh');
const run = promisify(execFile);

export type Target = 'v2' | 'v1';
export type LoadMode = 'custom' | 'package';

/** How each way of loading names the node type. */
export const NODE_TYPE: Record<LoadMode, string> = {
	custom: 'CUSTOM.exotelUsers',
	package: 'n8n-nodes-exotel-users.exotelUsers',
};

export interface CommandResult {
	code: number;
	stdout: string;
	stderr: string;
}

/** One workflow's run, as n8n recorded it. */
export interface RunResult {
	status: string;
	/** The error that stopped the run, as n8n stored it. */
	error?: {
		message?: string;
		description?: string;
		context?: Record<string, unknown>;
		node?: { name?: string };
	};
	/** Each node's output items (json only) of its last run. */
	nodes: Record<string, Array<Record<string, unknown>>>;
	/** Each node's output items with their pairing. */
	items: Record<string, Array<{ json: Record<string, unknown>; pairedItem?: unknown }>>;
	/** The node whose error ended the run. */
	lastNodeExecuted?: string;
}

let packedTarball: string | undefined;

/** `npm pack` of the package in `root` (built beforehand with `npm run build`). */
export async function packPackage(root = ROOT): Promise<{ tarball: string; remove: () => void }> {
	const destination = mkdtempSync(join(tmpdir(), 'exotel-pack-'));
	const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], {
		cwd: root,
	});
	const tarball = join(
		destination,
		(JSON.parse(stdout) as Array<{ filename: string }>)[0].filename,
	);
	return { tarball, remove: () => rmSync(destination, { recursive: true, force: true }) };
}

/** The packed package, made once per test run. */
async function tarball(): Promise<string> {
	packedTarball ??= (await packPackage()).tarball;
	return packedTarball;
}

/** The README's lines for installing the package by hand, between its install:self-hosted markers. */
export function readmeInstallCommands(): string {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	const block =
		/<!-- install:self-hosted -->\s*```bash\n([\s\S]*?)```\s*<!-- \/install:self-hosted -->/.exec(
			readme,
		);
	if (!block) throw new Error('README.md has no install:self-hosted block');
	return block[1];
}

export interface InstallOptions {
	/**
	 * Install as a person whose n8n uses their home folder: HOME is the user folder and
	 * N8N_USER_FOLDER is unset (the README's lines then use $HOME). Default: a fresh, empty HOME
	 * and N8N_USER_FOLDER set to the user folder.
	 */
	asHome?: boolean;
}

/**
 * Installs the packed package into an n8n user folder by running the README's own lines,
 * verbatim, in the folder that holds the tarball (where `npm pack` leaves it) — offline, with
 * an empty npm cache, so a line that needs the registry (or a folder that is not there yet)
 * fails here as it would for a user.
 */
export async function installAsReadmeSays(
	userFolder: string,
	tarballPath: string,
	options: InstallOptions = {},
): Promise<string> {
	const scratch = mkdtempSync(join(tmpdir(), 'exotel-install-'));
	try {
		const env: NodeJS.ProcessEnv = {
			PATH: process.env.PATH,
			HOME: options.asHome ? userFolder : join(scratch, 'home'),
			...(options.asHome ? {} : { N8N_USER_FOLDER: userFolder }),
			npm_config_offline: 'true',
			npm_config_cache: join(scratch, 'npm-cache'),
		};
		mkdirSync(env.HOME as string, { recursive: true });
		await run('bash', ['-euo', 'pipefail', '-c', readmeInstallCommands()], {
			env,
			cwd: dirname(tarballPath),
		});
	} finally {
		rmSync(scratch, { recursive: true, force: true });
	}
	return join(userFolder, '.n8n', 'nodes');
}

export class N8nFolder {
	readonly outputs: string[] = [];

	private constructor(
		readonly target: Target,
		readonly load: LoadMode,
		readonly folder: string,
		readonly extraEnv: Record<string, string>,
	) {}

	/**
	 * A fresh user folder with the package loaded (`custom`: N8N_CUSTOM_EXTENSIONS=dist; `package`: the npm tarball installed in .n8n/nodes).
	 * `options.folder` uses (and creates if needed) that folder instead of a throw-away one, e.g. `npm start`'s persistent `.n8n-sandbox/`.
	 */
	static async create(
		target: Target,
		load: LoadMode,
		extraEnv: Record<string, string> = {},
		options: { folder?: string; install?: InstallOptions } = {},
	): Promise<N8nFolder> {
		const folder = options.folder ?? mkdtempSync(join(tmpdir(), `exotel-e2e-${target}-${load}-`));
		mkdirSync(folder, { recursive: true });
		// n8n's task broker (which runs Code nodes) listens on 5679 by default: another n8n on the
		// machine, such as `npm start`, would make every Code node of this one fail.
		extraEnv = { N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...extraEnv };
		if (load === 'package') await installAsReadmeSays(folder, await tarball(), options.install);
		return new N8nFolder(target, load, folder, extraEnv);
	}

	get nodeType(): string {
		return NODE_TYPE[this.load];
	}

	env(): NodeJS.ProcessEnv {
		const env: NodeJS.ProcessEnv = {
			...process.env,
			N8N_USER_FOLDER: this.folder,
			N8N_ENCRYPTION_KEY: 'e2e-fixed-encryption-key-0123456789',
			// The e2e workflows read their passwords from the environment, so no password is
			// ever stored in a workflow or an item.
			N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
			N8N_LOG_OUTPUT: 'console,file',
			...this.extraEnv,
		};
		delete env.N8N_CUSTOM_EXTENSIONS;
		// jest sets NODE_ENV=test, which n8n's CLI takes as its own test mode (it then does nothing).
		delete env.NODE_ENV;
		delete env.JEST_WORKER_ID;
		if (this.load === 'custom') env.N8N_CUSTOM_EXTENSIONS = join(ROOT, 'dist');
		return env;
	}

	/** Runs the n8n CLI with the offline settings of tools/dev/n8n/runtime.sh. */
	async n8n(args: string[]): Promise<CommandResult> {
		return await new Promise((resolve, reject) => {
			const child = spawn('bash', [RUNTIME, 'n8n', '--target', this.target, '--', ...args], {
				env: this.env(),
				cwd: this.folder,
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
			child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
			child.on('error', reject);
			child.on('close', (code) => {
				this.outputs.push(stdout, stderr);
				resolve({ code: code ?? -1, stdout, stderr });
			});
		});
	}

	private async importFile(kind: 'credentials' | 'workflow', content: unknown): Promise<void> {
		const file = join(this.folder, `import-${kind}-${Date.now()}.json`);
		writeFileSync(file, JSON.stringify(content));
		try {
			const result = await this.n8n([`import:${kind}`, '--input', file]);
			if (result.code !== 0)
				throw new Error(`import:${kind} failed:\n${result.stdout}\n${result.stderr}`);
		} finally {
			// The import file of credentials holds the token in clear: it must not stay behind.
			rmSync(file, { force: true });
		}
	}

	async importCredentials(credentials: unknown[]): Promise<void> {
		await this.importFile('credentials', credentials);
	}

	async importWorkflows(workflows: unknown[]): Promise<void> {
		await this.importFile('workflow', workflows);
	}

	/**
	 * Runs the workflows in one n8n process and returns each one's run. execute-batch keeps a
	 * snapshot only of the runs that succeeded; a failed one is run again alone with
	 * `execute`, whose output carries the error as n8n stored it.
	 */
	async executeBatch(ids: string[]): Promise<Record<string, RunResult>> {
		const snapshots = mkdtempSync(join(this.folder, 'snapshots-'));
		await this.n8n([
			'execute-batch',
			'--ids',
			ids.join(','),
			'--snapshot',
			snapshots,
			'--shortOutput',
		]);
		const runs: Record<string, RunResult> = {};
		for (const id of ids) {
			const file = join(snapshots, `${id}-snapshot.json`);
			runs[id] = existsSync(file)
				? parseRun(JSON.parse(readFileSync(file, 'utf8')))
				: await this.execute(id);
		}
		return runs;
	}

	/** Runs one workflow with `n8n execute --rawOutput`. */
	async execute(id: string): Promise<RunResult> {
		const result = await this.n8n(['execute', '--id', id, '--rawOutput']);
		const document = findRunDocument(result.stdout);
		if (!document) {
			// `n8n execute` exits 0 with no JSON on some misuse: never take that as a pass.
			throw new Error(
				`n8n printed no run for workflow ${id} (exit ${result.code}):\n${this.outputs.join('\n').slice(-6000)}`,
			);
		}
		return parseRun(document);
	}

	/** Every file of the user folder (database and logs included) and every CLI output, as text. */
	everythingWritten(): string {
		return [...this.outputs, ...filesBelow(this.folder).map((file) => file.text)].join('\n');
	}

	remove(): void {
		rmSync(this.folder, { recursive: true, force: true });
	}
}

/** Every file below `dir` as text (latin1, so any bytes survive), installed packages aside: what a secret search reads. */
export function filesBelow(dir: string): Array<{ path: string; text: string }> {
	const files: Array<{ path: string; text: string }> = [];
	const walk = (folder: string) => {
		for (const name of readdirSync(folder)) {
			const path = join(folder, name);
			if (statSync(path).isDirectory()) {
				if (name !== 'node_modules') walk(path);
			} else {
				files.push({ path, text: readFileSync(path).toString('latin1') });
			}
		}
	};
	walk(dir);
	return files;
}

/** Reads a run as `n8n execute` prints it or `execute-batch --snapshot` stores it. */
export function parseRun(run: Record<string, any>): RunResult {
	const resultData = run.data?.resultData ?? {};
	const nodes: RunResult['nodes'] = {};
	const items: RunResult['items'] = {};
	for (const [name, runs] of Object.entries<any[]>(resultData.runData ?? {})) {
		const last = runs[runs.length - 1];
		const main = (last?.data?.main?.[0] ?? []) as Array<{
			json: Record<string, unknown>;
			pairedItem?: unknown;
		}>;
		items[name] = main;
		nodes[name] = main.map((item) => item.json);
	}
	return {
		status: run.status,
		error: resultData.error,
		nodes,
		items,
		lastNodeExecuted: resultData.lastNodeExecuted,
	};
}

/** The run's JSON in `n8n execute --rawOutput` output, which prints log lines before it. */
export function findRunDocument(stdout: string): Record<string, any> | undefined {
	const lines = stdout.split('\n');
	for (let start = 0; start < lines.length; start++) {
		if (!lines[start].startsWith('{')) continue;
		for (let end = lines.length - 1; end >= start; end--) {
			if (!lines[end].trimEnd().endsWith('}')) continue;
			try {
				const parsed = JSON.parse(lines.slice(start, end + 1).join('\n'));
				if (parsed && typeof parsed === 'object' && 'data' in parsed) return parsed;
			} catch {
				// not the document yet
			}
		}
	}
	return undefined;
}
