/**
 * Section 2 of `npm run bench`: N updates with Requests per Minute = R against a sandbox that
 * enforces R per window, the window scaled down (the node loaded with a registry on that
 * window: builtInNewProcess in lib.ts).
 */
import { runNode } from '../dev/harness/n8n';
import type { SandboxChild } from './children';
import { CONFIG, PACING_CONCURRENCY, TARGETS } from './config';
import {
	badOutputs,
	built,
	builtInNewProcess,
	credentialsFor,
	itemsFor,
	resetParameters,
} from './lib';
import { fmt, log, problems, verdict } from './report';

export interface PacingResult {
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

export async function measurePacing(sandbox: SandboxChild): Promise<PacingResult> {
	const { requests, perWindow, windowMs } = CONFIG.pacing;
	const concurrency = PACING_CONCURRENCY ?? CONFIG.pacing.concurrency;
	log(
		`2. Pacing: ${requests} requests, Requests per Minute = ${perWindow}, window scaled to ${windowMs} ms`,
	);
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
	for (const [, status] of arrivals)
		if (status !== 200 && status !== 429) otherStatuses[status] = (otherStatuses[status] ?? 0) + 1;
	if (tooMany > 0) problems.push(`pacing: the sandbox answered 429 ${tooMany} times`);
	if (Object.keys(otherStatuses).length)
		problems.push(`pacing: unexpected statuses ${JSON.stringify(otherStatuses)}`);
	const admitted = arrivals
		.filter(([, status]) => status === 200)
		.map(([at]) => at)
		.sort((a, b) => a - b);
	if (admitted.length !== requests)
		problems.push(`pacing: ${admitted.length} requests answered 200, expected ${requests}`);

	const spanMs = admitted[admitted.length - 1] - admitted[0];
	// The limiter may send `perWindow` at once; each later group of `perWindow` one window on.
	const idealSpanMs = Math.floor((requests - 1) / perWindow) * windowMs;
	const achievedPerWindow = ((requests - perWindow) / spanMs) * windowMs;
	let maxInAnyWindow = 0;
	for (let i = 0, j = 0; i < admitted.length; i++) {
		while (admitted[j] <= admitted[i] - windowMs) j++;
		maxInAnyWindow = Math.max(maxInAnyWindow, i - j + 1);
	}
	return {
		requests,
		perWindow,
		windowMs,
		concurrency,
		elapsedMs,
		spanMs,
		idealSpanMs,
		achievedPerWindow,
		maxInAnyWindow,
		tooMany,
		otherStatuses,
	};
}

export function pacingSection(p: PacingResult): string[] {
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
