import type { INodeProperties } from 'n8n-workflow';

import {
	SEND_DEFAULTS,
	SEND_LIMITS as R,
	defaultBackoffSeconds,
} from '../../shared/transport/sendOptions';

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
			description:
				'Attempts per request in all, the first included. Exotel advises at most 5 retries.',
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
				'0 (the default) follows Exotel: the node reads the account’s remaining requests from every answer, so every workflow and every n8n worker using the account shares its limit without you dividing anything. A number caps the requests this n8n process sends to the account in any minute (lookups and retries included; the smallest value set by a running execution applies to all of them), on top of Exotel’s own limit.',
			hint: '0 = follow Exotel’s limit for the account (shared by all workflows and workers). Set a number only to keep this workflow below it.',
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
			description:
				'How long to wait for Exotel’s answer to one request before counting it as failed',
		},
	],
};
