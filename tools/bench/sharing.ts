/**
 * Section 5 of `npm run bench`: executions sharing one account. N executions at once on one
 * sandbox account that enforces L per (scaled) window — in this process, and in two or four
 * child processes (bench/share-child.ts) — with the node's pacing (one window per account per
 * process, the slow-down after a 429): accepted rate ÷ L, 429s ÷ requests, items lost, spread
 * of finish times. A smoke run keeps to this process.
 */
import type { ChildProcess } from 'node:child_process';

import { nextMessage, tsxFork, type SandboxChild } from './children';
import { CONFIG, SCENARIO, SMOKE, TARGETS } from './config';
import { runExecutions, type ExecutionResult, type ExecutionsJob } from './executions';
import { fmt, log, problems, verdict } from './report';
import type { FromShareChild } from './share-child';

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

export interface SharingResult extends SharingScenario {
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
	const onHeaders = (
		processes: 1 | 2 | 4,
		requestsPerMinute: number,
		label: string,
	): SharingScenario => ({
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
		{
			label: 'headers off: one process, one window per account (the node)',
			processes: 1,
			requestsPerMinute: L,
			headers: false,
		},
		{
			label: 'headers off: two processes at L each, slow-down after 429 (the node)',
			processes: 2,
			requestsPerMinute: L,
			headers: false,
		},
		{
			label: 'headers off: two processes at L ÷ 2 each (the old README’s recipe)',
			processes: 2,
			requestsPerMinute: Math.floor(L / 2),
			headers: false,
		},
	];
	const only = SCENARIO;
	const chosen = only === undefined ? all : all.filter((s) => s.label.includes(only));
	return SMOKE ? chosen.filter((s) => s.processes === 1) : chosen;
}

/** Accepted requests per fixed window of `windowMs` (aligned to the epoch), but the first and the last, ÷ L. */
function innerWindowShares(admitted: number[], windowMs: number, L: number): number[] {
	const counts = new Map<number, number>();
	for (const at of admitted)
		counts.set(Math.floor(at / windowMs), (counts.get(Math.floor(at / windowMs)) ?? 0) + 1);
	const windows = [...counts.keys()].sort((a, b) => a - b);
	const inner: number[] = [];
	for (let w = windows[0] + 1; w < windows[windows.length - 1]; w++)
		inner.push((counts.get(w) ?? 0) / L);
	return inner;
}

/** The run's Options, Exotel's minute scaled down: waits scale with it (base delay 1 s of a minute). */
function sharingOptions(
	requestsPerMinute: number,
	concurrency = CONFIG.sharing.concurrency,
): Record<string, number> {
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
	const children = Array.from({ length: processes }, () =>
		tsxFork('share-child.ts', [JSON.stringify(job)]),
	);
	const answer = (child: ChildProcess) => nextMessage<FromShareChild>(child, 'share child');
	await Promise.all(children.map(answer)); // each is ready
	const done = children.map(answer);
	for (const child of children) child.send({ type: 'go' });
	const results: ExecutionResult[] = [];
	for (const message of await Promise.all(done)) {
		if (message.type !== 'done')
			throw new Error(`share child: ${message.type === 'failed' ? message.message : message.type}`);
		results.push(...message.results);
	}
	return results;
}

export async function measureSharing(sandbox: SandboxChild): Promise<SharingResult[]> {
	const { perWindow: L, windowMs, executions, perProcess, itemsPerExecution } = CONFIG.sharing;
	log(
		`5. Executions sharing one account: limit L = ${L} per ${windowMs} ms window (Exotel's minute scaled down), ${itemsPerExecution} items per execution`,
	);
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
		const results =
			scenario.processes === 1
				? await runExecutions(job)
				: await runInChildren(job, scenario.processes);
		const wallMs = performance.now() - t0;
		const arrivals = await sandbox.arrivals();

		const admitted = arrivals
			.filter(([, status]) => status === 200)
			.map(([at]) => at)
			.sort((a, b) => a - b);
		const refused = arrivals.filter(([, status]) => status === 429).length;
		const otherStatuses: Record<number, number> = {};
		for (const [, status] of arrivals)
			if (status !== 200 && status !== 429)
				otherStatuses[status] = (otherStatuses[status] ?? 0) + 1;
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
		if (lost > 0)
			problems.push(`sharing, ${scenario.label}: ${lost} items lost (first: ${result.firstLoss})`);
		if (Object.keys(otherStatuses).length)
			problems.push(
				`sharing, ${scenario.label}: unexpected statuses ${JSON.stringify(otherStatuses)}`,
			);
		if (result.accepted !== result.items - lost)
			problems.push(
				`sharing, ${scenario.label}: the sandbox accepted ${result.accepted} requests for ${result.items - lost} items that succeeded`,
			);
		log(
			`   ${scenario.label}: ${result.executions} executions, ${fmt(wallMs / 1000, 1)} s; accepted ÷ L ${fmt(rateVsLimit, 3)}; ` +
				`inner windows ÷ L ${result.innerWindows.map((w) => fmt(w, 2)).join(' ') || '-'}; ` +
				`429s ${refused} of ${arrivals.length} (${fmt((100 * refused) / Math.max(1, arrivals.length), 1)} %); lost ${lost}; finish spread ${fmt(result.finishSpreadMs / 1000, 2)} s`,
		);
	}
	return out;
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

export function sharingSection(results: SharingResult[]): string[] {
	const {
		perWindow: L,
		windowMs,
		executions,
		perProcess,
		itemsPerExecution,
		concurrency,
	} = CONFIG.sharing;
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
		const inner = r.innerWindows.length
			? `${fmt(mean(r.innerWindows), 3)}, ${fmt(Math.min(...r.innerWindows), 3)}`
			: '–';
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
