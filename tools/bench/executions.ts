/**
 * Section 5's executions: some executions of the built node started together on one node
 * instance — one n8n process's node — against one sandbox account. Used in the benchmark's
 * own process and in tools/bench/share-child.ts (a second "n8n process").
 */
import { runNode } from '../dev/harness/n8n';
import {
	built,
	builtInNewProcess,
	credentialsFor,
	itemsFor,
	resetParameters,
	type Target,
} from './lib';

/** Some executions of the node, started together in one process, on one sandbox account. */
export interface ExecutionsJob {
	target: Target;
	executions: number;
	itemsPerExecution: number;
	/** The node's window: Exotel's minute scaled down. */
	windowMs: number;
	options: Record<string, number>;
}

export interface ExecutionResult {
	/** Date.now() when it started and when it ended: comparable across processes on one machine. */
	startedAt: number;
	endedAt: number;
	items: number;
	/** Outputs that are not a paired 200 envelope: items lost. */
	lost: number;
	/** The first lost item's output, for the report. */
	firstLoss?: string;
}

/** Runs the job's executions at once, on one node instance (one process's node), with Continue On Fail. */
export async function runExecutions(job: ExecutionsJob): Promise<ExecutionResult[]> {
	const { ExotelUsersApi } = built();
	const node = builtInNewProcess(job.windowMs);
	return await Promise.all(
		Array.from({ length: job.executions }, async () => {
			const startedAt = Date.now();
			const output = await runNode({
				nodeType: node,
				credentialType: new ExotelUsersApi(),
				credentials: credentialsFor(job.target),
				items: itemsFor(job.itemsPerExecution),
				parameters: resetParameters(job.target, job.options),
				continueOnFail: true,
			});
			const items = output[0] ?? [];
			const lost = items.filter(
				(item, i) =>
					item.json.http_code !== 200 ||
					(item.pairedItem as { item: number } | undefined)?.item !== i,
			);
			const missing = Math.max(0, job.itemsPerExecution - items.length);
			return {
				startedAt,
				endedAt: Date.now(),
				items: job.itemsPerExecution,
				lost: lost.length + missing,
				...(lost[0] ? { firstLoss: JSON.stringify(lost[0].json).slice(0, 200) } : {}),
			};
		}),
	);
}
