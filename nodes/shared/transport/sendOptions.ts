/**
 * How the node sends its requests: the one table of defaults and ranges behind the Options
 * collection (its defaults and descriptions), the retry policy and the router's reading of
 * the options. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

import type { RetryPolicy } from './retry';

/** The Options collection's defaults, in the units the user sees. */
export const SEND_DEFAULTS = {
	retry: true,
	maxAttempts: 6,
	retryBaseDelaySeconds: 1,
	maxRetryWaitSeconds: 60,
	timeoutSeconds: 30,
	requestsPerMinute: 0,
	concurrency: 1,
} as const;

/** The ranges the options are kept in. */
export const SEND_LIMITS = {
	maxAttempts: { min: 1, max: 10 },
	retryBaseDelaySeconds: { min: 0.01 },
	maxRetryWaitSeconds: { min: 1 },
	timeoutSeconds: { min: 0.1 },
	requestsPerMinute: { min: 0 },
	concurrency: { min: 1, max: 10 },
} as const;

export interface SendOptions {
	retry: RetryPolicy;
	timeoutMs: number;
	requestsPerMinute: number;
	concurrency: number;
}

/** The backoff waits of the defaults, in seconds, for descriptions: "1, 2, 4, 8, 16". */
export function defaultBackoffSeconds(): string {
	const waits: number[] = [];
	for (let attempt = 1; attempt < SEND_DEFAULTS.maxAttempts; attempt++) {
		waits.push(
			Math.min(
				SEND_DEFAULTS.maxRetryWaitSeconds,
				SEND_DEFAULTS.retryBaseDelaySeconds * 2 ** (attempt - 1),
			),
		);
	}
	return waits.join(', ');
}

function numberOr(value: unknown, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function within(value: number, range: { min: number; max?: number }): number {
	return Math.min(range.max ?? Number.POSITIVE_INFINITY, Math.max(range.min, value));
}

/** Reads the Options collection, with the defaults above and each value kept in its range. */
export function readSendOptions(raw: IDataObject): SendOptions {
	const d = SEND_DEFAULTS;
	const r = SEND_LIMITS;
	return {
		retry: {
			enabled: typeof raw.retry === 'boolean' ? raw.retry : d.retry,
			maxAttempts: within(Math.floor(numberOr(raw.maxAttempts, d.maxAttempts)), r.maxAttempts),
			baseDelayMs:
				within(numberOr(raw.retryBaseDelay, d.retryBaseDelaySeconds), r.retryBaseDelaySeconds) *
				1000,
			maxDelayMs:
				within(numberOr(raw.maxRetryWait, d.maxRetryWaitSeconds), r.maxRetryWaitSeconds) * 1000,
		},
		timeoutMs: within(numberOr(raw.timeout, d.timeoutSeconds), r.timeoutSeconds) * 1000,
		requestsPerMinute: within(
			Math.floor(numberOr(raw.requestsPerMinute, d.requestsPerMinute)),
			r.requestsPerMinute,
		),
		concurrency: within(Math.floor(numberOr(raw.concurrency, d.concurrency)), r.concurrency),
	};
}
