import { DEFAULT_RETRY_POLICY, decideRetry, parseRetryAfter, type RetryPolicy } from '../../../../nodes/ExotelUsers/helpers/retry';

const NOW = Date.parse('2026-11-27T10:00:00Z');
const policy: RetryPolicy = { enabled: true, maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 60_000 };

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
		expect(decideRetry({ status }, 1, policy, NOW, 0.5).retry).toBe(true);
	});

	it.each([400, 401, 403, 404, 409, 415, 501])('never retries %i', (status) => {
		expect(decideRetry({ status }, 1, policy, NOW, 0.5)).toEqual({ retry: false, why: 'not retryable' });
	});

	it.each(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT'])('retries a network failure %s', (networkCode) => {
		expect(decideRetry({ networkCode }, 1, policy, NOW, 0).retry).toBe(true);
	});

	it('does not retry a host that does not resolve', () => {
		expect(decideRetry({ networkCode: 'ENOTFOUND' }, 1, policy, NOW, 0).retry).toBe(false);
	});

	it('backs off exponentially, 1, 2, 4, 8, 16 s at most, with jitter of up to half', () => {
		const at = (attempt: number, random: number) => decideRetry({ status: 503 }, attempt, policy, NOW, random);
		expect([1, 2, 3, 4, 5].map((a) => at(a, 0.999999))).toEqual(
			[1000, 2000, 4000, 8000, 16000].map((ms) => ({ retry: true, waitMs: ms })),
		);
		expect([1, 2, 3, 4, 5].map((a) => at(a, 0))).toEqual([500, 1000, 2000, 4000, 8000].map((ms) => ({ retry: true, waitMs: ms })));
	});

	it('stops after the last attempt', () => {
		expect(decideRetry({ status: 503 }, 6, policy, NOW, 0)).toEqual({ retry: false, why: 'no attempts left' });
		expect(decideRetry({ status: 503 }, 1, { ...policy, maxAttempts: 1 }, NOW, 0).retry).toBe(false);
	});

	it('does nothing when retries are off', () => {
		expect(decideRetry({ status: 503 }, 1, { ...policy, enabled: false }, NOW, 0)).toEqual({ retry: false, why: 'retries are off' });
	});

	it('caps every wait at the longest wait allowed', () => {
		const capped = { ...policy, maxDelayMs: 3000 };
		expect(decideRetry({ status: 503 }, 5, capped, NOW, 0.999999)).toEqual({ retry: true, waitMs: 3000 });
	});

	it('honours Retry-After, in seconds or as a date', () => {
		expect(decideRetry({ status: 429, retryAfter: '7' }, 1, policy, NOW, 0.3)).toEqual({ retry: true, waitMs: 7000 });
		expect(decideRetry({ status: 503, retryAfter: 'Fri, 27 Nov 2026 10:00:12 GMT' }, 1, policy, NOW, 0.3)).toEqual({
			retry: true,
			waitMs: 12_000,
		});
	});

	it('never retries a 429 at once, even when told Retry-After: 0', () => {
		const decision = decideRetry({ status: 429, retryAfter: '0' }, 1, policy, NOW, 0);
		expect(decision).toEqual({ retry: true, waitMs: 500 });
	});

	it('gives up rather than wait longer than allowed when Retry-After asks for it', () => {
		expect(decideRetry({ status: 429, retryAfter: '120' }, 1, policy, NOW, 0)).toEqual({
			retry: false,
			why: 'Exotel asked to wait 120 s, longer than the longest wait allowed (60 s)',
		});
	});

	it('follows Exotel’s advice by default: 5 retries, from 1 s', () => {
		expect(DEFAULT_RETRY_POLICY).toMatchObject({ enabled: true, maxAttempts: 6, baseDelayMs: 1000 });
	});
});
