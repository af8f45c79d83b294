/**
 * Scale measurements in a fresh process (so peak memory is this size's own, not left over
 * from an earlier, larger run): the built node's Update SIP Password on N items against the
 * sandbox at `url`, after a warm-up run, `runs` times. Started by run.ts with --expose-gc;
 * gets its job as JSON in argv[2], answers over IPC with a ScaleResult.
 */
import { runNode } from '../dev/harness/n8n';
import {
	badOutputs,
	built,
	collectGarbage,
	credentialsFor,
	itemsFor,
	resetParameters,
	sampleMemory,
	type Target,
} from './lib';

export interface ScaleJob {
	target: Target;
	items: number;
	concurrency: number;
	warmupItems: number;
	/** Items of the short run between the GC and each measured run (a forced GC slows what follows). */
	rewarmItems: number;
	/** Measured runs, one after the other (each after a full GC). */
	runs: number;
}

export interface ScaleRun {
	ms: number;
	/** Memory after a full GC, the input items built, before the re-warm run. */
	baseline: { rss: number; heapUsed: number };
	peak: { rss: number; heapUsed: number; samples: number };
	/** heapUsed after the run and a full GC, the output still held, minus the baseline's. */
	retainedHeap: number;
}

export interface ScaleResult {
	items: number;
	runs: ScaleRun[];
	problem?: string;
}

async function main(): Promise<void> {
	const job = JSON.parse(process.argv[2]) as ScaleJob;
	const { ExotelUsers, ExotelUsersApi } = built();
	const run = async (items: ReturnType<typeof itemsFor>) =>
		await runNode({
			nodeType: new ExotelUsers(),
			credentialType: new ExotelUsersApi(),
			credentials: credentialsFor(job.target),
			items,
			parameters: resetParameters(job.target, { concurrency: job.concurrency }),
			continueOnFail: true,
		});

	let problem = badOutputs(await run(itemsFor(job.warmupItems)), job.warmupItems);
	const runs: ScaleRun[] = [];
	for (let i = 0; i < job.runs; i++) {
		const items = itemsFor(job.items);
		collectGarbage();
		const { rss, heapUsed } = process.memoryUsage();
		// A forced GC leaves the heap small: without this run the next few hundred items run slower.
		problem ??= badOutputs(await run(itemsFor(job.rewarmItems)), job.rewarmItems);
		const sampler = sampleMemory(50);
		const t0 = performance.now();
		const output = await run(items);
		const ms = performance.now() - t0;
		const peak = sampler.stop();
		problem ??= badOutputs(output, job.items);
		collectGarbage();
		const retainedHeap = process.memoryUsage().heapUsed - heapUsed;
		// `output` stays reachable until here, so `retainedHeap` includes it (the input items are in the baseline).
		if (output[0].length !== items.length) problem ??= 'output count changed';
		runs.push({ ms, baseline: { rss, heapUsed }, peak, retainedHeap });
	}
	const result: ScaleResult = { items: job.items, runs, ...(problem ? { problem } : {}) };
	process.send?.(result, () => process.exit(0));
}

void main().catch((error: unknown) => {
	const result: ScaleResult = {
		items: 0,
		runs: [],
		problem: `scale run failed: ${error instanceof Error ? error.message : String(error)}`,
	};
	process.send?.(result, () => process.exit(1));
});
