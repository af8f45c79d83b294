/**
 * How one process slows down for an Exotel account after a 429, and speeds up again. Pure:
 * the caller supplies the times.
 *
 * n8n's workers cannot share memory, so each process reacts to what Exotel says: a 429 halves
 * the rate this process sends to the account (multiplicative decrease), and after a quiet
 * spell without 429s the rate is won back step by step (additive increase) until the limit
 * the executions set is reached — then the slow-down is over. Several processes doing this
 * settle on shares that add up to about the account's limit.
 *
 * "The rate" is what the process was really sending: the smaller of the limit it had and the
 * requests it sent in the last window. A run without pacing (no limit) that meets a 429 is
 * paced from then on at half what it was sending, until it has won that back.
 */

/** The slow-down's numbers, as shares of the pacing window (a minute in production). */
export const SLOW_DOWN = {
	/** A 429 multiplies the rate by this. */
	cut: 0.5,
	/** After a cut, this many windows without a 429 before the rate starts to come back. */
	quietWindows: 1,
	/** Then one step each this many windows (15 s of a minute)… */
	stepWindows: 0.25,
	/** …winning back this share of the rate before the first cut (at least 1 request). */
	stepShare: 0.125,
	/** A Retry-After holds the account's requests, plus up to this many windows of jitter (1 s of a minute). */
	jitterWindows: 1 / 60,
} as const;

interface Episode {
	/** The rate before the first cut: once it is won back, the slow-down is over. */
	ceiling: number;
	/** The rate set by the last cut. */
	cutTo: number;
	/** When the last cut was made. */
	cutAt: number;
}

export class AdaptiveRate {
	private episode?: Episode;

	constructor(
		readonly windowMs: number,
		private readonly tuning: typeof SLOW_DOWN = SLOW_DOWN,
	) {}

	/** The most requests per window allowed at `now`: Infinity when not slowed down. */
	cap(now: number): number {
		const episode = this.episode;
		if (!episode) return Number.POSITIVE_INFINITY;
		const quietEnds = episode.cutAt + this.tuning.quietWindows * this.windowMs;
		const steps = now < quietEnds ? 0 : 1 + Math.floor((now - quietEnds) / (this.tuning.stepWindows * this.windowMs));
		const step = Math.max(1, Math.round(episode.ceiling * this.tuning.stepShare));
		const cap = episode.cutTo + steps * step;
		if (cap >= episode.ceiling) {
			this.episode = undefined;
			return Number.POSITIVE_INFINITY;
		}
		return cap;
	}

	/** Whether the account is slowed down at `now`. */
	isSlowed(now: number): boolean {
		return this.cap(now) !== Number.POSITIVE_INFINITY;
	}

	/**
	 * A request started at `startedAt` was answered 429 at `now`. Cuts the rate, unless the
	 * request was sent before the last cut (it reflects the rate before it, already cut for).
	 *
	 * @param limit the limit set by the executions (Infinity: none)
	 * @param sent the requests sent to the account in the last window, this one included
	 * @returns whether the rate was cut
	 */
	refused(startedAt: number, now: number, limit: number, sent: number): boolean {
		if (this.episode && startedAt < this.episode.cutAt) return false;
		const rate = Math.min(limit, this.cap(now), Math.max(1, sent));
		// What to win back: the limit the executions set, or without one what was being sent.
		const ceiling = this.episode?.ceiling ?? (limit === Number.POSITIVE_INFINITY ? Math.max(1, sent) : limit);
		this.episode = { ceiling, cutTo: Math.max(1, Math.floor(rate * this.tuning.cut)), cutAt: now };
		return true;
	}
}
