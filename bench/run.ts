/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- not shipped: linted by eslint.support.config.mjs */
/**
 * `npm run bench` / `npm run bench:smoke` — the node's cost and pacing, as RATIOS measured
 * in one run against the Exotel sandbox on 127.0.0.1 (never absolute timed assertions).
 * The sandbox runs in a child process (bench/sandbox-child.ts), so this process does client
 * work only.
 *
 *   1. Overhead: N SIP password updates through the node (runNode, Update SIP Password, the
 *      password from an expression) vs (a) the same N requests made with n8n-core's
 *      httpRequestWithAuthentication in a bare loop — the floor for any node using n8n's
 *      authenticated helper — and (b) a raw axios PUT loop (for information). Concurrency 1
 *      and 8; each variant warmed up, then rounds in rotating order; medians, ratio of
 *      medians, spread, and this process's CPU time.
 *   2. Pacing: N updates with Requests per Minute = R against a sandbox that enforces R per
 *      window, the window scaled down (the node loaded with a registry on that window: lib.ts).
 *   3. Scale: 10,000 vs 1,000 items through the node — time per item and memory, each size
 *      in fresh processes (bench/scale-child.ts).
 *   4. Package: `npm pack --dry-run --json`.
 *   5. Executions sharing one account: N executions at once on one sandbox account that
 *      enforces L per (scaled) window — in this process, and in two child processes
 *      (bench/share-child.ts) — with the node's pacing (one window per account per process,
 *      the slow-down after a 429): accepted rate ÷ L, 429s ÷ requests, items lost, spread of
 *      finish times. (--smoke: this process only.)
 *   6. Requests per reset for each way of choosing the user and the device, and per answer of
 *      the editor's user search (bench/requests.ts): exact counts.
 *   8. Resets By Email at the account's scale: requests per reset and reads of the account
 *      (bench/byEmail.ts): exact counts.
 *   9. One 429 without rate-limit headers: a small run, a trigger's polls, a long run (bench/lone429.ts).
 *
 * A full run overwrites bench/RESULTS.md, appending bench/ANALYSIS.md (hand-written notes on
 * the figures). `--smoke` runs tiny sizes, prints, writes nothing, and exits non-zero only
 * when something is broken (an error, a 429 while pacing, a wrong count) — never on a
 * missed performance target. A run with something broken never writes RESULTS.md.
 *
 * For development (RESULTS.md is then not written):
 *   --only overhead,pacing,scale,package,sharing,requests,rotation,byemail,lone429   run some sections
 *   --pacing-concurrency N                 the pacing run's Concurrency option (default 8)
 *   --scenario 'headers off: two'          run only section 5's scenarios whose label contains this
 *   BENCH_DIST=/path/to/dist               measure another build of the node (see lib.ts)
 */
import axios from 'axios';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { buildExecuteContext, runNode } from '../dev/harness/n8n';
import {
	BENCH_CREDENTIALS,
	DIST_LABEL,
	MiB,
	badOutputs,
	built,
	builtInNewProcess,
	collectGarbage,
	credentialsFor,
	itemsFor,
	max,
	median,
	min,
	passwordFor,
	passwordUrl,
	pool,
	resetParameters,
	type Target,
} from './lib';
import { runExecutions, type ExecutionResult, type ExecutionsJob } from './executions';
import { measureRotation, rotationSection, type RotationResult } from './rotation';
import { byEmailSection, measureByEmail, type ByEmailRow } from './byEmail';
import { lone429Section, measureLone429, type Lone429Result } from './lone429';
import { measureRequestsPerReset, requestsSection, type RequestsResult } from './requests';
import type { FromSandbox, ToSandbox } from './sandbox-child';
import type { FromShareChild } from './share-child';
import type { ScaleJob, ScaleResult } from './scale-child';

const ROOT = path.resolve(__dirname, '..');
const SMOKE = process.argv.includes('--smoke');
/** `--only overhead,pacing` runs some sections (for development; RESULTS.md is then not written). */
const ONLY = (() => {
	const at = process.argv.indexOf('--only');
	return at < 0 ? undefined : new Set(process.argv[at + 1]?.split(','));
})();
/** `--pacing-concurrency N` overrides the pacing run's Concurrency option (for development). */
const PACING_CONCURRENCY = (() => {
	const at = process.argv.indexOf('--pacing-concurrency');
	return at < 0 ? undefined : Number(process.argv[at + 1]);
})();
/** `--scenario text` keeps section 5's scenarios whose label contains it (for development). */
const SCENARIO = (() => {
	const at = process.argv.indexOf('--scenario');
	return at < 0 ? undefined : process.argv[at + 1];
})();
const wanted = (section: 'overhead' | 'pacing' | 'scale' | 'package' | 'sharing' | 'requests' | 'rotation' | 'byemail' | 'lone429') => !ONLY || ONLY.has(section);
const LOAD_AT_START = os.loadavg()[0];

const CONFIG = SMOKE
	? {
			overhead: { requests: 50, rounds: 3, concurrencies: [1, 8], rewarm: 0.3 },
			pacing: { requests: 30, perWindow: 10, windowMs: 1000, concurrency: 8 },
			scale: { small: 50, large: 200, reps: 1, concurrency: 8, warmup: 50, rewarm: 20, smallRuns: 2 },
			sharing: { perWindow: 10, windowMs: 1000, executions: 3, perProcess: 2, itemsPerExecution: 10, concurrency: 4 },
		}
	: {
			overhead: { requests: 1000, rounds: 9, concurrencies: [1, 8], rewarm: 0.3 },
			pacing: { requests: 1000, perWindow: 100, windowMs: 6000, concurrency: 8 },
			scale: { small: 1000, large: 10_000, reps: 3, concurrency: 8, warmup: 3000, rewarm: 300, smallRuns: 3 },
			sharing: { perWindow: 100, windowMs: 6000, executions: 3, perProcess: 2, itemsPerExecution: 200, concurrency: 4 },
		};

const TARGETS = { nodeVsHelper: 1.2, pacing: 0.95, scaleLinear: 1.1, sharedRate: 0.9, sharedRefusals: 0.02 };

/** What is broken (not slow): any entry makes the run exit non-zero. */
const problems: string[] = [];
const log = (line = '') => console.log(line);

// ---------------------------------------------------------------------------
// The sandbox child
// ---------------------------------------------------------------------------
interface SandboxChild {
	target: Target;
	/** Counts of the requests since the last drain; checks they were all answered 200. */
	expect(label: string, requests: number): Promise<void>;
	/** Enforces `limit` requests per `windowMs` until the next drain: with `headers`, fixed windows and Exotel's headers; without, a rolling window. */
	rateLimit(limit: number, windowMs: number, headers?: boolean): Promise<void>;
	/** Arrival time and status of every request since the last drain; then forgets them. */
	arrivals(): Promise<Array<[receivedAt: number, status: number]>>;
	stop(): Promise<void>;
}

function tsxFork(file: string, args: string[], extraExecArgv: string[] = []): ChildProcess {
	return fork(path.join(__dirname, file), args, {
		cwd: ROOT,
		execArgv: ['--import', 'tsx', ...extraExecArgv],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
}

/** The child's next message; fails if it exits first. */
function nextMessage<T>(child: ChildProcess, name: string): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const onExit = (code: number | null) => reject(new Error(`${name} exited (${code})`));
		child.once('exit', onExit);
		child.once('message', (m: T) => {
			child.off('exit', onExit);
			resolve(m);
		});
	});
}

async function startSandboxChild(): Promise<SandboxChild> {
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
				problems.push(`${label}: the sandbox saw ${drained.total} requests (${JSON.stringify(drained.byStatus)}), expected ${requests} answered 200`);
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
			if (drained.type !== 'drained' || !drained.arrivals) throw new Error('sandbox child: unexpected answer');
			return drained.arrivals;
		},
		async stop() {
			const exited = new Promise((resolve) => child.once('exit', resolve));
			send({ type: 'stop' });
			await exited;
		},
	};
}

// ---------------------------------------------------------------------------
// 1. Overhead
// ---------------------------------------------------------------------------
type Variant = 'node' | 'helper' | 'axios';
const VARIANT_LABEL: Record<Variant, string> = {
	node: 'node (runNode, Update SIP Password)',
	helper: '(a) httpRequestWithAuthentication loop',
	axios: '(b) raw axios PUT loop',
};

interface Timing {
	/** Wall-clock time of the batch. */
	ms: number;
	/** CPU time (user + system) this process spent in it: the client's own cost, the sandbox's excluded. */
	cpuMs: number;
}

/** One batch of `n` password updates the given way. */
async function batch(variant: Variant, target: Target, n: number, concurrency: number): Promise<Timing> {
	const { ExotelUsers, ExotelUsersApi } = built();
	const url = passwordUrl(target);
	const passwords = Array.from({ length: n }, (_, i) => passwordFor(i));
	const items = itemsFor(n);
	const failures: string[] = [];
	const check = (i: number, httpCode: unknown) => {
		if (httpCode !== 200) failures.push(`request ${i}: ${String(httpCode)}`);
	};
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	if (variant === 'node') {
		const output = await runNode({
			nodeType: new ExotelUsers(),
			credentialType: new ExotelUsersApi(),
			credentials: credentialsFor(target),
			items,
			parameters: resetParameters(target, { concurrency }),
			continueOnFail: true,
		});
		const bad = badOutputs(output, n);
		if (bad) failures.push(bad);
	} else if (variant === 'helper') {
		// The same execution context a node gets; n8n's helper applies the credential's Basic auth.
		const { ctx } = buildExecuteContext({
			nodeType: new ExotelUsers(),
			credentialType: new ExotelUsersApi(),
			credentials: credentialsFor(target),
			items,
			parameters: resetParameters(target, { concurrency }),
		});
		await pool(n, concurrency, async (i) => {
			const answer = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, 'exotelUsersApi', {
				method: 'PUT',
				url,
				body: { password: passwords[i] },
				json: true,
				timeout: 30_000,
			})) as { http_code?: unknown };
			check(i, answer.http_code);
		});
	} else {
		const client = axios.create({ timeout: 30_000 });
		const authorization = 'Basic ' + Buffer.from(`${BENCH_CREDENTIALS.apiKey}:${BENCH_CREDENTIALS.apiToken}`).toString('base64');
		await pool(n, concurrency, async (i) => {
			const answer = await client.put<{ http_code?: unknown }>(url, { password: passwords[i] }, { headers: { Authorization: authorization } });
			check(i, answer.data.http_code);
		});
	}
	const ms = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	if (failures.length) problems.push(`${variant} c=${concurrency}: ${failures.length} failures, first: ${failures[0]}`);
	return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * A timed batch that starts from the same state whichever variant ran before: a full GC
 * (so no variant pays for another's garbage), then a short untimed run of the same variant
 * (a forced GC leaves the heap small and slows the next few hundred requests of any kind).
 */
async function timedBatch(sandbox: SandboxChild, label: string, variant: Variant, n: number, concurrency: number): Promise<Timing> {
	const rewarm = Math.max(10, Math.round(n * CONFIG.overhead.rewarm));
	collectGarbage();
	await batch(variant, sandbox.target, rewarm, concurrency);
	const timing = await batch(variant, sandbox.target, n, concurrency);
	await sandbox.expect(label, rewarm + n);
	return timing;
}

interface OverheadResult {
	concurrency: number;
	ms: Record<Variant, number[]>;
	cpuMs: Record<Variant, number[]>;
}

async function measureOverhead(sandbox: SandboxChild): Promise<OverheadResult[]> {
	const { requests, rounds, concurrencies } = CONFIG.overhead;
	const variants: Variant[] = ['helper', 'node', 'axios'];
	const results: OverheadResult[] = concurrencies.map((concurrency) => ({
		concurrency,
		ms: { node: [], helper: [], axios: [] },
		cpuMs: { node: [], helper: [], axios: [] },
	}));
	log(`1. Overhead: ${requests} requests per batch; warm-up, then ${rounds} rounds in rotating order`);
	for (const { concurrency } of results) {
		for (const variant of variants) {
			await batch(variant, sandbox.target, requests, concurrency);
			await sandbox.expect(`warm-up ${variant} c=${concurrency}`, requests);
		}
	}
	for (let round = 0; round < rounds; round++) {
		const order = variants.map((_, i) => variants[(i + round) % variants.length]);
		for (const result of results) {
			for (const variant of order) {
				const { ms, cpuMs } = await timedBatch(sandbox, `round ${round + 1} ${variant} c=${result.concurrency}`, variant, requests, result.concurrency);
				result.ms[variant].push(ms);
				result.cpuMs[variant].push(cpuMs);
			}
		}
		log(
			`   round ${round + 1}/${rounds} (${order.join(', ')}): ` +
				results.map((r) => `c=${r.concurrency} ` + variants.map((v) => `${v} ${r.ms[v][round].toFixed(0)} ms`).join(' / ')).join('; '),
		);
	}
	return results;
}

// ---------------------------------------------------------------------------
// 2. Pacing
// ---------------------------------------------------------------------------
interface PacingResult {
	requests: number;
	perWindow: number;
	windowMs: number;
	concurrency: number;
	elapsedMs: number;
	spanMs: number;
	idealSpanMs: number;
	/** Requests per window in the paced part of the run (after the first window's allowance). */
	achievedPerWindow: number;
	maxInAnyWindow: number;
	tooMany: number;
	otherStatuses: Record<number, number>;
}

async function measurePacing(sandbox: SandboxChild): Promise<PacingResult> {
	const { requests, perWindow, windowMs } = CONFIG.pacing;
	const concurrency = PACING_CONCURRENCY ?? CONFIG.pacing.concurrency;
	log(`2. Pacing: ${requests} requests, Requests per Minute = ${perWindow}, window scaled to ${windowMs} ms`);
	const { ExotelUsersApi } = built();
	const { target } = sandbox;
	await sandbox.rateLimit(perWindow, windowMs);
	const t0 = performance.now();
	const output = await runNode({
		nodeType: builtInNewProcess(windowMs),
		credentialType: new ExotelUsersApi(),
		credentials: credentialsFor(target),
		items: itemsFor(requests),
		parameters: resetParameters(target, { concurrency, requestsPerMinute: perWindow }),
		continueOnFail: true,
	});
	const elapsedMs = performance.now() - t0;
	const bad = badOutputs(output, requests);
	if (bad) problems.push(`pacing: ${bad}`);

	const arrivals = await sandbox.arrivals();
	const tooMany = arrivals.filter(([, status]) => status === 429).length;
	const otherStatuses: Record<number, number> = {};
	for (const [, status] of arrivals) if (status !== 200 && status !== 429) otherStatuses[status] = (otherStatuses[status] ?? 0) + 1;
	if (tooMany > 0) problems.push(`pacing: the sandbox answered 429 ${tooMany} times`);
	if (Object.keys(otherStatuses).length) problems.push(`pacing: unexpected statuses ${JSON.stringify(otherStatuses)}`);
	const admitted = arrivals.filter(([, status]) => status === 200).map(([at]) => at).sort((a, b) => a - b);
	if (admitted.length !== requests) problems.push(`pacing: ${admitted.length} requests answered 200, expected ${requests}`);

	const spanMs = admitted[admitted.length - 1] - admitted[0];
	// The limiter may send `perWindow` at once; each later group of `perWindow` one window on.
	const idealSpanMs = Math.floor((requests - 1) / perWindow) * windowMs;
	const achievedPerWindow = ((requests - perWindow) / spanMs) * windowMs;
	let maxInAnyWindow = 0;
	for (let i = 0, j = 0; i < admitted.length; i++) {
		while (admitted[j] <= admitted[i] - windowMs) j++;
		maxInAnyWindow = Math.max(maxInAnyWindow, i - j + 1);
	}
	return { requests, perWindow, windowMs, concurrency, elapsedMs, spanMs, idealSpanMs, achievedPerWindow, maxInAnyWindow, tooMany, otherStatuses };
}

// ---------------------------------------------------------------------------
// 5. Executions sharing one account
// ---------------------------------------------------------------------------
interface SharingScenario {
	label: string;
	processes: 1 | 2 | 4;
	/** Requests per Minute each execution sets. */
	requestsPerMinute: number;
	/** Whether the sandbox sends Exotel's rate-limit headers (fixed windows) or not (a rolling window). */
	headers: boolean;
	/** Executions per process and items per execution, when not the section's defaults. */
	executions?: number;
	items?: number;
	/** Concurrency, when not the section's (default settings: 1). */
	concurrency?: number;
}

interface SharingResult extends SharingScenario {
	executions: number;
	items: number;
	wallMs: number;
	requests: number;
	accepted: number;
	refused: number;
	otherStatuses: Record<number, number>;
	/** Accepted requests per window after the first window's allowance, ÷ L. */
	rateVsLimit: number;
	lost: number;
	firstLoss?: string;
	/** Last execution's end − first execution's end. */
	finishSpreadMs: number;
	/** Accepted requests in each fixed window of the sandbox (aligned to the epoch) but the first and the last, ÷ L. */
	innerWindows: number[];
}

/** The scenarios of a run; a smoke run keeps to this process (starting child processes would take most of its minute). */
function sharingScenarios(): SharingScenario[] {
	const L = CONFIG.sharing.perWindow;
	// Headers on: 4 windows' worth of requests in all, however many processes share them.
	const onHeaders = (processes: 1 | 2 | 4, requestsPerMinute: number, label: string): SharingScenario => ({
		label,
		processes,
		requestsPerMinute,
		headers: true,
		executions: 1,
		items: (4 * L) / processes,
		concurrency: requestsPerMinute === 0 ? 1 : undefined,
	});
	const all: SharingScenario[] = [
		onHeaders(1, 0, 'headers on: one execution alone, default settings'),
		onHeaders(2, 0, 'headers on: two processes, default settings'),
		onHeaders(4, 0, 'headers on: four processes, default settings'),
		onHeaders(2, L, 'headers on: two processes at L each'),
		onHeaders(4, L, 'headers on: four processes at L each'),
		{ label: 'headers off: one process, one window per account (the node)', processes: 1, requestsPerMinute: L, headers: false },
		{ label: 'headers off: two processes at L each, slow-down after 429 (the node)', processes: 2, requestsPerMinute: L, headers: false },
		{ label: 'headers off: two processes at L ÷ 2 each (the old README’s recipe)', processes: 2, requestsPerMinute: Math.floor(L / 2), headers: false },
	];
	const chosen = SCENARIO === undefined ? all : all.filter((s) => s.label.includes(SCENARIO));
	return SMOKE ? chosen.filter((s) => s.processes === 1) : chosen;
}

/** Accepted requests per fixed window of `windowMs` (aligned to the epoch), but the first and the last, ÷ L. */
function innerWindowShares(admitted: number[], windowMs: number, L: number): number[] {
	const counts = new Map<number, number>();
	for (const at of admitted) counts.set(Math.floor(at / windowMs), (counts.get(Math.floor(at / windowMs)) ?? 0) + 1);
	const windows = [...counts.keys()].sort((a, b) => a - b);
	const inner: number[] = [];
	for (let w = windows[0] + 1; w < windows[windows.length - 1]; w++) inner.push((counts.get(w) ?? 0) / L);
	return inner;
}

/** The run's Options, Exotel's minute scaled down: waits scale with it (base delay 1 s of a minute). */
function sharingOptions(requestsPerMinute: number, concurrency = CONFIG.sharing.concurrency): Record<string, number> {
	const { windowMs } = CONFIG.sharing;
	return {
		concurrency,
		requestsPerMinute,
		retryBaseDelay: windowMs / 60_000,
		// The sandbox's Retry-After is whole seconds, up to a (scaled) window: a retry may wait that long.
		maxRetryWait: Math.ceil(windowMs / 1000) + 2,
		timeout: 5,
	};
}

async function runInChildren(job: ExecutionsJob, processes: number): Promise<ExecutionResult[]> {
	const children = Array.from({ length: processes }, () => tsxFork('share-child.ts', [JSON.stringify(job)]));
	const answer = (child: ChildProcess) => nextMessage<FromShareChild>(child, 'share child');
	await Promise.all(children.map(answer)); // each is ready
	const done = children.map(answer);
	for (const child of children) child.send({ type: 'go' });
	const results: ExecutionResult[] = [];
	for (const message of await Promise.all(done)) {
		if (message.type !== 'done') throw new Error(`share child: ${message.type === 'failed' ? message.message : message.type}`);
		results.push(...message.results);
	}
	return results;
}

async function measureSharing(sandbox: SandboxChild): Promise<SharingResult[]> {
	const { perWindow: L, windowMs, executions, perProcess, itemsPerExecution } = CONFIG.sharing;
	log(`5. Executions sharing one account: limit L = ${L} per ${windowMs} ms window (Exotel's minute scaled down), ${itemsPerExecution} items per execution`);
	const out: SharingResult[] = [];
	for (const scenario of sharingScenarios()) {
		const count = scenario.executions ?? (scenario.processes === 1 ? executions : perProcess);
		const job: ExecutionsJob = {
			target: sandbox.target,
			executions: count,
			itemsPerExecution: scenario.items ?? itemsPerExecution,
			windowMs,
			options: sharingOptions(scenario.requestsPerMinute, scenario.concurrency),
		};
		await sandbox.rateLimit(L, windowMs, scenario.headers);
		const t0 = performance.now();
		const results = scenario.processes === 1 ? await runExecutions(job) : await runInChildren(job, scenario.processes);
		const wallMs = performance.now() - t0;
		const arrivals = await sandbox.arrivals();

		const admitted = arrivals.filter(([, status]) => status === 200).map(([at]) => at).sort((a, b) => a - b);
		const refused = arrivals.filter(([, status]) => status === 429).length;
		const otherStatuses: Record<number, number> = {};
		for (const [, status] of arrivals) if (status !== 200 && status !== 429) otherStatuses[status] = (otherStatuses[status] ?? 0) + 1;
		const spanMs = admitted.length > 1 ? admitted[admitted.length - 1] - admitted[0] : 0;
		const rateVsLimit = spanMs > 0 ? ((admitted.length - L) / spanMs) * (windowMs / L) : 0;
		const lost = results.reduce((n, r) => n + r.lost, 0);
		const ends = results.map((r) => r.endedAt);
		const result: SharingResult = {
			...scenario,
			executions: results.length,
			items: results.reduce((n, r) => n + r.items, 0),
			wallMs,
			requests: arrivals.length,
			accepted: admitted.length,
			refused,
			otherStatuses,
			rateVsLimit,
			lost,
			firstLoss: results.find((r) => r.firstLoss)?.firstLoss,
			finishSpreadMs: Math.max(...ends) - Math.min(...ends),
			innerWindows: innerWindowShares(admitted, windowMs, L),
		};
		out.push(result);
		if (lost > 0) problems.push(`sharing, ${scenario.label}: ${lost} items lost (first: ${result.firstLoss})`);
		if (Object.keys(otherStatuses).length) problems.push(`sharing, ${scenario.label}: unexpected statuses ${JSON.stringify(otherStatuses)}`);
		if (result.accepted !== result.items - lost) problems.push(`sharing, ${scenario.label}: the sandbox accepted ${result.accepted} requests for ${result.items - lost} items that succeeded`);
		log(
			`   ${scenario.label}: ${result.executions} executions, ${fmt(wallMs / 1000, 1)} s; accepted ÷ L ${fmt(rateVsLimit, 3)}; ` +
				`inner windows ÷ L ${result.innerWindows.map((w) => fmt(w, 2)).join(' ') || '-'}; ` +
				`429s ${refused} of ${arrivals.length} (${fmt((100 * refused) / Math.max(1, arrivals.length), 1)} %); lost ${lost}; finish spread ${fmt(result.finishSpreadMs / 1000, 2)} s`,
		);
	}
	return out;
}

// ---------------------------------------------------------------------------
// 3. Scale
// ---------------------------------------------------------------------------
async function scaleRun(job: ScaleJob): Promise<ScaleResult> {
	const child = tsxFork('scale-child.ts', [JSON.stringify(job)], ['--expose-gc']);
	return await new Promise<ScaleResult>((resolve, reject) => {
		let result: ScaleResult | undefined;
		child.once('message', (m: ScaleResult) => (result = m));
		child.once('exit', (code) => (result ? resolve(result) : reject(new Error(`scale child exited (${code}) without a result`))));
	});
}

async function measureScale(sandbox: SandboxChild): Promise<Record<'small' | 'large', ScaleResult[]>> {
	const { small, large, reps, concurrency, warmup, rewarm, smallRuns } = CONFIG.scale;
	log(
		`3. Scale: ${large} vs ${small} items, concurrency ${concurrency}; ${reps} fresh process(es) per size, ` +
			`each: a ${warmup}-item warm-up, then ${smallRuns} measured run(s) of ${small} or 1 of ${large}, each after a GC and a ${rewarm}-item re-warm`,
	);
	const out: Record<'small' | 'large', ScaleResult[]> = { small: [], large: [] };
	for (let rep = 0; rep < reps; rep++) {
		for (const size of ['small', 'large'] as const) {
			const items = CONFIG.scale[size];
			const runs = size === 'small' ? smallRuns : 1;
			const result = await scaleRun({ target: sandbox.target, items, concurrency, warmupItems: warmup, rewarmItems: rewarm, runs });
			await sandbox.expect(`scale ${items}`, warmup + runs * (rewarm + items));
			if (result.problem) problems.push(`scale ${items}: ${result.problem}`);
			if (result.runs.length !== runs) problems.push(`scale ${items}: ${result.runs.length} measured runs, expected ${runs}`);
			out[size].push(result);
			log(`   ${items} items: ${result.runs.map((r) => `${r.ms.toFixed(0)} ms`).join(', ')}; peak rss ${(max(result.runs.map((r) => r.peak.rss)) / MiB).toFixed(0)} MiB`);
		}
	}
	return out;
}

// ---------------------------------------------------------------------------
// 4. Package
// ---------------------------------------------------------------------------
interface PackResult {
	filename: string;
	size: number;
	unpackedSize: number;
	entryCount: number;
}

function measurePackage(): PackResult | undefined {
	log('4. Package: npm pack --dry-run --json');
	try {
		const raw = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
		const [pack] = JSON.parse(raw.slice(raw.indexOf('['))) as PackResult[];
		return { filename: pack.filename, size: pack.size, unpackedSize: pack.unpackedSize, entryCount: pack.entryCount };
	} catch (error) {
		problems.push(`npm pack --dry-run failed: ${error instanceof Error ? error.message : String(error)}`);
		return undefined;
	}
}

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------
const fmt = (n: number, digits = 2) => n.toFixed(digits);
/** Smoke sizes are too small to measure anything: their verdicts are shown, never counted. */
const verdict = (ok: boolean) => (SMOKE ? `${ok ? 'met' : 'missed'} at smoke size, not a measurement` : ok ? 'met' : '**MISSED**');

function environment(): string[] {
	const cpus = os.cpus();
	const n8nCore = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/n8n-core/package.json'), 'utf8')) as { version: string };
	const n8nWorkflow = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/n8n-workflow/package.json'), 'utf8')) as { version: string };
	return [
		`| | |`,
		`|---|---|`,
		`| date | ${new Date().toISOString()} |`,
		`| CPU | ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} cores |`,
		`| memory | ${fmt(os.totalmem() / 1024 ** 3, 1)} GiB |`,
		`| load average (1 min) at start / end | ${fmt(LOAD_AT_START, 2)} / ${fmt(os.loadavg()[0], 2)} (other work on the machine adds noise) |`,
		`| OS | ${os.type()} ${os.release()} (${os.arch()}) |`,
		`| Node.js | ${process.version} |`,
		`| n8n-core / n8n-workflow | ${n8nCore.version} / ${n8nWorkflow.version} |`,
		`| mode | ${SMOKE ? 'smoke (tiny sizes)' : 'full'}; node measured from ${DIST_LABEL} |`,
		`| commit | ${commit()} |`,
	];
}

/** The commit measured, and whether the work tree had changes on top of it. */
function commit(): string {
	try {
		const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
		const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'nodes', 'credentials', 'bench', 'dev') !== '';
		return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes' : ''}`;
	} catch {
		return 'unknown (not a git checkout)';
	}
}

function overheadSection(results: OverheadResult[]): string[] {
	const { requests, rounds, rewarm } = CONFIG.overhead;
	const lines = [
		`## 1. Overhead: ${requests} SIP password updates, node vs n8n's helper vs raw axios`,
		'',
		`Sandbox in a child process. Each variant warmed up once; then ${rounds} rounds, the order of the variants rotating each round;`,
		`before each timed batch a full GC and an untimed ${Math.round(rewarm * 100)} % batch of the same variant.`,
		'"ratio" = ratio of the medians; "paired" = range of the per-round ratios (each round\'s batch ÷ that round\'s (a)).',
		'"client CPU" = CPU time of the measuring process only (the sandbox runs elsewhere): the client\'s own cost.',
		'',
	];
	for (const r of results) {
		const med = (v: Variant) => median(r.ms[v]);
		const cpu = (v: Variant) => median(r.cpuMs[v]);
		const paired = (v: Variant) => r.ms[v].map((ms, i) => ms / r.ms.helper[i]);
		const ratio = med('node') / med('helper');
		lines.push(`### Concurrency ${r.concurrency}`, '');
		lines.push('| variant | median ms / batch | µs / request | min – max ms | ratio to (a) | paired ratio: median (range) | client CPU µs / request | CPU ratio to (a) |');
		lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
		for (const v of ['node', 'helper', 'axios'] as Variant[]) {
			lines.push(
				`| ${VARIANT_LABEL[v]} | ${fmt(med(v), 0)} | ${fmt((med(v) * 1000) / requests, 0)} | ${fmt(min(r.ms[v]), 0)} – ${fmt(max(r.ms[v]), 0)} | ` +
					`${fmt(med(v) / med('helper'))} | ${fmt(median(paired(v)))} (${fmt(min(paired(v)))} – ${fmt(max(paired(v)))}) | ${fmt((cpu(v) * 1000) / requests, 0)} | ${fmt(cpu(v) / cpu('helper'))} |`,
			);
		}
		lines.push('');
		lines.push(
			`**node / (a) = ${fmt(ratio, 3)}** (client CPU ${fmt(cpu('node') / cpu('helper'), 3)}; target ≤ ${fmt(TARGETS.nodeVsHelper)}: ${verdict(ratio <= TARGETS.nodeVsHelper)}); ` +
				`for information: (a) / (b) = ${fmt(med('helper') / med('axios'))} wall time, ${fmt(cpu('helper') / cpu('axios'))} client CPU (n8n's helper vs raw axios).`,
			'',
		);
	}
	return lines;
}

function pacingSection(p: PacingResult): string[] {
	const ratio = p.achievedPerWindow / p.perWindow;
	return [
		`## 2. Pacing: ${p.requests} updates at Requests per Minute = ${p.perWindow}, window scaled to ${p.windowMs} ms`,
		'',
		`The sandbox (child process) enforces ${p.perWindow} requests per rolling ${p.windowMs} ms (429 beyond); the node is built with the same window; concurrency ${p.concurrency}.`,
		`Achieved rate = (requests − R) / (last arrival − first arrival) × window: the first R may go at once, each later group of R one window on.`,
		'',
		'| | |',
		'|---|---:|',
		`| node run, wall time | ${fmt(p.elapsedMs / 1000, 1)} s |`,
		`| first → last arrival at the sandbox | ${fmt(p.spanMs / 1000, 2)} s (ideal ${fmt(p.idealSpanMs / 1000, 2)} s) |`,
		`| achieved rate per window | ${fmt(p.achievedPerWindow, 1)} (R = ${p.perWindow}) |`,
		`| most arrivals in any window | ${p.maxInAnyWindow} (by arrival time; the sandbox admits a moment later, so R + 1 can show) |`,
		`| 429 answers | ${p.tooMany} |`,
		'',
		`**achieved / R = ${fmt(ratio, 3)}** (target ≥ ${fmt(TARGETS.pacing)}: ${verdict(ratio >= TARGETS.pacing)}); ` +
			`**429s = ${p.tooMany}** (target 0: ${p.tooMany === 0 ? 'met' : '**MISSED**'}; at any size a 429 means the pacing is broken).`,
		'',
	];
}

function scaleSection(s: Record<'small' | 'large', ScaleResult[]>): string[] {
	const { concurrency } = CONFIG.scale;
	const row = (results: ScaleResult[]) => {
		const items = results[0].items;
		const runs = results.flatMap((r) => r.runs);
		const perItem = median(runs.map((r) => r.ms / items));
		const peakRss = max(runs.map((r) => r.peak.rss));
		const peakHeap = max(runs.map((r) => r.peak.heapUsed));
		const heapGrowth = max(runs.map((r) => r.peak.heapUsed - r.baseline.heapUsed));
		const retained = median(runs.map((r) => r.retainedHeap));
		const baseRss = median(runs.map((r) => r.baseline.rss));
		return { items, runs: runs.length, perItem, peakRss, peakHeap, heapGrowth, retained, baseRss };
	};
	const small = row(s.small);
	const large = row(s.large);
	const ratio = large.perItem / small.perItem;
	const lines = [
		`## 3. Scale: ${large.items} vs ${small.items} items through the node (concurrency ${concurrency})`,
		'',
		`Each size in ${s.small.length} fresh process(es): a ${CONFIG.scale.warmup}-item warm-up run, then measured runs, each after a full GC and a ${CONFIG.scale.rewarm}-item re-warm run; ` +
			`memory sampled every 50 ms. Median time and retained memory, highest peaks, over ${small.runs} runs of ${small.items} and ${large.runs} of ${large.items}.`,
		'"peak heap growth" = peak heapUsed − heapUsed before the run (input items already built), garbage not yet collected included;',
		'"retained" = heapUsed after the run and a full GC, the output items still held, − heapUsed after the GC before it.',
		'',
		'| items | ms / item | items / s | peak rss | rss before | peak heapUsed | peak heap growth | retained | retained / item |',
		'|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
	];
	for (const r of [small, large]) {
		lines.push(
			`| ${r.items} | ${fmt(r.perItem, 3)} | ${fmt(1000 / r.perItem, 0)} | ${fmt(r.peakRss / MiB, 0)} MiB | ${fmt(r.baseRss / MiB, 0)} MiB | ` +
				`${fmt(r.peakHeap / MiB, 0)} MiB | ${fmt(r.heapGrowth / MiB, 1)} MiB | ${fmt(r.retained / MiB, 1)} MiB | ${fmt(r.retained / r.items / 1024, 2)} KiB |`,
		);
	}
	lines.push(
		'',
		`**time per item ${large.items}/${small.items} = ${fmt(ratio, 3)}** (≈ 1 means linear; ≤ ${fmt(TARGETS.scaleLinear)}: ${verdict(ratio <= TARGETS.scaleLinear)}); ` +
			(small.retained >= MiB
				? `retained memory per item ${large.items}/${small.items} = ${fmt(large.retained / large.items / (small.retained / small.items))}; `
				: `retained memory: ${fmt(large.retained / large.items, 0)} bytes per item after ${large.items} (after ${small.items} it is below the heap's noise of about 1 MiB); `) +
			`peak rss ${large.items}/${small.items} = ${fmt(large.peakRss / small.peakRss)}, peak heap growth ${large.items}/${small.items} = ${fmt(large.heapGrowth / small.heapGrowth)}.`,
		'',
	);
	return lines;
}

/**
 * The old per-execution pacing (a window per execution, no slow-down after a 429, Exotel's
 * headers ignored) was this section's baseline until issue 21 retired it with the code that ran
 * it. Its last measurement, from the full run of 2026-12-05 (commit e22d849), stays in the results.
 */
const TABLE_HEAD =
	'| scenario | Requests per Minute each | processes × executions | wall time | requests | inner windows ÷ L (mean, min) | accepted ÷ L | 429s ÷ requests | items lost | finish spread |';
const TABLE_RULE = '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
const RETIRED_BASELINE = [
	'| headers off: one process, one window per execution (the old pacing) | 100 | 1 × 3 | 31.4 s | 660 | 1.000, 1.000 | 0.956 | 9.1 % (60) | 0 of 600 | 0.08 s (0.3 % of the run) |',
	'| headers off: two processes at L each, old pacing | 100 | 2 × 2 | 45.7 s | 912 | 1.000, 1.000 | 0.957 | 12.3 % (112) | 0 of 800 | 0.12 s (0.3 % of the run) |',
];

function sharingSection(results: SharingResult[]): string[] {
	const { perWindow: L, windowMs, executions, perProcess, itemsPerExecution, concurrency } = CONFIG.sharing;
	const pct = (n: number, d: number) => `${fmt((100 * n) / Math.max(1, d), 1)} %`;
	const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
	const lines = [
		`## 5. Executions sharing one account: limit L = ${L} per ${windowMs} ms window`,
		'',
		`The sandbox (child process) enforces L = ${L} requests per ${windowMs} ms on its one account, Exotel's minute scaled down; the node is built with the same window. ` +
			'**Headers on**: fixed windows aligned to the epoch, every answer carrying X-RateLimit-Limit/Remaining/Reset, 429 with Retry-After to the reset; ' +
			`${4 * L} SIP password updates in all, split evenly over the processes (one execution each), at default settings (Requests per Minute 0, Concurrency 1) or at L each (Concurrency ${concurrency}). ` +
			`**Headers off** (the account says nothing but 429s): a rolling window; in one process ${executions} executions started together, in two processes ${perProcess} executions each, ` +
			`${itemsPerExecution} updates per execution, Concurrency ${concurrency}. Processes are child processes sharing only the sandbox. Continue On Fail, retries on, waits scaled with the window.`,
		'"inner windows ÷ L" = accepted requests in each fixed window of the sandbox but the first and the last, ÷ L (mean, and the smallest); ' +
			'"accepted ÷ L" = (accepted − L) ÷ (last accepted − first accepted arrival) × window ÷ L; "lost" = items whose output is not a 200 envelope; ' +
			'"finish spread" = last execution’s end − first execution’s end.',
		'',
		TABLE_HEAD,
		TABLE_RULE,
	];
	for (const r of results) {
		const inner = r.innerWindows.length ? `${fmt(mean(r.innerWindows), 3)}, ${fmt(Math.min(...r.innerWindows), 3)}` : '–';
		lines.push(
			`| ${r.label} | ${r.requestsPerMinute} | ${r.processes} × ${r.executions / r.processes} | ${fmt(r.wallMs / 1000, 1)} s | ${r.requests} | ${inner} | ${fmt(r.rateVsLimit, 3)} | ` +
				`${pct(r.refused, r.requests)} (${r.refused}) | ${r.lost} of ${r.items} | ${fmt(r.finishSpreadMs / 1000, 2)} s (${pct(r.finishSpreadMs, r.wallMs)} of the run) |`,
		);
	}
	lines.push(
		'',
		'The retired baseline, the old per-execution pacing: its last measurement (full run of 2026-12-05, commit e22d849, L = 100 per 6000 ms), not measured since.',
		'',
		TABLE_HEAD,
		TABLE_RULE,
		...RETIRED_BASELINE,
		'',
	);
	for (const r of results.filter((x) => x.headers)) {
		const share = mean(r.innerWindows);
		const refusals = r.refused / Math.max(1, r.requests);
		lines.push(
			`- ${r.label}: **inner windows ÷ L = ${fmt(share, 3)}** (target ≥ 0.95: ${verdict(r.innerWindows.length > 0 && share >= 0.95)}); ` +
				`**429s = ${pct(r.refused, r.requests)}** (target ≤ 1 %: ${verdict(refusals <= 0.01)}); **lost = ${r.lost}** (target 0: ${r.lost === 0 ? 'met' : '**MISSED**'}).`,
		);
	}
	const node = results.find((r) => !r.headers && r.processes === 1);
	const two = results.find((r) => !r.headers && r.processes === 2 && r.requestsPerMinute === L);
	if (node) {
		const refusals = node.refused / Math.max(1, node.requests);
		lines.push(
			`- headers off, one process: accepted ÷ L = ${fmt(node.rateVsLimit, 3)} (target ≥ ${fmt(TARGETS.sharedRate)}: ${verdict(node.rateVsLimit >= TARGETS.sharedRate)}); ` +
				`429s ÷ requests = ${pct(node.refused, node.requests)} (target ≤ ${fmt(TARGETS.sharedRefusals * 100, 0)} %: ${verdict(refusals <= TARGETS.sharedRefusals)}); ` +
				`items lost = ${node.lost} (target 0: ${node.lost === 0 ? 'met' : '**MISSED**'}).`,
		);
	}
	if (two) {
		lines.push(
			`- headers off, two processes at L each (the slow-down after a 429 does the sharing): accepted ÷ L = ${fmt(two.rateVsLimit, 3)}, ` +
				`429s ÷ requests = ${pct(two.refused, two.requests)}, items lost = ${two.lost} (reported; no target).`,
		);
	}
	lines.push('');
	return lines;
}

function packageSection(p: PackResult | undefined): string[] {
	if (!p) return ['## 4. Package', '', '`npm pack --dry-run` failed (see the problems list).', ''];
	return [
		'## 4. Package (`npm pack --dry-run --json`)',
		'',
		'| tarball | packed size | unpacked size | files |',
		'|---|---:|---:|---:|',
		`| ${p.filename} | ${fmt(p.size / 1024, 1)} KiB (${p.size} B) | ${fmt(p.unpackedSize / 1024, 1)} KiB (${p.unpackedSize} B) | ${p.entryCount} |`,
		'',
	];
}


async function main(): Promise<void> {
	const started = performance.now();
	log(`Exotel node benchmark${SMOKE ? ' (smoke)' : ''} — sandbox on 127.0.0.1`);
	const sandbox = await startSandboxChild();
	let overhead: OverheadResult[] | undefined;
	let scale: Record<'small' | 'large', ScaleResult[]> | undefined;
	let pacing: PacingResult | undefined;
	let sharing: SharingResult[] | undefined;
	let requests: RequestsResult | undefined;
	let rotation: RotationResult | undefined;
	let byEmail: ByEmailRow[] | undefined;
	let lone429: Lone429Result | undefined;
	try {
		// Pacing first, while this process is cold: its first requests are then slow to leave,
		// the harshest case for a limiter that must keep arrivals, not starts, under the limit.
		if (wanted('pacing')) pacing = await measurePacing(sandbox);
		if (wanted('overhead')) overhead = await measureOverhead(sandbox);
		if (wanted('scale')) scale = await measureScale(sandbox);
		if (wanted('sharing')) sharing = await measureSharing(sandbox);
		if (wanted('requests')) requests = await measureRequestsPerReset();
		// 500 agents at 100 a (2 s) window: about 10 s; the smoke run 100 agents.
		if (wanted('rotation')) rotation = await measureRotation(SMOKE ? 100 : 500, 100, 2000);
		if (wanted('byemail')) byEmail = await measureByEmail(SMOKE ? 200 : 10_000);
		if (wanted('lone429')) lone429 = await measureLone429(SMOKE);
		if (lone429 && (lone429.small.ok !== 2 || lone429.long.lost > 0)) problems.push('section 9: an item failed');
	} finally {
		await sandbox.stop();
	}
	const pack = wanted('package') ? measurePackage() : undefined;
	const totalS = (performance.now() - started) / 1000;

	const report = [
		`# Benchmark results${SMOKE ? ' (smoke)' : ''}`,
		'',
		'Written by `npm run bench` (bench/run.ts); overwritten on every full run. How to read it: every',
		'figure that matters is a RATIO of two measurements taken in the same run on the same machine,',
		'so it holds across machines where absolute times do not. Targets: node ≤ 1.20 × (a) n8n’s own',
		'authenticated helper in a bare loop; pacing ≥ 0.95 of the allowed rate with no 429; time per item',
		'flat from 1,000 to 10,000 items; executions sharing one account in one process ≥ 0.90 of its limit with',
		'≤ 2 % 429s and no item lost; with Exotel’s rate-limit headers, one execution alone and two or four',
		'processes each ≥ 0.95 of the limit over the inner windows with ≤ 1 % 429s and no item lost. Absolute times are shown for context only. A target marked',
		'**MISSED** is explained under Analysis.',
		'',
		...environment(),
		`| benchmark wall time | ${fmt(totalS, 0)} s |`,
		'',
		...(overhead ? overheadSection(overhead) : []),
		...(pacing ? pacingSection(pacing) : []),
		...(scale ? scaleSection(scale) : []),
		...(wanted('package') ? packageSection(pack) : []),
		...(sharing ? sharingSection(sharing) : []),
		...(requests ? requestsSection(requests) : []),
		...(rotation ? rotationSection(rotation, verdict) : []),
		...(byEmail ? byEmailSection(byEmail, verdict) : []),
		...(lone429 ? lone429Section(lone429, verdict) : []),
	];
	if (problems.length) report.push('## Problems (something is broken)', '', ...problems.map((p) => `- ${p}`), '');
	const text = report.join('\n');
	log();
	log(text);

	const analysis = path.join(__dirname, 'ANALYSIS.md');
	if (!SMOKE && !ONLY && SCENARIO === undefined && PACING_CONCURRENCY === undefined && !process.env.BENCH_DIST && problems.length === 0) {
		const notes = existsSync(analysis) ? '\n' + readFileSync(analysis, 'utf8') : '';
		writeFileSync(path.join(__dirname, 'RESULTS.md'), text + notes);
		log(`Written to bench/RESULTS.md (${fmt(totalS, 0)} s).`);
	}
	if (problems.length) {
		console.error(`\n${problems.length} problem(s): the benchmark found something broken${SMOKE ? '' : '; RESULTS.md not written'}.`);
		process.exitCode = 1;
	}
}

void main().catch((error: unknown) => {
	console.error('benchmark failed:', error instanceof Error ? (error.stack ?? error.message) : error);
	process.exit(1);
});
