/**
 * Pacing per Exotel account. Exotel's limit is per account, so every execution of one process
 * that uses the same account (base URL + account SID) sends through one pacer:
 *
 * - when Exotel's answers carry its rate-limit headers, they are the truth (headerBudget.ts):
 *   every process on the account reads the same counter, so they share it without a setting;
 * - when they do not, the sliding window and the slow-down after a 429 (adaptiveRate.ts) apply;
 * - Requests per Minute, when set, is a cap on top of either.
 *
 * Pure: the window length, the clock and the random numbers are constructor arguments; the
 * process-wide registry lives in processPacing.ts.
 *
 * The window's size when executions set different Requests per Minute: the SMALLEST value set
 * (above 0) by any execution using the account at the moment applies to all of them, those
 * that set 0 included. A limit is a promise about the account — "at most this many a minute"
 * — so the strictest one running is kept; when that execution ends, the next smallest
 * applies. With no value set, requests are counted but never wait, until a 429 (AdaptiveRate).
 */
import type { Clock } from './clock';
import { HeaderBudget, type RateLimitHeaders } from './headerBudget';
import { SlidingWindowLimiter, type AcquireOptions } from './slidingWindowLimiter';
import { LoneRefusal } from './loneRefusal';
import { AdaptiveRate, SLOW_DOWN } from './adaptiveRate';

/** What an attempt's answer tells the pacer. */
export interface Answer {
	/** Exotel answered 429. */
	refused: boolean;
	/** Its Retry-After, in ms from now, if any. */
	retryAfterMs?: number;
	/** The longest this process holds the account for a Retry-After (the execution's Max Retry Wait). */
	maxHoldMs?: number;
	/** Exotel's rate-limit headers on the answer, if any. */
	rateLimit?: RateLimitHeaders;
}

/** The limit an account's requests follow at the moment, for the execution hint. */
export type LimitFollowed = { source: 'exotel' | 'setting'; perWindow: number } | undefined;

export interface PacedSlot {
	readonly startedAt: number;
	/** Call once the answer (or failure) is in; pass what Exotel said. */
	done(answer?: Answer): void;
}

/** One execution's place in an account's pacing. */
export interface Lease {
	acquire(options?: AcquireOptions): Promise<PacedSlot>;
	/** The limit followed now: Exotel's (from its headers), the Requests per Minute set, or none. */
	limitFollowed(): LimitFollowed;
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
	/** A number in [0, 1), for the jitter of a hold and of a restart after a reset. */
	random: () => number;
}

/** One account's window in this process. */
export class AccountPacer {
	private readonly limits: number[] = [];

	private readonly window: SlidingWindowLimiter;

	private readonly adaptive: AdaptiveRate;

	private readonly lone: LoneRefusal;

	private readonly headers: HeaderBudget;

	constructor(private readonly options: PacerOptions) {
		this.adaptive = new AdaptiveRate(options.windowMs);
		this.lone = new LoneRefusal(options.windowMs);
		this.headers = new HeaderBudget(options.windowMs, options.random);
		this.window = new SlidingWindowLimiter({
			limit: () => this.limit(),
			windowMs: options.windowMs,
			clock: options.clock,
			limitChangesAt: (now) => this.adaptive.nextChangeAt(now),
			gate: (now) => this.headers.wait(now),
			onStart: (now) => this.headers.started(now),
		});
	}

	/** The smallest Requests per Minute set by a member (Infinity: none). */
	configuredLimit(): number {
		return this.limits.length ? Math.min(...this.limits) : Number.POSITIVE_INFINITY;
	}

	/** The requests allowed per window now: the configured limit, or less while slowed down. */
	limit(now = this.options.clock.now()): number {
		return Math.min(this.configuredLimit(), this.adaptive.cap(now));
	}

	/** Exotel's limit when its headers say it, else the Requests per Minute set, else none. */
	limitFollowed(now = this.options.clock.now()): LimitFollowed {
		const configured = this.configuredLimit();
		const exotel = this.headers.present(now) ? this.headers.limit : undefined;
		if (exotel !== undefined && exotel <= configured)
			return { source: 'exotel', perWindow: exotel };
		return configured === Number.POSITIVE_INFINITY
			? undefined
			: { source: 'setting', perWindow: configured };
	}

	/** Requests sent to the account in the current window (in flight, or answered within it). */
	sent(now = this.options.clock.now()): number {
		return this.window.count(now);
	}

	/** Nothing left to remember: nobody's requests in the window, no hold, no slow-down, no recent 429. */
	isIdle(now = this.options.clock.now()): boolean {
		return (
			this.window.isEmpty(now) &&
			!this.adaptive.isSlowed(now) &&
			!this.headers.present(now) &&
			!this.lone.remembers(now)
		);
	}

	join(requestsPerMinute: number): Lease {
		const limit = requestsPerMinute > 0 ? requestsPerMinute : Number.POSITIVE_INFINITY;
		if (limit !== Number.POSITIVE_INFINITY) this.limits.push(limit);
		let left = false;
		return {
			acquire: async (options) => await this.acquire(options),
			limitFollowed: () => this.limitFollowed(),
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
				const now = this.options.clock.now();
				const refused = answer?.refused === true;
				const sent = this.window.count(now);
				// Exotel does not count a request it refused. Without a Retry-After it leaves the window,
				// so the retry waits by the backoff, not for the window to pass; with one, the hold says
				// when to go on, and the window keeps it (the slow-down stays as cautious as before).
				slot.release(!refused || answer?.retryAfterMs !== undefined);
				this.headers.answered(now, answer?.rateLimit, !refused);
				if (refused) this.refused(slot.startedAt, sent, answer);
			},
		};
	}

	private refused(startedAt: number, sent: number, answer: Answer): void {
		const now = this.options.clock.now();
		// With Exotel's headers, the 429's own headers already say when the account has room again.
		// Without them, a lone 429 only waits; one that repeats another, or comes while slowed down, slows down.
		if (!answer.rateLimit && !this.headers.present(now)) {
			const repeats = this.lone.repeats(startedAt, now);
			if (repeats || this.adaptive.isSlowed(now))
				this.adaptive.refused(startedAt, now, this.configuredLimit(), sent);
		}
		if (answer.retryAfterMs !== undefined) {
			// Exotel says when the account has room again: nobody in this process sends before
			// then, plus jitter so that processes do not come back in step. At most a window,
			// and no longer than the asking execution waits itself: an execution that gives up
			// on a long Retry-After does not hold the account for the others.
			const { windowMs } = this.options;
			const jitter = this.options.random() * SLOW_DOWN.jitterWindows * windowMs;
			const hold = Math.min(answer.retryAfterMs, windowMs, answer.maxHoldMs ?? windowMs);
			this.window.holdUntil(now + hold + jitter);
		}
	}
}

/**
 * The pacing of one process: one AccountPacer per account, shared by every execution that
 * uses it. An account's entry is dropped once no execution uses it and nothing is left to
 * remember (its last window has passed and no slow-down is on); until then a new execution
 * on the account takes up where the last one left off.
 */
export class AccountRegistry implements Pacing {
	private readonly accounts = new Map<string, { pacer: AccountPacer; members: number }>();

	constructor(private readonly options: PacerOptions) {}

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
			limitFollowed: lease.limitFollowed,
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
