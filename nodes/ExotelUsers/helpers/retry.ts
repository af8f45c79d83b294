/**
 * When to try an Exotel request again, and how long to wait first. Pure: the caller
 * supplies the failure, the attempt number, the policy, the clock and a random number.
 *
 * Exotel's own advice: back off exponentially (1, 2, 4, 8, 16 s), at most 5 retries, never
 * retry a 429 at once, honour Retry-After; 5xx means "try again"; other 4xx must not be retried.
 */

export interface RetryPolicy {
	/** Whether failures that may pass (429, 5xx, network) are retried at all. */
	enabled: boolean;
	/** Attempts in all, the first included. */
	maxAttempts: number;
	/** The first backoff wait; each later one doubles. */
	baseDelayMs: number;
	/** No single wait is longer; a Retry-After beyond it ends the retries instead. */
	maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { enabled: true, maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 60_000 };

export const RETRYABLE_STATUSES = [429, 500, 502, 503, 504];

/** Socket-level failures after which the same request may well succeed. */
export const RETRYABLE_NETWORK_CODES = ['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ETRUNCATED'];

export interface AttemptFailure {
	status?: number;
	networkCode?: string;
	/** The Retry-After header as received, if any. */
	retryAfter?: string;
}

export type RetryDecision = { retry: true; waitMs: number } | { retry: false; why: string };

/** Retry-After in milliseconds from now: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
	if (value === undefined) return undefined;
	const text = value.trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
	const date = Date.parse(text);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - nowMs);
}

export function isRetryable(failure: AttemptFailure): boolean {
	if (failure.status !== undefined) return RETRYABLE_STATUSES.includes(failure.status);
	return failure.networkCode !== undefined && RETRYABLE_NETWORK_CODES.includes(failure.networkCode);
}

/**
 * @param attempt the attempt that just failed, counting from 1
 * @param random a number in [0, 1) for jitter, so many items backing off together spread out
 */
export function decideRetry(
	failure: AttemptFailure,
	attempt: number,
	policy: RetryPolicy,
	nowMs: number,
	random: number,
): RetryDecision {
	if (!isRetryable(failure)) return { retry: false, why: 'not retryable' };
	if (!policy.enabled) return { retry: false, why: 'retries are off' };
	if (attempt >= policy.maxAttempts) return { retry: false, why: 'no attempts left' };

	const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
	// Equal jitter: at least half the backoff, so a retry is never sent at once.
	const jittered = Math.round(backoff / 2 + (backoff / 2) * random);

	const asked = parseRetryAfter(failure.retryAfter, nowMs);
	if (asked !== undefined && asked > policy.maxDelayMs) {
		return { retry: false, why: `Exotel asked to wait ${Math.ceil(asked / 1000)} s, longer than the longest wait allowed (${Math.round(policy.maxDelayMs / 1000)} s)` };
	}
	// Honour Retry-After, but never retry a 429 sooner than the backoff's floor.
	const waitMs = asked !== undefined ? Math.max(asked, failure.status === 429 ? Math.min(jittered, policy.baseDelayMs) : 0) : jittered;
	return { retry: true, waitMs };
}
