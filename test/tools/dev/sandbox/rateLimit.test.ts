/**
 * The enforced per-account rate limit: R requests per window, then 429 with Retry-After — by
 * default in fixed windows aligned to the epoch with Exotel's X-RateLimit-* headers on every
 * answer, or (headers: false) in the older rolling window without them. The sandbox's time is
 * moved by hand (`now`), so windows pass without waiting for them.
 */
import { startSandbox, type ExotelSandbox } from '../../../../tools/dev/sandbox/server';
import { api, ASHA, basic, CREDS, errorOf } from './testClient';

let sandbox: ExotelSandbox;
let now = 0;
beforeAll(async () => {
	sandbox = await startSandbox({ ...CREDS, now: () => now });
});
afterAll(async () => await sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	now = 1_700_000_000_000;
});

const listUsers = () => api(sandbox, 'GET', 'users?limit=1');

it('passes R requests, refuses the next with 429 and Retry-After, and passes again once the window has moved on', async () => {
	const rule = sandbox.faults.add({ kind: 'rate-limit', limit: 3, windowMs: 1000, headers: false });
	const passed = [await listUsers(), await listUsers(), await listUsers()];
	expect(passed.map((r) => r.status)).toEqual([200, 200, 200]);

	const refused = await listUsers();
	expect(errorOf(refused)).toEqual([429, 429]);
	expect(refused.json).toMatchObject({ http_code: 429, response: { status: 'failure' } });
	expect(refused.headers.get('retry-after')).toBe('1');
	expect(sandbox.requests[3]).toMatchObject({ status: 429, fault: 'rate-limit' });
	expect(rule.hits).toBe(1);

	now += Number(refused.headers.get('retry-after')) * 1000;
	expect((await listUsers()).status).toBe(200);
	expect(sandbox.stats().byStatus).toEqual({ 200: 4, 429: 1 });
});

it('does not count refused requests, so hammering does not push the reopening back', async () => {
	sandbox.faults.add({ kind: 'rate-limit', limit: 2, windowMs: 600, headers: false });
	const statuses: number[] = [];
	for (let i = 0; i < 6; i++) statuses.push((await listUsers()).status);
	expect(statuses).toEqual([200, 200, 429, 429, 429, 429]);
	now += 650;
	expect([
		(await listUsers()).status,
		(await listUsers()).status,
		(await listUsers()).status,
	]).toEqual([200, 200, 429]);
});

it('defaults to a one-minute window, and rounds Retry-After up to whole seconds', async () => {
	sandbox.faults.add({ kind: 'rate-limit', limit: 1, headers: false });
	await listUsers();
	const refused = await listUsers();
	expect(refused.status).toBe(429);
	expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
	expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
});

it('counts only the account’s authenticated requests', async () => {
	sandbox.faults.add({ kind: 'rate-limit', limit: 1, windowMs: 60_000 });
	const wrong = await api(sandbox, 'GET', 'users', { auth: basic(CREDS.apiKey, 'wrong') });
	expect(wrong.status).toBe(401);
	expect((await listUsers()).status).toBe(200);
	expect((await listUsers()).status).toBe(429);
});

it('can limit one route only', async () => {
	sandbox.faults.add({
		kind: 'rate-limit',
		limit: 1,
		route: 'PUT users/:userId/devices/:deviceId/password',
	});
	const put = () =>
		api(sandbox, 'PUT', `users/${ASHA}/devices/101/password`, {
			body: { password: 'Good-pass-2026' },
		});
	expect((await put()).status).toBe(200);
	expect((await put()).status).toBe(429);
	expect((await listUsers()).status).toBe(200);
});

it('can leave out Retry-After and send a non-envelope body', async () => {
	sandbox.faults.add({ kind: 'rate-limit', limit: 1, retryAfter: false, body: 'text' });
	await listUsers();
	const refused = await listUsers();
	expect([refused.status, refused.headers.get('retry-after'), refused.text]).toEqual([
		429,
		null,
		'429 Too Many Requests',
	]);
});

it('keeps a limit given as a sandbox option across reset()', async () => {
	const limited = await startSandbox({ ...CREDS, rateLimit: { limit: 1, windowMs: 60_000 } });
	try {
		expect((await api(limited, 'GET', 'users')).status).toBe(200);
		expect((await api(limited, 'GET', 'users')).status).toBe(429);
		limited.reset();
		expect((await api(limited, 'GET', 'users')).status).toBe(200);
		expect((await api(limited, 'GET', 'users')).status).toBe(429);
	} finally {
		await limited.stop();
	}
});

describe('Exotel’s rate-limit headers (the default)', () => {
	/** Waits until just after a window of `windowMs` starts, so a test's requests fall in one window. */
	async function windowStart(windowMs: number): Promise<number> {
		const start = (Math.floor(now / windowMs) + 1) * windowMs;
		now = start + 5;
		return start;
	}

	it('sends Limit, Remaining and Reset (epoch seconds of the fixed window’s end) on every answer, 429 included', async () => {
		sandbox.faults.add({ kind: 'rate-limit', limit: 2, windowMs: 2000 });
		const start = await windowStart(2000);
		const answers = [await listUsers(), await listUsers(), await listUsers()];
		expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
		expect(answers.map((a) => a.headers.get('x-ratelimit-limit'))).toEqual(['2', '2', '2']);
		expect(answers.map((a) => a.headers.get('x-ratelimit-remaining'))).toEqual(['1', '0', '0']);
		expect(answers.map((a) => Number(a.headers.get('x-ratelimit-reset')))).toEqual(
			[1, 2, 3].map(() => (start + 2000) / 1000),
		);
		expect(Number(answers[2].headers.get('retry-after'))).toBeLessThanOrEqual(2);
	});

	it('counts in fixed windows aligned to the epoch: the count starts again when a window starts', async () => {
		sandbox.faults.add({ kind: 'rate-limit', limit: 1, windowMs: 400 });
		await windowStart(400);
		expect([(await listUsers()).status, (await listUsers()).status]).toEqual([200, 429]);
		await windowStart(400);
		const next = await listUsers();
		expect([next.status, next.headers.get('x-ratelimit-remaining')]).toEqual([200, '0']);
	});

	it('answers a 429 with Exotel’s RestException when asked', async () => {
		sandbox.faults.add({ kind: 'rate-limit', limit: 1, windowMs: 60_000, body: 'rest-exception' });
		await listUsers();
		const refused = await listUsers();
		expect(refused.status).toBe(429);
		expect(refused.json).toMatchObject({
			RestException: { Status: 429, Code: 'RATE_LIMIT_EXCEEDED' },
		});
		expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
	});

	it('sends none with headers: false, nor on a request it does not count', async () => {
		sandbox.faults.add({ kind: 'rate-limit', limit: 5, headers: false });
		const quiet = await listUsers();
		expect(quiet.headers.get('x-ratelimit-limit')).toBeNull();
		sandbox.faults.clear();
		sandbox.faults.add({ kind: 'rate-limit', limit: 5 });
		const wrong = await api(sandbox, 'GET', 'users', { auth: basic(CREDS.apiKey, 'wrong') });
		expect([wrong.status, wrong.headers.get('x-ratelimit-limit')]).toEqual([401, null]);
	});
});
