/**
 * Section 9 of `npm run bench`: one 429 on an account that sends no rate-limit headers
 * (issue 22 §5). Three runs against a sandbox in this process, the node from dist/:
 *
 *   a. a small run — Update SIP Password on 2 items — whose second request meets one 429 with
 *      `Retry-After: 1`, on Exotel's real minute: the run's time ÷ the 1 s asked;
 *   b. a trigger's polls — Get Many (every user, 5 pages) once per window through one node
 *      instance, as a trigger's polls go through one process's pacer — with one 429 on the
 *      second poll's third page (Retry-After: 1 s of a minute), the window scaled down: each
 *      poll's time ÷ the interval;
 *   c. a long run — Get user for every user of a large account at Concurrency 8, Requests per
 *      Minute 0 — against an account that takes L per (scaled) window and says so only with
 *      429s: the 429s ÷ the requests and the accepted rate ÷ L over the inner windows, so the
 *      slow-down's protection (a 429 that repeats another halves the rate) shows.
 */
import type { IDataObject, INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';

import { runNode } from '../dev/harness/n8n';
import { seedUsers, startSandbox, type ExotelSandbox } from '../dev/sandbox/server';
import { BENCH_CREDENTIALS, built, builtInNewProcess } from './lib';

export interface Lone429Result {
	small: { seconds: number; retryAfterS: number; refused: number; ok: number };
	polls: { windowMs: number; seconds: number[]; refused: number; pages: number };
	long: {
		items: number;
		limit: number;
		windowMs: number;
		requests: number;
		refused: number;
		inner: number;
		lost: number;
		seconds: number;
	};
}

const byId = (value: string) => ({ __rl: true, mode: 'id', value });

async function run(
	sandbox: ExotelSandbox,
	node: INodeType,
	parameters: INodeParameters,
	items?: INodeExecutionData[],
) {
	const { ExotelUsersApi } = built();
	const [output] = await runNode({
		nodeType: node,
		credentialType: new ExotelUsersApi(),
		credentials: { ...BENCH_CREDENTIALS, region: 'custom', baseUrl: sandbox.url },
		parameters,
		items,
		continueOnFail: true,
	});
	return output;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

async function smallRun(): Promise<Lone429Result['small']> {
	const [asha, vikram] = seedUsers();
	const sandbox = await startSandbox({ ...BENCH_CREDENTIALS, users: [asha, vikram] });
	try {
		// The second request: with one sent before it, the old slow-down halved "2 a minute" to 1.
		sandbox.faults.add({ kind: 'status', status: 429, retryAfter: 1, times: 1, userId: vikram.id });
		const { ExotelUsers } = built();
		const started = performance.now();
		// Continue On Fail skips the pre-flight read: two requests, as in the issue.
		const output = await run(
			sandbox,
			new ExotelUsers(),
			{
				resource: 'user',
				operation: 'updateSipPassword',
				userId: byId('={{ $json.user }}'),
				deviceId: '={{ $json.device }}',
				password: '={{ $json.pw }}',
			},
			[asha, vikram].map((u, i) => ({
				json: {
					user: u.id,
					device: String(u.devices[0].id),
					pw: `Lone-429-${i}-Pw9!`,
				} as IDataObject,
			})),
		);
		return {
			seconds: seconds(started),
			retryAfterS: 1,
			refused: sandbox.requests.filter((r) => r.status === 429).length,
			ok: output.filter((o) => o.json.http_code === 200).length,
		};
	} finally {
		await sandbox.stop();
	}
}

async function polls(count: number, windowMs: number): Promise<Lone429Result['polls']> {
	// The 429 comes on poll 2's third page: with two requests sent in the window, the old
	// slow-down cut the account to 1 a window, and the poll's last pages waited windows for it.
	let refuseAt = Number.POSITIVE_INFINITY;
	const sandbox: ExotelSandbox = await startSandbox({
		...BENCH_CREDENTIALS,
		users: seedUsers(250),
		onRequest: () => {
			if (sandbox.requests.length === refuseAt)
				sandbox.faults.add({
					kind: 'status',
					status: 429,
					retryAfter: windowMs / 60_000,
					times: 1,
				});
		},
	});
	try {
		const node = builtInNewProcess(windowMs);
		const took: number[] = [];
		let next = performance.now();
		for (let poll = 0; poll < count; poll++) {
			// Like n8n's schedule: a poll starts at its tick, or when the last one ended if that is later.
			const wait = next - performance.now();
			if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
			if (poll === 1) refuseAt = sandbox.requests.length + 2;
			const started = performance.now();
			// The retry's own jitter (Retry Base Delay) scaled with the window, as the 429's wait is.
			await run(sandbox, node, {
				resource: 'user',
				operation: 'getAll',
				returnAll: true,
				options: { retryBaseDelay: windowMs / 60_000 },
			});
			took.push(seconds(started));
			next = started + windowMs;
		}
		const pages = sandbox.requests.filter((r) => r.status === 200).length / count;
		return {
			windowMs,
			seconds: took,
			refused: sandbox.requests.filter((r) => r.status === 429).length,
			pages,
		};
	} finally {
		await sandbox.stop();
	}
}

async function longRun(
	items: number,
	limit: number,
	windowMs: number,
): Promise<Lone429Result['long']> {
	const users = seedUsers(items);
	const sandbox = await startSandbox({
		...BENCH_CREDENTIALS,
		users,
		rateLimit: { limit, windowMs, headers: false },
	});
	try {
		const started = performance.now();
		const output = await run(
			sandbox,
			builtInNewProcess(windowMs),
			{
				resource: 'user',
				operation: 'get',
				userId: byId('={{ $json.id }}'),
				options: { concurrency: 8 },
			},
			users.map((u) => ({ json: { id: u.id } })),
		);
		const accepted = sandbox.requests.filter((r) => r.status !== 429).map((r) => r.receivedAt);
		const perWindow = new Map<number, number>();
		for (const at of accepted)
			perWindow.set(Math.floor(at / windowMs), (perWindow.get(Math.floor(at / windowMs)) ?? 0) + 1);
		const windows = [...perWindow.keys()].sort((a, b) => a - b);
		const inner = windows.slice(1, -1).map((w) => (perWindow.get(w) ?? 0) / limit);
		return {
			items,
			limit,
			windowMs,
			requests: sandbox.requests.length,
			refused: sandbox.requests.length - accepted.length,
			inner: inner.length ? inner.reduce((a, b) => a + b, 0) / inner.length : Number.NaN,
			lost: output.filter((o) => typeof o.json.error === 'string').length,
			seconds: seconds(started),
		};
	} finally {
		await sandbox.stop();
	}
}

export async function measureLone429(smoke: boolean): Promise<Lone429Result> {
	return {
		small: await smallRun(),
		polls: smoke ? await polls(3, 2000) : await polls(6, 6000),
		long: smoke ? await longRun(100, 25, 1000) : await longRun(600, 100, 6000),
	};
}

export function lone429Section(r: Lone429Result, verdict: (ok: boolean) => string): string[] {
	const { small, polls: p, long } = r;
	const interval = p.windowMs / 1000;
	const later = Math.max(...p.seconds.slice(2)) / interval;
	return [
		'## 9. One 429 without rate-limit headers (issue 22 §5)',
		'',
		'An account whose answers carry no `X-RateLimit-*` headers: a lone 429 only waits what Exotel asks; a 429 that repeats another within two windows halves the rate (the slow-down).',
		'',
		'| run | measure | value | target |',
		'|---|---|---:|---|',
		`| a. 2 updates, the second refused once with Retry-After: 1, Exotel's real minute | run time ÷ the 1 s asked | ${(small.seconds / small.retryAfterS).toFixed(2)} (${small.seconds.toFixed(2)} s; ${small.refused} × 429, ${small.ok} of 2 done) | ≤ 3 (1 s, up to 1 s of jitter, the requests): ${verdict(small.seconds / small.retryAfterS <= 3)}; before this change the same run waited a minute (the fake-clock test in client.test.ts: 60 s) |`,
		`| b. polls of ${p.pages} pages every ${interval} s (a minute scaled), one 429 on poll 2's page 3 | poll 2 (the 429) ÷ the interval | ${(p.seconds[1] / interval).toFixed(2)} | < 1 (it ends before the next tick): ${verdict(p.seconds[1] < interval)} |`,
		`| | polls 3–${p.seconds.length}, slowest ÷ the interval | ${later.toFixed(2)} | < 0.5 (back to their pace): ${verdict(later < 0.5)} |`,
		`| c. ${long.items} reads at Concurrency 8, the account taking ${long.limit} per ${long.windowMs / 1000} s window (429s only) | 429s ÷ requests | ${(long.refused / long.requests).toFixed(3)} (${long.refused} of ${long.requests}) | context (the slow-down at work; section 5 has the shared-account figures) |`,
		`| | accepted rate ÷ the limit, inner windows | ${long.inner.toFixed(3)} | context |`,
		`| | items lost | ${long.lost} | 0 |`,
		'',
		`Poll times (s): ${p.seconds.map((s) => s.toFixed(2)).join(', ')}. Long run: ${long.seconds.toFixed(1)} s.`,
		'',
	];
}
