/**
 * One poll at a time per trigger in this process. n8n starts a poll at every tick even while
 * the last one still runs (and on its durable scheduler, a poll it abandoned at its timeout
 * goes on in the background): a tick that finds its trigger's poll running is skipped.
 *
 * Across processes nothing is needed: without the durable scheduler n8n runs poll triggers on
 * the leader main only, and with it each tick is one task leased to one main, while a poll
 * ends well inside n8n's timeout (see docs/trigger.md). n8n holds one instance of a node type
 * per process, so the guard lives with the node's instance.
 */
export class PollGuard {
	private readonly running = new Set<string>();

	/** Runs `poll` unless a poll with the same key runs already; then returns `skipped` at once. */
	async runAlone<T>(key: string, poll: () => Promise<T>, skipped: T): Promise<T> {
		if (this.running.has(key)) return skipped;
		this.running.add(key);
		try {
			return await poll();
		} finally {
			this.running.delete(key);
		}
	}
}
