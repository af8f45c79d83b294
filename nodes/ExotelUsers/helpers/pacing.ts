/**
 * A sliding window: at most `limit` requests in any window of `windowMs`. Pure logic; the
 * clock (and with it every wait) is the caller's.
 *
 * Exotel counts a request when it arrives, which is some time after it starts here. So a
 * request holds its slot from its start until its answer, and the slot is then dated by
 * the answer: only then is it certain Exotel has counted it. A window therefore never holds
 * more than `limit` arrivals, whatever the latency and the concurrency.
 *
 * Callers wait their turn in arrival order, so executions sharing a window progress alike.
 * The limit may change while they wait: it is read on every turn, and a caller waiting wakes
 * when the limit is due to change (`limitChangesAt`), not only when a slot leaves the window.
 * The window can also be held shut until a moment (a Retry-After).
 */

export interface Clock {
	now(): number;
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A request's place in the window. */
export interface Slot {
	/** When the request was let go. */
	readonly startedAt: number;
	/** Call once its answer (or failure) is in; later calls do nothing. */
	release(): void;
}

export interface AcquireOptions {
	/** Stops the wait (with the signal's reason) when the execution is cancelled. */
	signal?: AbortSignal;
	/** false: the request is counted but never waits (a person waiting on the editor's list). */
	wait?: boolean;
}

/** Marks a wait for a request in flight to be answered (no slot leaves the window before). */
const FOR_AN_ANSWER = -1;

export class SlidingWindowLimiter {
	/** When each answered request in the window was answered, oldest first (from `head`). */
	private answered: number[] = [];

	private head = 0;

	private inFlight = 0;

	/** Callers queue here so slots are handed out in arrival order. */
	private queue: Promise<unknown> = Promise.resolve();

	private queued = 0;

	/** Wakes the caller at the head of the queue when a request in flight is answered. */
	private wake: () => void = () => undefined;

	private heldUntil = 0;

	private readonly limitNow: () => number;

	/**
	 * @param limit requests per window, or a function giving the limit at the moment (Infinity: none)
	 * @param limitChangesAt when a limit given as a function is next due to change by itself (undefined: not)
	 */
	constructor(
		limit: number | (() => number),
		readonly windowMs: number,
		private readonly clock: Clock,
		private readonly limitChangesAt: (now: number) => number | undefined = () => undefined,
	) {
		if (typeof limit === 'number') {
			if (!(limit >= 1)) throw new RangeError('limit must be at least 1');
			this.limitNow = () => limit;
		} else {
			this.limitNow = () => Math.max(1, limit());
		}
	}

	/** Requests in the window now: those in flight and those answered within the last `windowMs` (its ends included). */
	count(now = this.clock.now()): number {
		while (this.head < this.answered.length && this.answered[this.head] < now - this.windowMs) this.head++;
		if (this.head > 1024 && this.head * 2 > this.answered.length) {
			this.answered = this.answered.slice(this.head);
			this.head = 0;
		}
		return this.inFlight + this.answered.length - this.head;
	}

	/** Whether the window holds nothing: no request in flight, none answered within it, no hold. */
	isEmpty(now = this.clock.now()): boolean {
		return this.count(now) === 0 && this.heldUntil <= now;
	}

	/** Lets no request start before `until` (a later hold wins over an earlier one). */
	holdUntil(until: number): void {
		this.heldUntil = Math.max(this.heldUntil, until);
	}

	/** Resolves when a request may start. Call `release()` on the slot once its answer is in. */
	async acquire(options: AcquireOptions = {}): Promise<Slot> {
		if (options.wait === false || (this.queued === 0 && this.waitMs(this.clock.now()) === 0)) return this.take();
		this.queued++;
		const turn = this.queue.then(async () => {
			await this.waitForRoom(options.signal);
			return this.take();
		});
		this.queue = turn.then(
			() => undefined,
			() => undefined,
		);
		try {
			return await turn;
		} finally {
			this.queued--;
		}
	}

	/** 0 when a request may start now; else how long to wait, or FOR_AN_ANSWER. */
	private waitMs(now: number): number {
		if (this.heldUntil > now) return this.heldUntil - now;
		const limit = this.limitNow();
		if (limit === Number.POSITIVE_INFINITY || this.count(now) < limit) return 0;
		// +1: a slot dated exactly windowMs ago is still inside a window that includes now.
		if (this.head < this.answered.length) return this.answered[this.head] + this.windowMs - now + 1;
		return FOR_AN_ANSWER;
	}

	private async waitForRoom(signal?: AbortSignal): Promise<void> {
		for (;;) {
			const now = this.clock.now();
			const ms = this.waitMs(now);
			if (ms === 0) return;
			const change = this.heldUntil > now ? undefined : this.limitChangesAt(now);
			if (change !== undefined && change > now && (ms === FOR_AN_ANSWER || change - now < ms)) await this.clock.sleep(change - now, signal);
			else if (ms === FOR_AN_ANSWER) await this.nextAnswer(signal);
			else await this.clock.sleep(ms, signal);
		}
	}

	private async nextAnswer(signal?: AbortSignal): Promise<void> {
		signal?.throwIfAborted();
		await new Promise<void>((resolve, reject) => {
			const abort = () => reject(signal?.reason);
			signal?.addEventListener('abort', abort, { once: true });
			this.wake = () => {
				signal?.removeEventListener('abort', abort);
				resolve();
			};
		});
	}

	private take(): Slot {
		const startedAt = this.clock.now();
		this.inFlight++;
		let done = false;
		return {
			startedAt,
			release: () => {
				if (done) return;
				done = true;
				this.inFlight--;
				// Answers are dated in the order they come, so `answered` stays sorted.
				const last = this.answered.length > this.head ? this.answered[this.answered.length - 1] : 0;
				this.answered.push(Math.max(last, this.clock.now()));
				this.wake();
			},
		};
	}
}
