/**
 * One table of send defaults (SEND_DEFAULTS) feeds the Options collection, the router's
 * reading of the options and the retry policy: these tests tie the three together.
 */
import type { INodeProperties } from 'n8n-workflow';

import { optionsDescription } from '../../../../nodes/ExotelUsers/actions/options.description';
import {
	SEND_DEFAULTS,
	SEND_LIMITS,
	readSendOptions,
} from '../../../../nodes/shared/transport/sendOptions';

const option = (name: string) =>
	(optionsDescription.options as INodeProperties[]).find((o) => o.name === name)!;

/** The option's name in the collection for each entry of the table. */
const NAMES: Record<keyof typeof SEND_DEFAULTS, string> = {
	retry: 'retry',
	maxAttempts: 'maxAttempts',
	retryBaseDelaySeconds: 'retryBaseDelay',
	maxRetryWaitSeconds: 'maxRetryWait',
	timeoutSeconds: 'timeout',
	requestsPerMinute: 'requestsPerMinute',
	concurrency: 'concurrency',
};

describe('the send defaults', () => {
	it('are the documented ones', () => {
		expect(SEND_DEFAULTS).toEqual({
			retry: true,
			maxAttempts: 6,
			retryBaseDelaySeconds: 1,
			maxRetryWaitSeconds: 60,
			timeoutSeconds: 30,
			requestsPerMinute: 0,
			concurrency: 1,
		});
	});

	it('make an option added at the default it shows behave as if it had not been added', () => {
		const shown = Object.fromEntries(
			Object.values(NAMES).map((name) => [name, option(name).default]),
		);
		expect(readSendOptions(shown)).toEqual(readSendOptions({}));
	});

	it.each(Object.entries(NAMES))('feed the range of the %s option', (key, name) => {
		const entry = option(name);
		const range = SEND_LIMITS[key as keyof typeof SEND_LIMITS] as
			| { min: number; max?: number }
			| undefined;
		if (range)
			expect(entry.typeOptions).toMatchObject({
				minValue: range.min,
				...(range.max ? { maxValue: range.max } : {}),
			});
	});

	it('feed the collection’s every option (none left out)', () => {
		expect((optionsDescription.options as INodeProperties[]).map((o) => o.name).sort()).toEqual(
			Object.values(NAMES).sort(),
		);
	});

	it('say under Requests per Minute what its default does, in a builder’s words, and give no “divide by workers” advice', () => {
		const rpm = option('requestsPerMinute');
		expect(rpm.hint).toMatch(/^0 = follow Exotel’s limit/);
		expect(`${rpm.description} ${rpm.hint}`).not.toMatch(/divide it|divide by/i);
	});

	it('feed the descriptions: the backoff they spell out is the default policy’s', () => {
		expect(option('retryBaseDelay').description).toContain('(1, 2, 4, 8, 16 s by default)');
		expect(option('concurrency').description).toContain('(1 to 10)');
	});

	it('feed the options read for an empty collection, and the default retry policy', () => {
		expect(readSendOptions({})).toEqual({
			retry: { enabled: true, maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 60_000 },
			timeoutMs: 30_000,
			requestsPerMinute: 0,
			concurrency: 1,
		});
	});

	it('keep every value read within its range', () => {
		expect(
			readSendOptions({
				maxAttempts: 99,
				retryBaseDelay: 0,
				maxRetryWait: 0,
				timeout: 0,
				requestsPerMinute: -5,
				concurrency: 50,
				retry: false,
			}),
		).toEqual({
			retry: { enabled: false, maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 1000 },
			timeoutMs: 100,
			requestsPerMinute: 0,
			concurrency: 10,
		});
		expect(
			readSendOptions({
				maxAttempts: 2.7,
				requestsPerMinute: 49.9,
				concurrency: 'x' as unknown as number,
			}).retry.maxAttempts,
		).toBe(2);
	});
});
