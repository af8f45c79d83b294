/**
 * Pacing per Exotel account. Exotel's limit is per account, so every execution of one process
 * that uses the same account (base URL + account SID) sends through one sliding window.
 * Pure: the window length, the clock and the random numbers are constructor arguments; the
 * process-wide instance lives in transport/pacing.ts.
 *
 * The window's size when executions set different Requests per Minute: the SMALLEST value set
 * (above 0) by any execution using the account at the moment applies to all of them, those
 * that set 0 included. A limit is a promise about the account — "at most this many a minute"
 * — so the strictest one running is kept; when that execution ends, the next smallest
 * applies. With no value set, requests are counted but never wait, until a 429 (AdaptiveRate).
 */
import { AdaptiveRate, SLOW_DOWN } from './adaptiveRate';
import { SlidingWindowLimiter, type AcquireOptions, type Clock } from './pacing';

/** What an attempt's answer tells the pacer. */
export interface Answer {
	/** Exotel answered 429. */
	refused: boolean;
	/** Its Retry-After, in ms from now, if any. */
	retryAfterMs?: number;
}

export interface PacedSlot {
	readonly startedAt: number;
	/** Call once the answer (or failure) is in; pass what Exotel said. */
	done(answer?: Answer): void;
}

/** One execution's place in an account's pacing. */
export interface Lease {
	acquire(options?: AcquireOptions): Promise<PacedSlot>;
	/** The execution is over: its limit no longer applies. */
	leave(): void;
}

/** Where an execution's pacing comes from. */
export interface Pacing {
	/** `requestsPerMinute` 0 sets no limit. */
	join(account: string, requestsPerMinute: number): Lease;
}

export interface PacerOptions {
	windowMs: number;
	clock: Clock;
	/** A number in [0, 1), for the jitter of a hold. */
	random: () => number;
	/** Whether 429s slow the account down (default true). */
	adaptive?: boolean;
}

/** One account's window in this process. */
export class AccountPacer {
	private readonly limits: number[] = [];

	private readonly window: SlidingWindowLimiter;

	private readonly adaptive?: AdaptiveRate;

	constructor(private readonly options: PacerOptions) {
		if (options.adaptive !== false) this.adaptive = new AdaptiveRate(options.windowMs);
		this.window = new SlidingWindowLimiter(() => this.limit(), options.windowMs, options.clock, (now) => this.adaptive?.nextChangeAt(now));
	}

	/** The smallest Requests per Minute set by a member (Infinity: none). */
	configuredLimit(): number {
		return this.limits.length ? Math.min(...this.limits) : Number.POSITIVE_INFINITY;
	}

	/** The requests allowed per window now: the configured limit, or less while slowed down. */
	limit(now = this.options.clock.now()): number {
		return Math.min(this.configuredLimit(), this.adaptive?.cap(now) ?? Number.POSITIVE_INFINITY);
	}

	/** Requests sent to the account in the current window (in flight, or answered within it). */
	sent(now = this.options.clock.now()): number {
		return this.window.count(now);
	}

	/** Nothing left to remember: nobody's requests in the window, no hold, no slow-down. */
	isIdle(now = this.options.clock.now()): boolean {
		return this.window.isEmpty(now) && !this.adaptive?.isSlowed(now);
	}

	join(requestsPerMinute: number): Lease {
		const limit = requestsPerMinute > 0 ? requestsPerMinute : Number.POSITIVE_INFINITY;
		if (limit !== Number.POSITIVE_INFINITY) this.limits.push(limit);
		let left = false;
		return {
			acquire: async (options) => await this.acquire(options),
			leave: () => {
				if (left) return;
				left = true;
				const at = this.limits.indexOf(limit);
				if (at >= 0) this.limits.splice(at, 1);
			},
		};
	}

	private async acquire(options?: AcquireOptions): Promise<PacedSlot> {
		const slot = await this.window.acquire(options);
		return {
			startedAt: slot.startedAt,
			done: (answer) => {
				slot.release();
				if (answer?.refused) this.refused(slot.startedAt, answer.retryAfterMs);
			},
		};
	}

	private refused(startedAt: number, retryAfterMs: number | undefined): void {
		const now = this.options.clock.now();
		this.adaptive?.refused(startedAt, now, this.configuredLimit(), this.window.count(now));
		if (retryAfterMs !== undefined && this.adaptive) {
			// Exotel says when the account has room again: nobody in this process sends before
			// then (at most a window), plus jitter so that processes do not come back in step.
			const { windowMs } = this.options;
			const jitter = this.options.random() * SLOW_DOWN.jitterWindows * windowMs;
			this.window.holdUntil(now + Math.min(retryAfterMs, windowMs) + jitter);
		}
	}
}

/**
 * The pacing of one process: one AccountPacer per account, shared by every execution that
 * uses it. An account's entry is dropped once no execution uses it and nothing is left to
 * remember (its last window has passed and no slow-down is on); until then a new execution
 * on the account takes up where the last one left off.
 */
export class SharedPacing implements Pacing {
	private readonly accounts = new Map<string, { pacer: AccountPacer; members: number }>();

	constructor(private readonly options: PacerOptions) {}

	/** Accounts with an entry (for tests). */
	get size(): number {
		return this.accounts.size;
	}

	join(account: string, requestsPerMinute: number): Lease {
		this.sweep();
		let entry = this.accounts.get(account);
		if (!entry) {
			entry = { pacer: new AccountPacer(this.options), members: 0 };
			this.accounts.set(account, entry);
		}
		const member = entry;
		member.members++;
		const lease = member.pacer.join(requestsPerMinute);
		let left = false;
		return {
			acquire: lease.acquire,
			leave: () => {
				if (left) return;
				left = true;
				lease.leave();
				member.members--;
				this.sweep();
			},
		};
	}

	private sweep(): void {
		const now = this.options.clock.now();
		for (const [account, entry] of this.accounts) {
			if (entry.members === 0 && entry.pacer.isIdle(now)) this.accounts.delete(account);
		}
	}
}

/**
 * One window per execution and no slow-down: the node's pacing before windows were shared per
 * account. Kept only so the benchmark (and a control test) can compare the two in one run.
 */
export class PerExecutionPacing implements Pacing {
	constructor(private readonly options: Omit<PacerOptions, 'adaptive'>) {}

	join(_account: string, requestsPerMinute: number): Lease {
		return new AccountPacer({ ...this.options, adaptive: false }).join(requestsPerMinute);
	}
}
