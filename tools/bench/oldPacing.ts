/**
 * The node's pacing before windows were shared per account, kept here as the benchmark's
 * baseline (and the pacing tests' control): one sliding window per execution at its own
 * Requests per Minute, no slow-down after a 429, Exotel's rate-limit headers ignored. Built on
 * the node's own sliding window, so only the sharing differs.
 */
import type { Lease, Pacing } from '../../nodes/shared/transport/pacing/accountPacer';
import type { Clock } from '../../nodes/shared/transport/pacing/clock';
import { SlidingWindowLimiter } from '../../nodes/shared/transport/pacing/slidingWindowLimiter';

export function perExecutionPacing(options: { windowMs: number; clock: Clock }): Pacing {
	return {
		join(_account: string, requestsPerMinute: number): Lease {
			const limit = requestsPerMinute > 0 ? requestsPerMinute : Number.POSITIVE_INFINITY;
			const window = new SlidingWindowLimiter({ limit: () => limit, windowMs: options.windowMs, clock: options.clock });
			return {
				acquire: async (acquire) => {
					const slot = await window.acquire(acquire);
					return { startedAt: slot.startedAt, done: () => slot.release() };
				},
				limitFollowed: () => (limit === Number.POSITIVE_INFINITY ? undefined : { source: 'setting', perWindow: limit }),
				leave: () => undefined,
			};
		},
	};
}
