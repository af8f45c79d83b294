import {
	decideRetry,
	parseRetryAfter,
	type AttemptFailure,
	type RetryPolicy,
} from '../../../../nodes/shared/transport/retry';
import { readSendOptions } from '../../../../nodes/shared/transport/sendOptions';

const NOW = Date.parse('2026-11-27T10:00:00Z');
const policy: RetryPolicy = {
	enabled: true,
	maxAttempts: 6,
	baseDelayMs: 1000,
	maxDelayMs: 60_000,
};

/** The decision after `attempt` failed, for an idempotent request unless told otherwise. */
function decide(
	failure: AttemptFailure,
	attempt: number,
	random: number,
	over: { policy?: RetryPolicy; idempotent?: boolean } = {},
) {
	return decideRetry(failure, {
		attempt,
		policy: over.policy ?? policy,
		idempotent: over.idempotent ?? true,
		nowMs: NOW,
		random,
	});
}

describe('parseRetryAfter', () => {
	it('reads delta-seconds and HTTP dates', () => {
		expect(parseRetryAfter('7', NOW)).toBe(7000);
		expect(parseRetryAfter(' 0.5 ', NOW)).toBe(500);
		expect(parseRetryAfter('Fri, 27 Nov 2026 10:00:30 GMT', NOW)).toBe(30_000);
	});

	it('treats a date in the past as "now" and ignores what it cannot read', () => {
		expect(parseRetryAfter('Fri, 27 Nov 2026 09:00:00 GMT', NOW)).toBe(0);
		expect(parseRetryAfter('soon', NOW)).toBeUndefined();
		expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
	});
});

describe('decideRetry', () => {
	it.each([429, 500, 502, 503, 504])('retries %i', (status) => {
		expect(decide({ status }, 1, 0.5).retry).toBe(true);
	});

	it.each([400, 401, 403, 404, 409, 415, 501])(
		'never retries %i: the answer is final',
		(status) => {
			expect(decide({ status }, 1, 0.5)).toEqual({ retry: false, stop: { kind: 'final' } });
		},
	);

	it('never retries a 2xx that is not Exotel’s envelope', () => {
		expect(decide({ status: 200, unexpected: true }, 1, 0.5)).toEqual({
			retry: false,
			stop: { kind: 'final' },
		});
	});

	it.each(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT'])(
		'retries a network failure %s',
		(networkCode) => {
			expect(decide({ networkCode }, 1, 0).retry).toBe(true);
		},
	);

	it('does not retry a host that does not resolve', () => {
		expect(decide({ networkCode: 'ENOTFOUND' }, 1, 0)).toEqual({
			retry: false,
			stop: { kind: 'final' },
		});
	});

	it('backs off exponentially, 1, 2, 4, 8, 16 s at most, with jitter of up to half', () => {
		const at = (attempt: number, random: number) => decide({ status: 503 }, attempt, random);
		expect([1, 2, 3, 4, 5].map((a) => at(a, 0.999999))).toEqual(
			[1000, 2000, 4000, 8000, 16000].map((ms) => ({ retry: true, waitMs: ms })),
		);
		expect([1, 2, 3, 4, 5].map((a) => at(a, 0))).toEqual(
			[500, 1000, 2000, 4000, 8000].map((ms) => ({ retry: true, waitMs: ms })),
		);
	});

	it('stops after the last attempt, saying how many were made', () => {
		expect(decide({ status: 503 }, 6, 0)).toEqual({
			retry: false,
			stop: { kind: 'attempts-used', attempts: 6 },
		});
		expect(decide({ status: 503 }, 1, 0, { policy: { ...policy, maxAttempts: 1 } })).toEqual({
			retry: false,
			stop: { kind: 'attempts-used', attempts: 1 },
		});
	});

	it('does nothing when retries are off', () => {
		expect(decide({ status: 503 }, 1, 0, { policy: { ...policy, enabled: false } })).toEqual({
			retry: false,
			stop: { kind: 'retries-off' },
		});
	});

	it('caps every wait at the longest wait allowed', () => {
		const capped = { ...policy, maxDelayMs: 3000 };
		expect(decide({ status: 503 }, 5, 0.999999, { policy: capped })).toEqual({
			retry: true,
			waitMs: 3000,
		});
	});

	it('honours Retry-After, in seconds or as a date, plus up to one base delay of jitter', () => {
		expect(decide({ status: 429, retryAfter: '7' }, 1, 0)).toEqual({ retry: true, waitMs: 7000 });
		expect(decide({ status: 429, retryAfter: '7' }, 1, 0.3)).toEqual({ retry: true, waitMs: 7300 });
		expect(decide({ status: 503, retryAfter: 'Fri, 27 Nov 2026 10:00:12 GMT' }, 1, 0.3)).toEqual({
			retry: true,
			waitMs: 12_300,
		});
	});

	it('spreads retries told the same Retry-After, never past Max Retry Wait', () => {
		const waits = [0, 0.25, 0.5, 0.75, 0.999].map((r) =>
			decide({ status: 429, retryAfter: '7' }, 1, r),
		);
		expect(new Set(waits.map((d) => (d.retry ? d.waitMs : -1))).size).toBe(5);
		for (const d of waits) expect(d.retry && d.waitMs >= 7000 && d.waitMs < 8000).toBe(true);
		expect(decide({ status: 429, retryAfter: '60' }, 1, 0.9)).toEqual({
			retry: true,
			waitMs: 60_000,
		});
	});

	it('never retries a 429 at once, even when told Retry-After: 0', () => {
		expect(decide({ status: 429, retryAfter: '0' }, 1, 0)).toEqual({ retry: true, waitMs: 500 });
	});

	it('gives up rather than wait longer than allowed when Retry-After asks for it', () => {
		expect(decide({ status: 429, retryAfter: '120' }, 1, 0)).toEqual({
			retry: false,
			stop: { kind: 'wait-too-long', askedMs: 120_000, maxMs: 60_000 },
		});
	});

	describe('a request that is not idempotent (a create)', () => {
		it.each([
			[{ status: 500 }],
			[{ status: 503 }],
			[{ networkCode: 'ECONNRESET' }],
			[{ networkCode: 'ETIMEDOUT' }],
		])(
			'is not repeated after %j, which leaves open whether it took effect',
			(failure: AttemptFailure) => {
				expect(decide(failure, 1, 0, { idempotent: false })).toEqual({
					retry: false,
					stop: { kind: 'unsafe-to-repeat' },
				});
			},
		);

		it('is repeated after a 429, a clear "not done"', () => {
			expect(decide({ status: 429 }, 1, 0, { idempotent: false })).toEqual({
				retry: true,
				waitMs: 500,
			});
		});

		it('says it is unsafe before it says retries are off, so a recovery can still be tried', () => {
			expect(
				decide({ status: 503 }, 1, 0, { idempotent: false, policy: { ...policy, enabled: false } }),
			).toEqual({
				retry: false,
				stop: { kind: 'unsafe-to-repeat' },
			});
		});
	});

	it('follows Exotel’s advice by default: 5 retries, waiting 1, 2, 4, 8, 16 s at most, and no Retry-After past 60 s', () => {
		const byDefault = (failure: AttemptFailure, attempt: number, random: number) =>
			decide(failure, attempt, random, { policy: readSendOptions({}).retry });
		const longest = [1, 2, 3, 4, 5, 6].map((attempt) => byDefault({ status: 503 }, attempt, 1));
		expect(longest).toEqual([
			...[1000, 2000, 4000, 8000, 16_000].map((waitMs) => ({ retry: true, waitMs })),
			{ retry: false, stop: { kind: 'attempts-used', attempts: 6 } },
		]);
		expect(byDefault({ status: 429, retryAfter: '60' }, 1, 0)).toEqual({
			retry: true,
			waitMs: 60_000,
		});
		expect(byDefault({ status: 429, retryAfter: '61' }, 1, 0)).toEqual({
			retry: false,
			stop: { kind: 'wait-too-long', askedMs: 61_000, maxMs: 60_000 },
		});
	});
});
