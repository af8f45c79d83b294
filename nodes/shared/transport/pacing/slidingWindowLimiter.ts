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
 * The window can also be held shut until a moment (a Retry-After), and a gate (the budget
 * Exotel's rate-limit headers announce) can ask a caller to wait as well.
 */
import type { Clock } from './clock';

/** A request's place in the window. */
export interface Slot {
	/** When the request was let go. */
	readonly startedAt: number;
	/**
	 * Call once its answer (or failure) is in; later calls do nothing. `counted` false: the
	 * account did not count the request (Exotel refused it with a 429), so it leaves the window.
	 */
	release(counted?: boolean): void;
}

export interface AcquireOptions {
	/** Stops the wait (with the signal's reason) when the execution is cancelled. */
	signal?: AbortSignal;
	/** false: the request is counted but never waits (a person waiting on the editor's list). */
	wait?: boolean;
}

/**
 * How long a caller must wait: 0 to go now; else until `ms` have passed, or — with `orAnswer` —
 * until a request in flight is answered, whichever comes first (then it asks again).
 */
export interface Wait {
	ms: number;
	orAnswer?: boolean;
}

const GO: Wait = { ms: 0 };

/** A window's rule, its clock and the other rules it consults. */
export interface SlidingWindowOptions {
	/** Requests per window, or a function giving the limit at the moment (Infinity: none). */
	limit: number | (() => number);
	windowMs: number;
	clock: Clock;
	/** When a limit given as a function is next due to change by itself (undefined: not). */
	limitChangesAt?: (now: number) => number | undefined;
	/** Another rule a request must pass before it starts (Exotel's headers). */
	gate?: (now: number) => Wait;
	/** Told of each start as it is granted, before any other caller is let go. */
	onStart?: (now: number) => void;
}

/** Why a gate was let go early: a request was answered. */
const WOKEN = new Error('woken by an answer');

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

	constructor(private readonly options: SlidingWindowOptions) {
		const { limit } = options;
		if (typeof limit === 'number') {
			if (!(limit >= 1)) throw new RangeError('limit must be at least 1');
			this.limitNow = () => limit;
		} else {
			this.limitNow = () => Math.max(1, limit());
		}
	}

	/** Requests in the window now: those in flight and those answered within the last `windowMs` (its ends included). */
	count(now = this.options.clock.now()): number {
		while (
			this.head < this.answered.length &&
			this.answered[this.head] < now - this.options.windowMs
		)
			this.head++;
		if (this.head > 1024 && this.head * 2 > this.answered.length) {
			this.answered = this.answered.slice(this.head);
			this.head = 0;
		}
		return this.inFlight + this.answered.length - this.head;
	}

	/** Whether the window holds nothing: no request in flight, none answered within it, no hold. */
	isEmpty(now = this.options.clock.now()): boolean {
		return this.count(now) === 0 && this.heldUntil <= now;
	}

	/** Lets no request start before `until` (a later hold wins over an earlier one). */
	holdUntil(until: number): void {
		this.heldUntil = Math.max(this.heldUntil, until);
	}

	/** Resolves when a request may start. Call `release()` on the slot once its answer is in. */
	async acquire(options: AcquireOptions = {}): Promise<Slot> {
		if (
			options.wait === false ||
			(this.queued === 0 && this.waitMs(this.options.clock.now()).ms === 0)
		)
			return this.take();
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

	/** How long a request must wait before it may start (ms 0: not at all). */
	private waitMs(now: number): Wait {
		if (this.heldUntil > now) return { ms: this.heldUntil - now };
		const waits: Wait[] = [this.windowWait(now), this.options.gate?.(now) ?? GO].filter(
			(w) => w.ms > 0,
		);
		if (waits.length === 0) return GO;
		// Every rule must let the request go: wake at the first moment any of them may change, and ask again.
		return {
			ms: Math.min(...waits.map((w) => w.ms)),
			orAnswer: waits.some((w) => w.orAnswer === true),
		};
	}

	private windowWait(now: number): Wait {
		const limit = this.limitNow();
		if (limit === Number.POSITIVE_INFINITY || this.count(now) < limit) return GO;
		const change = this.options.limitChangesAt?.(now);
		const untilChange =
			change !== undefined && change > now ? change - now : Number.POSITIVE_INFINITY;
		// +1: a slot dated exactly windowMs ago is still inside a window that includes now.
		if (this.head < this.answered.length)
			return {
				ms: Math.min(untilChange, this.answered[this.head] + this.options.windowMs - now + 1),
			};
		// Every request in the window is still in flight: none leaves it before its answer.
		return { ms: untilChange, orAnswer: true };
	}

	private async waitForRoom(signal?: AbortSignal): Promise<void> {
		for (;;) {
			const wait = this.waitMs(this.options.clock.now());
			if (wait.ms === 0) return;
			if (wait.orAnswer) await this.nextAnswer(wait.ms, signal);
			else await this.options.clock.sleep(wait.ms, signal);
		}
	}

	/** Until a request in flight is answered, or `ms` have passed. */
	private async nextAnswer(ms: number, signal?: AbortSignal): Promise<void> {
		signal?.throwIfAborted();
		const stop = new AbortController();
		const abort = () => stop.abort(signal?.reason);
		signal?.addEventListener('abort', abort, { once: true });
		try {
			await new Promise<void>((resolve, reject) => {
				this.wake = resolve;
				if (ms === Number.POSITIVE_INFINITY)
					stop.signal.addEventListener('abort', () => reject(stop.signal.reason), { once: true });
				else this.options.clock.sleep(ms, stop.signal).then(resolve, reject);
			});
		} finally {
			this.wake = () => undefined;
			signal?.removeEventListener('abort', abort);
			if (!stop.signal.aborted) stop.abort(WOKEN);
		}
	}

	private take(): Slot {
		const startedAt = this.options.clock.now();
		this.inFlight++;
		this.options.onStart?.(startedAt);
		let done = false;
		return {
			startedAt,
			release: (counted = true) => {
				if (done) return;
				done = true;
				this.inFlight--;
				if (!counted) {
					this.wake();
					return;
				}
				// Answers are dated in the order they come, so `answered` stays sorted.
				const last = this.answered.length > this.head ? this.answered[this.answered.length - 1] : 0;
				this.answered.push(Math.max(last, this.options.clock.now()));
				this.wake();
			},
		};
	}
}
