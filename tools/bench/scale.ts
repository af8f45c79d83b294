/**
 * Section 3 of `npm run bench`: 10,000 vs 1,000 items through the node — time per item and
 * memory, each size in fresh processes (bench/scale-child.ts).
 */
import type { SandboxChild } from './children';
import { tsxFork } from './children';
import { CONFIG, TARGETS } from './config';
import { MiB, max, median } from './lib';
import { fmt, log, problems, verdict } from './report';
import type { ScaleJob, ScaleResult } from './scale-child';

async function scaleRun(job: ScaleJob): Promise<ScaleResult> {
	const child = tsxFork('scale-child.ts', [JSON.stringify(job)], ['--expose-gc']);
	return await new Promise<ScaleResult>((resolve, reject) => {
		let result: ScaleResult | undefined;
		child.once('message', (m: ScaleResult) => (result = m));
		child.once('exit', (code) =>
			result ? resolve(result) : reject(new Error(`scale child exited (${code}) without a result`)),
		);
	});
}

export async function measureScale(
	sandbox: SandboxChild,
): Promise<Record<'small' | 'large', ScaleResult[]>> {
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
			const result = await scaleRun({
				target: sandbox.target,
				items,
				concurrency,
				warmupItems: warmup,
				rewarmItems: rewarm,
				runs,
			});
			await sandbox.expect(`scale ${items}`, warmup + runs * (rewarm + items));
			if (result.problem) problems.push(`scale ${items}: ${result.problem}`);
			if (result.runs.length !== runs)
				problems.push(`scale ${items}: ${result.runs.length} measured runs, expected ${runs}`);
			out[size].push(result);
			log(
				`   ${items} items: ${result.runs.map((r) => `${r.ms.toFixed(0)} ms`).join(', ')}; peak rss ${(max(result.runs.map((r) => r.peak.rss)) / MiB).toFixed(0)} MiB`,
			);
		}
	}
	return out;
}

export function scaleSection(s: Record<'small' | 'large', ScaleResult[]>): string[] {
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
