/**
 * Exotel's own count of an account's requests, as every answer reports it:
 * `X-RateLimit-Limit` (requests per window), `X-RateLimit-Remaining` (left in this window) and
 * `X-RateLimit-Reset` (epoch seconds when the fixed window ends). Every process using the
 * account sees the same counter, so these headers are how the processes share one account
 * without talking to each other. Pure: the caller supplies the times and the random numbers.
 *
 * The rules, for one account in one process:
 * - the budget of the window is the smallest Remaining reported for it, less this process's
 *   requests still in flight (Exotel may not have counted them yet);
 * - several processes spend one budget: each takes the share of it that it has spent so far
 *   in this window (its answered requests ÷ all the account's requests), so together they ask
 *   for what is left, not each for all of it;
 * - a process spreads its share evenly over the time left to the reset, so the answers that
 *   tell it how much the others spent keep coming while there is budget left;
 * - with nothing left, it waits for the reset, then starts after a random part of one spacing,
 *   so processes that all waited do not fire at the same instant;
 * - a Reset in the past says the window is over (only the limit is kept); one further ahead than
 *   a window is read as a window from now.
 */
import type { Wait } from './slidingWindowLimiter';

export interface RateLimitHeaders {
	limit?: number;
	remaining?: number;
	/** When the window ends, in ms since the epoch. */
	resetAt?: number;
}

function headerNumber(headers: Record<string, unknown>, name: string): number | undefined {
	const raw = headers[name];
	const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
	if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
	if (typeof value !== 'string' || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
	return Number(value);
}

/** The three headers of one answer (names in lower case, as Node gives them); undefined when it has none that can be read. */
export function readRateLimitHeaders(
	headers: Record<string, unknown>,
): RateLimitHeaders | undefined {
	const limit = headerNumber(headers, 'x-ratelimit-limit');
	const remaining = headerNumber(headers, 'x-ratelimit-remaining');
	const reset = headerNumber(headers, 'x-ratelimit-reset');
	const read: RateLimitHeaders = {};
	if (limit !== undefined && limit >= 1) read.limit = Math.floor(limit);
	if (remaining !== undefined) read.remaining = Math.floor(remaining);
	if (reset !== undefined) read.resetAt = reset * 1000;
	// Remaining means nothing without the moment it runs until.
	if (read.remaining === undefined || read.resetAt === undefined)
		return read.limit === undefined ? undefined : { limit: read.limit };
	return read;
}

interface Window {
	/** The Reset header as reported (the same for every answer of one window). */
	reported: number;
	/** When the window ends here: the reported reset, or a window from now if that is further. */
	resetAt: number;
	/** The smallest Remaining reported for this window: the latest count, whatever order answers came in. */
	remaining: number;
	/** This process's requests Exotel reported in this window. */
	own: number;
}

export class HeaderBudget {
	/** The account's limit per window, as last reported. */
	limit?: number;

	private window?: Window;

	/** When headers were last seen: they count as present for a window after. */
	private seenAt?: number;

	private inFlight = 0;

	/** This process's last start, for the spacing. */
	private lastStartAt = Number.NEGATIVE_INFINITY;

	/** The random part of the first spacing after a reset, drawn once per window. */
	private restartJitter?: { resetAt: number; share: number };

	private stepJitter?: { from: number; factor: number };

	/** The window's length: Exotel's minute, or what two consecutive resets showed. */
	private windowMs: number;

	constructor(
		windowMs: number,
		private readonly random: () => number,
	) {
		this.windowMs = windowMs;
	}

	/** Whether the account sends the headers (seen within the last window). */
	present(now: number): boolean {
		return this.seenAt !== undefined && now - this.seenAt <= this.windowMs;
	}

	/** A request starts now. */
	started(now: number): void {
		this.inFlight++;
		this.lastStartAt = Math.max(this.lastStartAt, now);
	}

	/** A request of this process was answered (or failed) at `now`, with these headers if any. */
	answered(now: number, headers: RateLimitHeaders | undefined, counted: boolean): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
		if (!headers) return;
		this.seenAt = now;
		if (headers.limit !== undefined) this.limit = headers.limit;
		if (headers.remaining === undefined || headers.resetAt === undefined) return;
		if (headers.resetAt <= now) {
			// Its window is over (or our clocks disagree): nothing is known of the next one.
			return;
		}
		const reported = headers.resetAt;
		const current = this.window;
		if (current?.reported === reported) {
			current.remaining = Math.min(current.remaining, headers.remaining);
			if (counted) current.own++;
			return;
		}
		if (current && reported < current.reported) return; // an answer from a window already over
		if (current && current.resetAt > now - this.windowMs) {
			const gap = reported - current.reported;
			// Two consecutive windows show the window's length.
			if (gap > 0 && gap < this.windowMs * 1.5) this.windowMs = gap;
		}
		this.window = {
			reported,
			resetAt: Math.min(reported, now + this.windowMs),
			remaining: headers.remaining,
			own: counted ? 1 : 0,
		};
	}

	/** How long a request must wait for the account's budget at `now`; 0 when the headers say nothing. */
	wait(now: number): Wait {
		if (!this.present(now)) return { ms: 0 };
		const current = this.current(now);
		const limit = this.limit;
		let { remaining, own } = current;
		const { resetAt } = current;
		if (remaining === undefined) remaining = limit ?? Number.POSITIVE_INFINITY;
		if (remaining === Number.POSITIVE_INFINITY) return { ms: 0 };
		// This process's share of what is left: what it spent of what the account spent.
		const spent = limit !== undefined ? limit - remaining : undefined;
		own = Math.min(own, spent ?? own);
		const share = spent !== undefined && spent > 0 && own > 0 ? own / spent : 1;
		// With others on the account, the last request of the window is left to chance no more:
		// it goes unspent rather than to two processes that each saw it free.
		const reserve = share < 1 ? 1 : 0;
		const available = Math.min(remaining * share, remaining - reserve) - this.inFlight;
		if (available < 1) {
			// Its own answers will say more; otherwise nothing changes before the reset.
			const untilReset = this.restartAt(resetAt) - now;
			return { ms: Math.max(1, untilReset), orAnswer: this.inFlight > 0 };
		}
		// Spread what is left over the time left, so as not to spend it all before hearing from the others.
		const windowStart = resetAt - this.windowMs;
		const from = Math.max(this.lastStartAt, windowStart);
		const spacing = (resetAt - from) / (available + 1);
		// The first request of a window: a random part of one spacing after it starts.
		// Each spacing drawn between a half and one and a half of it, so processes do not fall into step.
		const at =
			this.lastStartAt < windowStart
				? this.restartAt(windowStart, spacing)
				: from + spacing * this.step(from);
		return at > now ? { ms: Math.ceil(at - now) } : { ms: 0 };
	}

	/** The random factor of the spacing after the start at `from`, drawn once per start. */
	private step(from: number): number {
		if (this.stepJitter?.from !== from) this.stepJitter = { from, factor: 0.5 + this.random() };
		return this.stepJitter.factor;
	}

	/** The window at `now`: the one last reported, or the next one once it has reset. */
	private current(now: number): { resetAt: number; remaining?: number; own: number } {
		const window = this.window;
		if (window && window.resetAt > now) return window;
		// Past the reported reset: a new window with the whole limit, of which nothing is known yet.
		let resetAt = window?.resetAt ?? now + this.windowMs;
		while (resetAt <= now) resetAt += this.windowMs;
		return { resetAt, own: 0 };
	}

	/** When this process may start again after the reset at `resetAt`: a random part of one spacing later. */
	private restartAt(resetAt: number, spacing = this.windowMs / ((this.limit ?? 60) + 1)): number {
		if (this.restartJitter?.resetAt !== resetAt)
			this.restartJitter = { resetAt, share: this.random() };
		return resetAt + this.restartJitter.share * spacing;
	}
}
