/**
 * How one process slows down for an Exotel account after a 429, and speeds up again. Pure:
 * the caller supplies the times.
 *
 * n8n's workers cannot share memory, so each process reacts to what Exotel says:
 *
 * - a 429 that repeats another (loneRefusal.ts: a lone one only waits) halves the rate this
 *   process sends to the account. "The rate" is
 *   what the process was really sending: the smaller of its limit and the requests it sent in
 *   the last window — so a run without pacing (no limit) is paced from then on;
 * - after a quiet spell without 429s (a window), the rate is won back in steps that grow (1, 2,
 *   4 … up to 1/8 of the limit), one each half window, until the limit the executions set is
 *   reached and the slow-down is over;
 * - a 429 while winning back means the last step was one too many: that step is undone (not
 *   the whole rate halved), and the next quiet spell is twice as long (up to 4 windows). So
 *   processes sharing an account settle just under its limit together, probing above it
 *   rarely and gently, and a process left alone on the account climbs back quickly.
 */

/** The slow-down's numbers; durations as shares of the pacing window (a minute in production). */
export const SLOW_DOWN = {
	/** A 429 at a steady rate multiplies the rate by this. */
	cut: 0.5,
	/** After a cut, this many windows without a 429 before the rate starts to come back… */
	quietWindows: 1,
	/** …doubled after each step that drew a 429, up to this many windows. */
	maxQuietWindows: 4,
	/** Then one step each this many windows (30 s of a minute)… */
	stepWindows: 0.5,
	/** …of 1 request, then 2, 4 … up to this share of the limit to win back. */
	maxStepShare: 0.125,
	/** A Retry-After holds the account's requests, plus up to this many windows of jitter (1 s of a minute). */
	jitterWindows: 1 / 60,
	/** A 429 within this many windows of the last one starts the slow-down; a lone one only waits (loneRefusal.ts). */
	repeatWindows: 2,
} as const;

interface Episode {
	/** The rate to win back: once it is reached, the slow-down is over. */
	ceiling: number;
	/** The rate set by the last cut. */
	base: number;
	/** When the last cut was made. */
	cutAt: number;
	/** How long after the cut the first step comes. */
	quietMs: number;
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
		const { cap } = this.climb(episode, now);
		if (cap >= episode.ceiling) {
			this.episode = undefined;
			return Number.POSITIVE_INFINITY;
		}
		return cap;
	}

	/** When the rate is next due to change by itself (a step back up); undefined when not slowed down. */
	nextChangeAt(now: number): number | undefined {
		const episode = this.episode;
		if (!episode || this.cap(now) === Number.POSITIVE_INFINITY) return undefined;
		const firstStepAt = episode.cutAt + episode.quietMs;
		if (now < firstStepAt) return firstStepAt;
		const stepMs = this.tuning.stepWindows * this.windowMs;
		return firstStepAt + (1 + Math.floor((now - firstStepAt) / stepMs)) * stepMs;
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
		const episode = this.episode;
		if (episode && startedAt < episode.cutAt) return false;
		const capNow = this.cap(now); // may end an episode that has won everything back
		const current = this.episode;
		if (current) {
			const { lastStep } = this.climb(current, now);
			if (lastStep > 0) {
				// Winning back, and the last step was one too many: undo it, and probe later next time.
				const quietMs = Math.min(current.quietMs * 2, this.tuning.maxQuietWindows * this.windowMs);
				this.episode = { ...current, base: Math.max(1, capNow - lastStep), cutAt: now, quietMs };
				return true;
			}
		}
		const rate = Math.min(limit, capNow, Math.max(1, sent));
		// What to win back: the limit the executions set, or without one what was being sent.
		const ceiling =
			current?.ceiling ?? (limit === Number.POSITIVE_INFINITY ? Math.max(1, sent) : limit);
		this.episode = {
			ceiling,
			base: Math.max(1, Math.floor(rate * this.tuning.cut)),
			cutAt: now,
			quietMs: this.tuning.quietWindows * this.windowMs,
		};
		return true;
	}

	/** The rate the episode has climbed back to at `now`, and the size of its last step (0: none yet). */
	private climb(episode: Episode, now: number): { cap: number; lastStep: number } {
		const firstStepAt = episode.cutAt + episode.quietMs;
		if (now < firstStepAt) return { cap: episode.base, lastStep: 0 };
		const steps = 1 + Math.floor((now - firstStepAt) / (this.tuning.stepWindows * this.windowMs));
		const maxStep = Math.max(1, Math.round(episode.ceiling * this.tuning.maxStepShare));
		let cap = episode.base;
		let step = 0;
		for (let i = 0; i < steps && cap < episode.ceiling; i++) {
			step = Math.min(2 ** i, maxStep);
			cap += step;
		}
		return { cap, lastStep: step };
	}
}
