/** Small helpers shared by the throw-away services (postgres.ts, redis.ts). */
import { execFile, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/** A port nothing listens on right now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

export const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** Whether this process runs as root (PostgreSQL must then run as another user). */
export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Polls `ready` until it returns true; throws with `describe()` after `timeoutMs`. */
export async function waitFor(
	ready: () => Promise<boolean>,
	timeoutMs: number,
	describe: () => string,
): Promise<void> {
	const started = Date.now();
	while (!(await ready().catch(() => false))) {
		if (Date.now() - started > timeoutMs) throw new Error(describe());
		await sleep(100);
	}
}

/**
 * Ends a child started with `detached: true` (its own process group) and everything in that
 * group: `signal` first, SIGKILL after `graceMs`.
 */
export async function stopGroup(
	child: ChildProcess,
	signal: NodeJS.Signals = 'SIGTERM',
	graceMs = 10_000,
): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const kill = (sig: NodeJS.Signals) => {
		try {
			process.kill(-child.pid!, sig);
		} catch {
			/* already gone */
		}
	};
	kill(signal);
	const timer = setTimeout(() => kill('SIGKILL'), graceMs);
	await exited;
	clearTimeout(timer);
}

/** Collects a child's stdout and stderr. */
export function collectOutput(child: ChildProcess): () => string {
	let output = '';
	child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	return () => output;
}
