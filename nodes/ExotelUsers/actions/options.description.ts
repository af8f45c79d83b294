import type { INodeProperties } from 'n8n-workflow';

import { SEND_DEFAULTS, SEND_LIMITS as R, defaultBackoffSeconds } from '../transport/sendOptions';

// One name per default (n8n's linter reads a parameter's default only from a literal, a name or a call).
const {
	concurrency: CONCURRENCY,
	maxAttempts: MAX_ATTEMPTS,
	maxRetryWaitSeconds: MAX_RETRY_WAIT,
	requestsPerMinute: REQUESTS_PER_MINUTE,
	retryBaseDelaySeconds: RETRY_BASE_DELAY,
	timeoutSeconds: TIMEOUT,
} = SEND_DEFAULTS;

/** How the node sends its requests; shared by every operation. Defaults and ranges come from SEND_DEFAULTS. */
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
			typeOptions: { minValue: R.concurrency.min, maxValue: R.concurrency.max },
			default: CONCURRENCY,
			description: `How many requests may be in flight at once (${R.concurrency.min} to ${R.concurrency.max}). Output items keep the input order.`,
		},
		{
			displayName: 'Max Attempts',
			name: 'maxAttempts',
			type: 'number',
			typeOptions: { minValue: R.maxAttempts.min, maxValue: R.maxAttempts.max },
			default: MAX_ATTEMPTS,
			description: 'Attempts per request in all, the first included. Exotel advises at most 5 retries.',
		},
		{
			displayName: 'Max Retry Wait (Seconds)',
			name: 'maxRetryWait',
			type: 'number',
			typeOptions: { minValue: R.maxRetryWaitSeconds.min },
			default: MAX_RETRY_WAIT,
			description:
				'The longest single wait before a retry. If Exotel asks (Retry-After) for a longer wait, the item fails instead.',
		},
		{
			displayName: 'Requests per Minute',
			name: 'requestsPerMinute',
			type: 'number',
			typeOptions: { minValue: R.requestsPerMinute.min },
			default: REQUESTS_PER_MINUTE,
			description:
				'The most requests to send to this Exotel account in any 60-second window, lookups and retries included, counted together for every execution of this n8n process (main or worker) that uses the account; when running executions set different values, the smallest applies to all. 0 sets no limit (a 429 from Exotel still slows the run down). Exotel allows about 200 a minute per account (50 for user management on one page of its docs); with several n8n workers, divide it by their number.',
		},
		{
			displayName: 'Retry',
			name: 'retry',
			type: 'boolean',
			// SEND_DEFAULTS.retry: n8n's linter takes only a literal for a boolean's default (a test ties the two).
			default: true,
			description:
				'Whether to retry a request that Exotel rate-limits (429), fails on its side (500, 502, 503, 504) or that gets no answer, waiting longer each time',
		},
		{
			displayName: 'Retry Base Delay (Seconds)',
			name: 'retryBaseDelay',
			type: 'number',
			typeOptions: { minValue: R.retryBaseDelaySeconds.min, numberPrecision: 2 },
			default: RETRY_BASE_DELAY,
			description: `The wait before the first retry; each later wait doubles (${defaultBackoffSeconds()} s by default)`,
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: R.timeoutSeconds.min, numberPrecision: 1 },
			default: TIMEOUT,
			description: 'How long to wait for Exotel’s answer to one request before counting it as failed',
		},
	],
};
