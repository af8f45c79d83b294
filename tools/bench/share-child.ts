/**
 * One "n8n process" of section 5: its executions of the built node, on one node instance, in
 * a process of its own — so two of these share nothing but the sandbox, as two n8n workers
 * share nothing but Exotel. Gets its job as JSON in argv[2]; answers { type: 'ready' } over
 * IPC, starts on { type: 'go' }, and answers with the ExecutionResult of each execution.
 */
import { runExecutions, type ExecutionResult, type ExecutionsJob } from './executions';
import { built } from './lib';

export type FromShareChild =
	| { type: 'ready' }
	| { type: 'done'; results: ExecutionResult[] }
	| { type: 'failed'; message: string };

async function main(): Promise<void> {
	const job = JSON.parse(process.argv[2]) as ExecutionsJob;
	// Load the node before saying ready, so both processes start sending at the same moment.
	built();
	await new Promise<void>((resolve) => {
		process.once('message', () => resolve());
		process.send?.({ type: 'ready' } satisfies FromShareChild);
	});
	const results = await runExecutions(job);
	process.send?.({ type: 'done', results } satisfies FromShareChild, () => process.exit(0));
}

void main().catch((error: unknown) => {
	const message = error instanceof Error ? error.message : String(error);
	process.send?.({ type: 'failed', message } satisfies FromShareChild, () => process.exit(1));
});
