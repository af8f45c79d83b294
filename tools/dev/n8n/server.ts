/**
 * `n8n start` on 127.0.0.1 for a user folder, with the instance owner set up so a browser
 * or a REST client can log straight in. Used by the end-to-end tier (credential test,
 * editor test) and by `npm start`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { ROOT, type N8nFolder } from './n8n';

export const RUNTIME = join(ROOT, 'tools', 'dev', 'n8n', 'runtime.sh');

export const OWNER = {
	email: 'owner@example.com',
	password: 'Sandbox-Owner-2026',
	firstName: 'Sandbox',
	lastName: 'Owner',
};

export interface RunningN8n {
	url: string;
	/** The n8n-auth cookie of the logged-in owner. */
	cookie: string;
	process: ChildProcess;
	log: () => string;
	/** JSON request to n8n's REST API as the owner. */
	rest: (method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>;
	stop: () => Promise<void>;
}

/**
 * The owner's bcrypt hash, made once per user folder and kept in it. n8n's sign-in cookie
 * carries a digest of the owner's stored hash: a new hash (a new salt) at each start would sign
 * the person out at every restart of the same folder.
 */
async function ownerPasswordHash(target: string, folder: string): Promise<string> {
	const file = join(folder, OWNER_HASH_FILE);
	if (existsSync(file)) return readFileSync(file, 'utf8').trim();
	const { stdout } = await promisify(execFile)('bash', [
		RUNTIME,
		'hash-password',
		'--target',
		target,
		OWNER.password,
	]);
	writeFileSync(file, stdout.trim() + '\n');
	return stdout.trim();
}

const OWNER_HASH_FILE = 'owner-password-hash';

export interface StartOptions {
	/** Each chunk n8n writes to stdout or stderr. */
	onLog?: (text: string) => void;
	/** Called as soon as n8n is spawned (before it is ready), e.g. to stop it on Ctrl-C while it starts. */
	onSpawn?: (child: ChildProcess) => void;
}

export async function startN8n(
	folder: N8nFolder,
	port: number,
	options: StartOptions = {},
): Promise<RunningN8n> {
	const env: NodeJS.ProcessEnv = { ...folder.env(), N8N_PORT: String(port) };
	if (folder.target === 'v2') {
		// n8n 2.x can take its owner from the environment; 1.x is set up over REST below.
		Object.assign(env, {
			N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
			N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
			N8N_INSTANCE_OWNER_PASSWORD_HASH: await ownerPasswordHash(folder.target, folder.folder),
		});
	}
	const child = spawn('bash', [RUNTIME, 'n8n', '--target', folder.target, '--', 'start'], {
		env,
		cwd: folder.folder,
		detached: true, // its own process group, so stop() ends n8n and its task runner together
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	options.onSpawn?.(child);
	let output = '';
	const collect = (chunk: Buffer) => {
		output += chunk.toString();
		options.onLog?.(chunk.toString());
	};
	child.stdout!.on('data', collect);
	child.stderr!.on('data', collect);

	const stop = async () => {
		if (child.exitCode !== null || child.pid === undefined) return;
		const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
		try {
			process.kill(-child.pid, 'SIGTERM');
		} catch {
			return;
		}
		const timer = setTimeout(() => {
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {
				/* already gone */
			}
		}, 15_000);
		await exited;
		clearTimeout(timer);
	};

	// Ready when the editor is served (in 1.x /healthz answers before the REST routes exist).
	const started = Date.now();
	while (!output.includes('Editor is now accessible')) {
		if (child.exitCode !== null)
			throw new Error(`n8n start exited with ${child.exitCode}:\n${output.slice(-3000)}`);
		if (Date.now() - started > 120_000) {
			await stop();
			throw new Error(`n8n did not start within 120 s:\n${output.slice(-3000)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	folder.outputs.push(output);

	const url = `http://127.0.0.1:${port}`;
	const call = async (method: string, path: string, body?: unknown, cookie?: string) => {
		const response = await fetch(url + path, {
			method,
			headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		let json: unknown;
		try {
			json = JSON.parse(text);
		} catch {
			json = text;
		}
		return { status: response.status, json, setCookie: response.headers.get('set-cookie') ?? '' };
	};

	if (folder.target === 'v1') {
		const setup = await call('POST', '/rest/owner/setup', OWNER);
		if (setup.status !== 200)
			throw new Error(`owner setup failed: ${setup.status} ${JSON.stringify(setup.json)}`);
	}
	const login = await call('POST', '/rest/login', {
		emailOrLdapLoginId: OWNER.email,
		email: OWNER.email,
		password: OWNER.password,
	});
	const cookie = /n8n-auth=[^;]+/.exec(login.setCookie)?.[0];
	if (login.status !== 200 || !cookie) {
		await stop();
		throw new Error(`login failed: ${login.status} ${JSON.stringify(login.json)}`);
	}

	return {
		url,
		cookie,
		process: child,
		log: () => output,
		rest: async (method, path, body) => {
			const { status, json } = await call(method, path, body, cookie);
			return { status, json };
		},
		stop: async () => {
			await stop();
			folder.outputs.push(output);
		},
	};
}
