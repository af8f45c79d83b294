/**
 * Whether a 429 (on an account that sends no rate-limit headers) says this process sends too
 * fast, or is a lone one. Pure: the caller supplies the times.
 *
 * One 429 says the account was full at that moment — often because another workflow or tool
 * spent its minute. Halving this process's rate for it would make a two-request run, or a
 * trigger polling five pages a minute, wait a minute or more for nothing. So a lone 429 only
 * waits what Exotel asks (Retry-After, or the backoff), and a 429 that comes within
 * `SLOW_DOWN.repeatWindows` windows of the last one — to a request sent after that one was
 * answered, so not the same burst — is a sign of sending too fast: then the slow-down starts.
 */
import { SLOW_DOWN } from './adaptiveRate';

export class LoneRefusal {
	/** When the last 429 that counted was answered. */
	private lastAt?: number;

	constructor(
		private readonly windowMs: number,
		private readonly repeatWindows: number = SLOW_DOWN.repeatWindows,
	) {}

	/**
	 * A request started at `startedAt` was answered 429 at `now`: whether it repeats an earlier
	 * 429 (slow down) rather than stands alone (only wait). The 429s of a burst sent before the
	 * last one was answered count as that one.
	 */
	repeats(startedAt: number, now: number): boolean {
		const last = this.lastAt;
		if (last !== undefined && startedAt < last) return false;
		this.lastAt = now;
		return last !== undefined && now - last <= this.repeatWindows * this.windowMs;
	}

	/** Whether a 429 is still remembered at `now` (the next one would repeat it). */
	remembers(now: number): boolean {
		return this.lastAt !== undefined && now - this.lastAt <= this.repeatWindows * this.windowMs;
	}
}
