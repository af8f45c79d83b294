/**
 * Keeps a run under Exotel's per-account rate limit: at most `limit` requests start in any
 * window of `windowMs`. Exotel counts per account, across every workflow, so the node paces
 * every request it sends — lookups and retries included — through one limiter per execution.
 */

export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

export class SlidingWindowLimiter {
	/** Start times of the requests in the current window, oldest first. */
	private readonly starts: number[] = [];

	/** Callers queue here so slots are handed out in arrival order, even with concurrency. */
	private queue: Promise<void> = Promise.resolve();

	constructor(
		readonly limit: number,
		readonly windowMs: number,
		private readonly clock: Clock,
	) {
		if (!(limit >= 1)) throw new RangeError('limit must be at least 1');
	}

	/** Resolves when a request may start, and counts it as started. */
	async acquire(): Promise<void> {
		const turn = this.queue.then(async () => {
			for (;;) {
				const now = this.clock.now();
				while (this.starts.length > 0 && this.starts[0] <= now - this.windowMs) this.starts.shift();
				if (this.starts.length < this.limit) {
					this.starts.push(now);
					return;
				}
				// +1: a start exactly windowMs ago still counts as inside a window that includes now.
				await this.clock.sleep(this.starts[0] + this.windowMs - now + 1);
			}
		});
		this.queue = turn.catch(() => undefined);
		await turn;
	}
}
