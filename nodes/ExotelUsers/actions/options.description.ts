import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { RetryPolicy } from '../helpers/retry';

export const MAX_CONCURRENCY = 10;

/** How the node sends its requests; shared by every operation. */
export const optionsDescription: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
			default: 1,
			description: `How many requests may be in flight at once (1 to ${MAX_CONCURRENCY}). Output items keep the input order.`,
		},
		{
			displayName: 'Max Attempts',
			name: 'maxAttempts',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10 },
			default: 6,
			description: 'Attempts per request in all, the first included. Exotel advises at most 5 retries.',
		},
		{
			displayName: 'Max Retry Wait (Seconds)',
			name: 'maxRetryWait',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 60,
			description:
				'The longest single wait before a retry. If Exotel asks (Retry-After) for a longer wait, the item fails instead.',
		},
		{
			displayName: 'Requests per Minute',
			name: 'requestsPerMinute',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description:
				'The most requests to send in any 60-second window of the run, lookups and retries included; 0 sends without pacing. Exotel allows about 200 a minute per account (50 for user management on one page of its docs), shared by every workflow using the account.',
		},
		{
			displayName: 'Retry',
			name: 'retry',
			type: 'boolean',
			default: true,
			description:
				'Whether to retry a request that Exotel rate-limits (429), fails on its side (500, 502, 503, 504) or that gets no answer, waiting longer each time',
		},
		{
			displayName: 'Retry Base Delay (Seconds)',
			name: 'retryBaseDelay',
			type: 'number',
			typeOptions: { minValue: 0.01, numberPrecision: 2 },
			default: 1,
			description: 'The wait before the first retry; each later wait doubles (1, 2, 4, 8, 16 s by default)',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 0.1, numberPrecision: 1 },
			default: 30,
			description: 'How long to wait for Exotel’s answer to one request before counting it as failed',
		},
	],
};

export interface SendOptions {
	retry: RetryPolicy;
	timeoutMs: number;
	requestsPerMinute: number;
	concurrency: number;
}

function numberOr(value: unknown, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** Reads the Options collection, with the defaults above and each value kept in its range. */
export function readSendOptions(raw: IDataObject): SendOptions {
	return {
		retry: {
			enabled: raw.retry !== false,
			maxAttempts: Math.max(1, Math.min(10, Math.floor(numberOr(raw.maxAttempts, 6)))),
			baseDelayMs: Math.max(10, numberOr(raw.retryBaseDelay, 1) * 1000),
			maxDelayMs: Math.max(1000, numberOr(raw.maxRetryWait, 60) * 1000),
		},
		timeoutMs: Math.max(100, numberOr(raw.timeout, 30) * 1000),
		requestsPerMinute: Math.max(0, Math.floor(numberOr(raw.requestsPerMinute, 0))),
		concurrency: Math.max(1, Math.min(MAX_CONCURRENCY, Math.floor(numberOr(raw.concurrency, 1)))),
	};
}
