/**
 * Shared by the benchmark's processes: the BUILT node (dist/, as n8n loads it — importing
 * nodes/…/ExotelUsers.node from TS under tsx would resolve the .json codex file instead), the
 * sandbox's credentials, the node parameters of a bulk SIP password reset, and small
 * statistics and memory-sampling helpers.
 */
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

/**
 * The built package; BENCH_DIST may point at another build (e.g. a copy with a candidate
 * change, beside a node_modules link) to compare it under the same benchmark.
 */
const DIST = path.resolve(process.env.BENCH_DIST || path.join(__dirname, '../../dist'));

const builtModules = {
	node: () =>
		require(
			path.join(DIST, 'nodes/ExotelUsers/ExotelUsers.node.js'),
		) as typeof import('../../nodes/ExotelUsers/ExotelUsers.node'),
	credential: () =>
		require(
			path.join(DIST, 'credentials/ExotelUsersApi.credentials.js'),
		) as typeof import('../../credentials/ExotelUsersApi.credentials'),
};

export const DIST_LABEL = process.env.BENCH_DIST ? DIST : 'dist/';

/** The built package, loaded on first use (the sandbox child never needs it). */
export function built() {
	return {
		ExotelUsers: builtModules.node().ExotelUsers,
		ExotelUsersApi: builtModules.credential().ExotelUsersApi,
	};
}

/**
 * An instance of the built node as a new n8n process holds it, on Exotel's minute scaled to
 * `windowMs`: the node's modules loaded afresh, their processPacing module replaced in require.cache
 * by one whose account pacers have that window, before the node is required. The process's own
 * copy (what `built()` returns, on Exotel's minute) stays as it was.
 */
export function builtInNewProcess(
	windowMs: number,
): InstanceType<ReturnType<typeof built>['ExotelUsers']> {
	const nodes = path.join(DIST, 'nodes') + path.sep;
	const pacing = (file: string) => path.join(nodes, 'shared/transport/pacing', file);
	const ours = () => Object.keys(require.cache).filter((file) => file.startsWith(nodes));
	const kept = ours().map((file) => [file, require.cache[file]] as const);
	for (const [file] of kept) delete require.cache[file];
	try {
		const { AccountRegistry } = require(
			pacing('accountPacer.js'),
		) as typeof import('../../nodes/shared/transport/pacing/accountPacer');
		const { random, systemClock: clock } = require(
			pacing('clock.js'),
		) as typeof import('../../nodes/shared/transport/pacing/clock');
		const pacingModule = require(
			pacing('processPacing.js'),
		) as typeof import('../../nodes/shared/transport/pacing/processPacing');
		const processPacing = {
			pacing: new AccountRegistry({ windowMs, clock, random }),
			clock,
			random,
		};
		require.cache[pacing('processPacing.js')]!.exports = { ...pacingModule, processPacing };
		return new (builtModules.node().ExotelUsers)();
	} finally {
		for (const file of ours()) delete require.cache[file];
		for (const [file, module] of kept) require.cache[file] = module;
	}
}

/** The sandbox's own key and token (not secrets). */
export const BENCH_CREDENTIALS = {
	apiKey: 'bench-key',
	apiToken: 'bench-token',
	accountSid: 'bench',
} as const;

/** Asha's SIP device in the sandbox's seeded users (tools/dev/sandbox/model.ts). */
export interface Target {
	url: string;
	userId: string;
	deviceId: string;
}

export function credentialsFor(target: Target) {
	return { ...BENCH_CREDENTIALS, region: 'custom', baseUrl: target.url };
}

/** The full URL of the SIP password endpoint, as the node builds it. */
export function passwordUrl(target: Target): string {
	const seg = encodeURIComponent;
	return `${target.url}/v2/accounts/${seg(BENCH_CREDENTIALS.accountSid)}/users/${seg(target.userId)}/devices/${seg(target.deviceId)}/password`;
}

/** A policy-compliant password per item (lower, upper, digit, special; ≥ 8 characters). */
export function passwordFor(i: number): string {
	return `Bench-${i}-Pw9!`;
}

/**
 * SIP devices of the bench's user in the sandbox (sandbox-child.ts), ids 1 to this: one device per
 * item, because the node sets one password per device per run (a second, different one for the
 * same device is refused as a lock-out risk).
 */
export const BENCH_DEVICES = 10_000;

export function itemsFor(n: number): INodeExecutionData[] {
	if (n > BENCH_DEVICES)
		throw new RangeError(`itemsFor: at most ${BENCH_DEVICES} items, one per device`);
	return Array.from({ length: n }, (_, i) => ({
		json: { newPassword: passwordFor(i), device: String(i + 1) },
	}));
}

/**
 * Update SIP Password for every item, the device and the password taken from the item by
 * expressions. The runs use Continue On Fail, which skips the pre-flight read: the benchmark
 * measures one PUT per item, as the baselines send (sections 6 and 7 count the reads).
 */
export function resetParameters(target: Target, options: Record<string, number>): INodeParameters {
	return {
		resource: 'user',
		operation: 'updateSipPassword',
		userId: { __rl: true, mode: 'id', value: target.userId },
		deviceId: '={{ $json.device }}',
		passwordMode: 'manual',
		password: '={{ $json.newPassword }}',
		options,
	};
}

/** Counts output items that are not Exotel's 200 envelope; the expected count is checked too. */
export function badOutputs(
	output: INodeExecutionData[][] | undefined,
	expected: number,
): string | undefined {
	const items = output?.[0] ?? [];
	if (items.length !== expected) return `expected ${expected} output items, got ${items.length}`;
	const bad = items.filter(
		(item, i) =>
			item.json.http_code !== 200 || (item.pairedItem as { item: number } | undefined)?.item !== i,
	);
	if (bad.length > 0)
		return `${bad.length} of ${expected} output items are not a paired 200 envelope (first: ${JSON.stringify(bad[0].json).slice(0, 200)})`;
	return undefined;
}

// ---------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------
export function median(values: number[]): number {
	const s = [...values].sort((a, b) => a - b);
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function min(values: number[]): number {
	return Math.min(...values);
}

export function max(values: number[]): number {
	return Math.max(...values);
}

/** Runs `task(i)` for i in 0..count-1 with at most `concurrency` in flight. */
export async function pool(
	count: number,
	concurrency: number,
	task: (i: number) => Promise<void>,
): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < count) await task(next++);
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
}

// ---------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------
export interface MemoryPeak {
	rss: number;
	heapUsed: number;
	samples: number;
}

/** Samples process.memoryUsage() every `everyMs` until stopped; returns the peaks. */
export function sampleMemory(everyMs = 50): { stop(): MemoryPeak } {
	const peak: MemoryPeak = { rss: 0, heapUsed: 0, samples: 0 };
	const take = () => {
		const { rss, heapUsed } = process.memoryUsage();
		peak.rss = Math.max(peak.rss, rss);
		peak.heapUsed = Math.max(peak.heapUsed, heapUsed);
		peak.samples++;
	};
	take();
	const timer = setInterval(take, everyMs);
	return {
		stop() {
			clearInterval(timer);
			take();
			return peak;
		},
	};
}

/** A full garbage collection: `global.gc` when exposed, else enabled at run time. */
export function collectGarbage(): void {
	const exposed = (globalThis as { gc?: () => void }).gc;
	if (exposed) return exposed();
	setFlagsFromString('--expose-gc');
	(runInNewContext('gc') as () => void)();
}

export const MiB = 1024 * 1024;
