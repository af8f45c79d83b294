/**
 * The benchmark's child processes, run under tsx: the sandbox's (bench/sandbox-child.ts), which
 * this process drives over IPC, and the forks the sections start (scale, share).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

import { ROOT } from './config';
import type { Target } from './lib';
import { problems } from './report';
import type { FromSandbox, ToSandbox } from './sandbox-child';

export interface SandboxChild {
	target: Target;
	/** Counts of the requests since the last drain; checks they were all answered 200. */
	expect(label: string, requests: number): Promise<void>;
	/** Enforces `limit` requests per `windowMs` until the next drain: with `headers`, fixed windows and Exotel's headers; without, a rolling window. */
	rateLimit(limit: number, windowMs: number, headers?: boolean): Promise<void>;
	/** Arrival time and status of every request since the last drain; then forgets them. */
	arrivals(): Promise<Array<[receivedAt: number, status: number]>>;
	stop(): Promise<void>;
}

export function tsxFork(file: string, args: string[], extraExecArgv: string[] = []): ChildProcess {
	return fork(path.join(__dirname, file), args, {
		cwd: ROOT,
		execArgv: ['--import', 'tsx', ...extraExecArgv],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
}

/** The child's next message; fails if it exits first. */
export function nextMessage<T>(child: ChildProcess, name: string): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const onExit = (code: number | null) => reject(new Error(`${name} exited (${code})`));
		child.once('exit', onExit);
		child.once('message', (m: T) => {
			child.off('exit', onExit);
			resolve(m);
		});
	});
}

export async function startSandboxChild(): Promise<SandboxChild> {
	const child = tsxFork('sandbox-child.ts', []);
	const next = () => nextMessage<FromSandbox>(child, 'sandbox child');
	const send = (message: ToSandbox) => child.send(message);
	const ready = await next();
	if (ready.type !== 'ready') throw new Error('sandbox child did not start');
	return {
		target: { url: ready.url, userId: ready.userId, deviceId: ready.deviceId },
		async expect(label, requests) {
			const answer = next();
			send({ type: 'drain' });
			const drained = await answer;
			if (drained.type !== 'drained') throw new Error('sandbox child: unexpected answer');
			const ok = drained.byStatus[200] ?? 0;
			if (drained.total !== requests || ok !== requests) {
				problems.push(
					`${label}: the sandbox saw ${drained.total} requests (${JSON.stringify(drained.byStatus)}), expected ${requests} answered 200`,
				);
			}
		},
		async rateLimit(limit, windowMs, headers = false) {
			const answer = next();
			send({ type: 'rate-limit', limit, windowMs, headers });
			if ((await answer).type !== 'limited') throw new Error('sandbox child: unexpected answer');
		},
		async arrivals() {
			const answer = next();
			send({ type: 'drain', arrivals: true });
			const drained = await answer;
			if (drained.type !== 'drained' || !drained.arrivals)
				throw new Error('sandbox child: unexpected answer');
			return drained.arrivals;
		},
		async stop() {
			const exited = new Promise((resolve) => child.once('exit', resolve));
			send({ type: 'stop' });
			await exited;
		},
	};
}
