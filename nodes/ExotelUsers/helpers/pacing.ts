/**
 * Keeps a run under Exotel's per-account rate limit: at most `limit` requests in any window
 * of `windowMs`. Exotel counts per account, across every workflow, so the node paces every
 * request it sends — lookups and retries included — through one limiter per execution.
 *
 * Exotel counts a request when it arrives, which is some time after it starts here. So a
 * request holds its slot from its start until its answer, and the slot is then dated by
 * the answer: only then is it certain Exotel has counted it. A window therefore never holds
 * more than `limit` arrivals, whatever the latency and the concurrency.
 */

export interface Clock {
	now(): number;
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

interface Slot {
	/** When it started, or — once answered — when the answer came. */
	at: number;
	inFlight: boolean;
}

export class SlidingWindowLimiter {
	private readonly slots: Slot[] = [];

	/** Callers queue here so slots are handed out in arrival order, even with concurrency. */
	private queue: Promise<unknown> = Promise.resolve();

	/** Wakes a caller waiting for a request in flight to be answered. */
	private released: () => void = () => undefined;

	constructor(
		readonly limit: number,
		readonly windowMs: number,
		private readonly clock: Clock,
	) {
		if (!(limit >= 1)) throw new RangeError('limit must be at least 1');
	}

	/** Resolves when a request may start. Call `release()` once its answer (or failure) is in. */
	async acquire(): Promise<{ release: () => void }> {
		const turn = this.queue.then(async () => await this.take());
		this.queue = turn.then(
			() => undefined,
			() => undefined,
		);
		const slot = await turn;
		let done = false;
		return {
			release: () => {
				if (done) return;
				done = true;
				slot.at = Math.max(slot.at, this.clock.now());
				slot.inFlight = false;
				this.released();
			},
		};
	}

	private async take(): Promise<Slot> {
		for (;;) {
			const now = this.clock.now();
			for (let i = this.slots.length - 1; i >= 0; i--) {
				if (!this.slots[i].inFlight && this.slots[i].at <= now - this.windowMs) this.slots.splice(i, 1);
			}
			if (this.slots.length < this.limit) {
				const slot = { at: now, inFlight: true };
				this.slots.push(slot);
				return slot;
			}
			const answered = this.slots.filter((s) => !s.inFlight).map((s) => s.at);
			if (answered.length > 0) {
				// +1: a slot dated exactly windowMs ago is still inside a window that includes now.
				await this.clock.sleep(Math.min(...answered) + this.windowMs - now + 1);
			} else {
				// Every slot is a request still waiting for its answer: wait for one to come back.
				await new Promise<void>((resolve) => (this.released = resolve));
			}
		}
	}
}
