/**
 * The enforced per-account rate limit: R requests per rolling window, then 429 with Retry-After.
 * The sandbox's time is moved by hand (`now`), so windows pass without waiting for them.
 */
import { startSandbox, type ExotelSandbox } from '../../../dev/sandbox/server';
import { api, ASHA, basic, CREDS, errorOf } from './testClient';

let sandbox: ExotelSandbox;
let now = 0;
beforeAll(async () => {
	sandbox = await startSandbox({ ...CREDS, now: () => now });
});
afterAll(async () => await sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	now = 1_000_000;
});

const listUsers = () => api(sandbox, 'GET', 'users?limit=1');

it('passes R requests, refuses the next with 429 and Retry-After, and passes again once the window has moved on', async () => {
	const rule = sandbox.faults.add({ kind: 'rate-limit', limit: 3, windowMs: 1000 });
	const passed = [await listUsers(), await listUsers(), await listUsers()];
	expect(passed.map((r) => r.status)).toEqual([200, 200, 200]);

	const refused = await listUsers();
	expect(errorOf(refused)).toEqual([429, 429]);
	expect(refused.json).toMatchObject({ http_code: 429, response: { status: 'failure' } });
	expect(refused.headers.get('retry-after')).toBe('1');
	expect(sandbox.requests[3]).toMatchObject({ status: 429, fault: 'rate-limit' });
	expect(rule.hits).toBe(1);

	now += Number(refused.headers.get('retry-after')) * 1000 - 1;
	expect((await listUsers()).status).toBe(429); // not a moment before Retry-After
	now += 1;
	expect((await listUsers()).status).toBe(200);
	expect(sandbox.stats().byStatus).toEqual({ 200: 4, 429: 2 });
});

it('does not count refused requests, so hammering does not push the reopening back', async () => {
	sandbox.faults.add({ kind: 'rate-limit', limit: 2, windowMs: 600 });
	const statuses: number[] = [];
	for (let i = 0; i < 6; i++) statuses.push((await listUsers()).status);
	expect(statuses).toEqual([200, 200, 429, 429, 429, 429]);
	now += 600;
	expect([(await listUsers()).status, (await listUsers()).status, (await listUsers()).status]).toEqual([200, 200, 429]);
});

it('defaults to a one-minute window, and rounds Retry-After up to whole seconds', async () => {
	sandbox.faults.add({ kind: 'rate-limit', limit: 1 });
	await listUsers();
	const refused = await listUsers();
	expect(refused.status).toBe(429);
	expect(refused.headers.get('retry-after')).toBe('60');
	now += 59_500;
	expect((await listUsers()).headers.get('retry-after')).toBe('1'); // 0.5 s left: rounded up
});

it('counts only the account’s authenticated requests', async () => {
	sandbox.faults.add({ kind: 'rate-limit', limit: 1, windowMs: 60_000 });
	const wrong = await api(sandbox, 'GET', 'users', { auth: basic(CREDS.apiKey, 'wrong') });
	expect(wrong.status).toBe(401);
	expect((await listUsers()).status).toBe(200);
	expect((await listUsers()).status).toBe(429);
});

it('can limit one route only', async () => {
	sandbox.faults.add({ kind: 'rate-limit', limit: 1, route: 'PUT users/:userId/devices/:deviceId/password' });
	const put = () => api(sandbox, 'PUT', `users/${ASHA}/devices/101/password`, { body: { password: 'Good-pass-2026' } });
	expect((await put()).status).toBe(200);
	expect((await put()).status).toBe(429);
	expect((await listUsers()).status).toBe(200);
});

it('can leave out Retry-After and send a non-envelope body', async () => {
	sandbox.faults.add({ kind: 'rate-limit', limit: 1, retryAfter: false, body: 'text' });
	await listUsers();
	const refused = await listUsers();
	expect([refused.status, refused.headers.get('retry-after'), refused.text]).toEqual([429, null, '429 Too Many Requests']);
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
