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

export const RETRYABLE_STATUSES = [429, 500, 502, 503, 504];

/** Socket-level failures after which the same request may well succeed. */
export const RETRYABLE_NETWORK_CODES = [
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ETRUNCATED',
];

/** What went wrong with one attempt, as far as retrying is concerned. */
export interface AttemptFailure {
	/** The HTTP status, when something answered. */
	status?: number;
	/** The socket's error code, when nothing (complete) answered. */
	networkCode?: string;
	/** The Retry-After header as received, if any. */
	retryAfter?: string;
	/** A 2xx answer that is not Exotel's JSON envelope: something else answered. */
	unexpected?: boolean;
	/** A 2xx answer whose envelope reports a failure (`status` is then the envelope's code, if it gives one). */
	envelopeFailed?: boolean;
	/** A list answer with failed records: how many, of how many. */
	records?: { failed: number; total: number };
}

/**
 * Why no further attempt is made. Each kind has its text in errors.ts (stopText), so a
 * new kind cannot reach a user without one.
 */
export type StopReason =
	/** The answer is final: another 4xx, a 2xx that is not Exotel's, a host that does not resolve. */
	| { kind: 'final' }
	/** The Retry option is off. */
	| { kind: 'retries-off' }
	/** Max Attempts were used. */
	| { kind: 'attempts-used'; attempts: number }
	/** Exotel's Retry-After asks for longer than Max Retry Wait. */
	| { kind: 'wait-too-long'; askedMs: number; maxMs: number }
	/** The request is not idempotent and the failure leaves open whether it took effect. */
	| { kind: 'unsafe-to-repeat' };

export type RetryDecision = { retry: true; waitMs: number } | { retry: false; stop: StopReason };

export interface RetryContext {
	/** The attempt that just failed, counting from 1. */
	attempt: number;
	policy: RetryPolicy;
	/**
	 * Whether sending the request twice does no more than sending it once. A request that is
	 * not is repeated only after an answer that says it was not carried out (a 429).
	 */
	idempotent: boolean;
	nowMs: number;
	/** A number in [0, 1) for jitter, so requests backing off together spread out. */
	random: number;
}

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
	if (failure.unexpected) return false;
	if (failure.status !== undefined) return RETRYABLE_STATUSES.includes(failure.status);
	return failure.networkCode !== undefined && RETRYABLE_NETWORK_CODES.includes(failure.networkCode);
}

/** Whether the failure leaves open if the request took effect: retryable, and not a 429 (a clear "not done"). */
export function leavesOpen(failure: AttemptFailure): boolean {
	return isRetryable(failure) && failure.status !== 429;
}

/** Network failures after which the request cannot have reached Exotel: no connection was made. */
const NEVER_SENT = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'];

/**
 * Whether a final failure leaves open if the request was carried out: no answer or a timeout
 * (after the connection was made), a 5xx, or a 2xx that was not Exotel's envelope. An answer
 * from Exotel that says "not done" (a 4xx, in the HTTP status or the envelope) does not.
 */
export function outcomeUnknown(failure: AttemptFailure): boolean {
	if (failure.unexpected) return true;
	if (failure.status !== undefined) return failure.status >= 500;
	return failure.networkCode === undefined || !NEVER_SENT.includes(failure.networkCode);
}

export function decideRetry(failure: AttemptFailure, context: RetryContext): RetryDecision {
	const { attempt, policy, nowMs, random } = context;
	if (!isRetryable(failure)) return { retry: false, stop: { kind: 'final' } };
	if (!context.idempotent && leavesOpen(failure))
		return { retry: false, stop: { kind: 'unsafe-to-repeat' } };
	if (!policy.enabled) return { retry: false, stop: { kind: 'retries-off' } };
	if (attempt >= policy.maxAttempts)
		return { retry: false, stop: { kind: 'attempts-used', attempts: attempt } };

	const asked = parseRetryAfter(failure.retryAfter, nowMs);
	if (asked !== undefined && asked > policy.maxDelayMs) {
		return {
			retry: false,
			stop: { kind: 'wait-too-long', askedMs: asked, maxMs: policy.maxDelayMs },
		};
	}
	const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
	if (asked === undefined) {
		// Equal jitter: at least half the backoff, so a retry is never sent at once.
		return { retry: true, waitMs: Math.round(backoff / 2 + (backoff / 2) * random) };
	}
	// Retry-After, plus up to one base delay of jitter so that processes told the same moment
	// do not all come back at it; never past Max Retry Wait, and a 429 never at once.
	const floor = failure.status === 429 ? Math.min(backoff / 2, policy.baseDelayMs) : 0;
	const jittered = Math.max(asked, floor) + policy.baseDelayMs * random;
	return { retry: true, waitMs: Math.round(Math.min(policy.maxDelayMs, jittered)) };
}
