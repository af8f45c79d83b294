/** Fault rules: error statuses and bodies, dropped, hung and slow answers, matching and counting. */
import { connect } from 'node:net';

import { startSandbox, type ExotelSandbox } from '../../../../tools/dev/sandbox/server';
import { settle } from '../../../support/clock';
import { api, ASHA, basic, CREDS, errorOf, GOOD_PASSWORD, until, VIKRAM } from './testClient';

let sandbox: ExotelSandbox;
beforeAll(async () => {
	sandbox = await startSandbox(CREDS);
});
afterAll(async () => await sandbox.stop());
beforeEach(() => sandbox.reset());

const PASSWORD_ROUTE = 'PUT users/:userId/devices/:deviceId/password';
const setPassword = (user = ASHA, device = 101, signal?: AbortSignal) =>
	api(sandbox, 'PUT', `users/${user}/devices/${device}/password`, {
		body: { password: GOOD_PASSWORD },
		signal,
	});
const listUsers = (signal?: AbortSignal) => api(sandbox, 'GET', 'users?limit=1', { signal });

describe('status faults', () => {
	it.each([
		[500, 1004],
		[502, 502],
		[503, 503],
		[504, 504],
	])(
		'answers %i in Exotel’s envelope (error code %i) instead of handling the request',
		async (status, code) => {
			sandbox.faults.add({ kind: 'status', status });
			const res = await setPassword();
			expect(errorOf(res)).toEqual([status, code]);
			expect(res.json).toMatchObject({
				request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
				method: 'PUT',
				http_code: status,
				response: { status: 'failure', data: null },
			});
			expect(res.headers.get('content-type')).toMatch(/^application\/json/);
			expect(sandbox.passwordOf(ASHA, 101)).toBeUndefined();
			expect(sandbox.requests[0]).toMatchObject({
				status,
				fault: 'status',
				request_id: res.json.request_id,
			});
		},
	);

	it('sends 429 with Retry-After in seconds, as an HTTP date, or not at all', async () => {
		const date = new Date(Date.now() + 3000);
		sandbox.faults.add({ kind: 'status', status: 429, retryAfter: 2, times: 1 });
		sandbox.faults.add({ kind: 'status', status: 429, retryAfter: date, times: 1 });
		sandbox.faults.add({ kind: 'status', status: 429, times: 1 });
		const answers = [await listUsers(), await listUsers(), await listUsers()];
		expect(answers.map((a) => [a.status, a.headers.get('retry-after')])).toEqual([
			[429, '2'],
			[429, date.toUTCString()],
			[429, null],
		]);
		expect((await listUsers()).status).toBe(200);
	});

	it.each([
		['empty', '', /^application\/json/],
		['html', /^<html>.*503 Service Unavailable.*<\/html>$/s, /^text\/html/],
		['text', '503 Service Unavailable', /^text\/plain/],
	] as const)('can send an %s body', async (body, text, contentType) => {
		sandbox.faults.add({ kind: 'status', status: 503, body });
		const res = await listUsers();
		expect(res.status).toBe(503);
		expect(res.text).toEqual(typeof text === 'string' ? text : expect.stringMatching(text));
		expect(res.headers.get('content-type')).toMatch(contentType);
	});

	it('can send JSON cut off mid-way', async () => {
		sandbox.faults.add({ kind: 'status', status: 502, body: 'malformed-json' });
		const res = await listUsers();
		expect(res.headers.get('content-type')).toMatch(/^application\/json/);
		expect(res.text).toMatch(/^\{"request_id":/);
		expect(() => JSON.parse(res.text)).toThrow(SyntaxError);
	});

	it('can label a body with another content type', async () => {
		sandbox.faults.add({ kind: 'status', status: 500, contentType: 'text/html' });
		const res = await listUsers();
		expect(res.headers.get('content-type')).toBe('text/html');
		expect(res.json.response.error_data.code).toBe(1004);
	});

	it('acts before authentication, as a gateway in front of Exotel would', async () => {
		sandbox.faults.add({ kind: 'status', status: 502 });
		expect((await api(sandbox, 'GET', 'users', { auth: basic('wrong', 'wrong') })).status).toBe(
			502,
		);
	});
});

describe('matching and counting', () => {
	it('applies to the next `times` matching requests only, and reports its hits', async () => {
		const rule = sandbox.faults.add({ kind: 'status', status: 503, times: 2 });
		const statuses: number[] = [];
		// A client retrying until success: exactly 3 attempts.
		for (let attempt = 0; attempt < 5; attempt++) {
			const res = await setPassword();
			statuses.push(res.status);
			if (res.status === 200) break;
		}
		expect(statuses).toEqual([503, 503, 200]);
		expect([rule.hits, rule.remaining]).toEqual([2, 0]);
		expect(sandbox.faults.active).toHaveLength(0);
		expect(sandbox.stats()).toMatchObject({
			total: 3,
			byStatus: { 503: 2, 200: 1 },
			byFault: { status: 2 },
		});
	});

	it('matches by user id (the segment after users/)', async () => {
		sandbox.faults.add({ kind: 'status', status: 500, userId: ASHA });
		expect((await setPassword(ASHA)).status).toBe(500);
		expect((await api(sandbox, 'GET', `users/${ASHA}`)).status).toBe(500);
		expect((await setPassword(VIKRAM, 201)).status).toBe(200);
		expect((await listUsers()).status).toBe(200);
	});

	it('matches by route, with or without a method', async () => {
		sandbox.faults.add({ kind: 'status', status: 504, route: PASSWORD_ROUTE });
		sandbox.faults.add({ kind: 'status', status: 502, route: 'users/:userId' });
		expect((await setPassword()).status).toBe(504);
		expect((await api(sandbox, 'GET', `users/${VIKRAM}`)).status).toBe(502);
		expect((await api(sandbox, 'DELETE', `users/${VIKRAM}`)).status).toBe(502);
		expect((await listUsers()).status).toBe(200);
		expect(
			(await api(sandbox, 'PUT', `users/${ASHA}/devices/101`, { body: { available: true } }))
				.status,
		).toBe(200);
	});

	it('uses the first matching rule, and a removed rule stops acting', async () => {
		const first = sandbox.faults.add({ kind: 'status', status: 503, route: PASSWORD_ROUTE });
		sandbox.faults.add({ kind: 'status', status: 500 });
		expect((await setPassword()).status).toBe(503);
		first.remove();
		expect((await setPassword()).status).toBe(500);
		sandbox.faults.clear();
		expect((await setPassword()).status).toBe(200);
	});

	it('is forgotten by reset()', async () => {
		sandbox.faults.add({ kind: 'status', status: 503 });
		sandbox.reset();
		expect((await listUsers()).status).toBe(200);
	});

	it('refuses a rule that cannot work', () => {
		expect(() => sandbox.faults.add({ kind: 'status', status: 42 })).toThrow(TypeError);
		expect(() => sandbox.faults.add({ kind: 'reset', times: 0 })).toThrow(/times/);
		expect(() => sandbox.faults.add({ kind: 'rate-limit', limit: 0 })).toThrow(/limit/);
		expect(() => sandbox.faults.add({ kind: 'hang', route: 'GET users extra' })).toThrow(/route/i);
	});
});

describe('connection faults', () => {
	it('reset: closes the connection with nothing sent, so fetch rejects; the attempt is recorded', async () => {
		sandbox.faults.add({ kind: 'reset', times: 1 });
		await expect(setPassword()).rejects.toMatchObject({
			message: 'fetch failed',
			cause: { code: 'ECONNRESET' },
		});
		expect(sandbox.requests).toEqual([
			expect.objectContaining({ status: 0, fault: 'reset', method: 'PUT' }),
		]);
		expect(sandbox.passwordOf(ASHA, 101)).toBeUndefined();
		expect((await setPassword()).status).toBe(200);
		expect(sandbox.stats().byStatus).toEqual({ 0: 1, 200: 1 });
	});

	it('reset: a raw socket receives not one byte', async () => {
		sandbox.faults.add({ kind: 'reset' });
		const { port } = new URL(sandbox.url);
		const received = await new Promise<{ bytes: number; error?: string }>((resolve) => {
			let bytes = 0;
			const socket = connect(Number(port), '127.0.0.1', () => {
				socket.write(
					`GET /v2/accounts/acme1/users HTTP/1.1\r\nHost: sandbox\r\nAuthorization: ${basic()}\r\n\r\n`,
				);
			});
			socket.on('data', (chunk) => (bytes += chunk.length));
			socket.on('error', (error: NodeJS.ErrnoException) => resolve({ bytes, error: error.code }));
			socket.on('close', () => resolve({ bytes }));
		});
		expect(received).toEqual({ bytes: 0, error: 'ECONNRESET' });
	});

	it('reset with processed: the request takes effect, only the answer is lost', async () => {
		sandbox.faults.add({ kind: 'reset', processed: true, times: 1 });
		await expect(setPassword()).rejects.toThrow();
		expect(sandbox.passwordOf(ASHA, 101)).toBe(sandbox.fingerprint(GOOD_PASSWORD));
		expect(sandbox.requests[0]).toMatchObject({ status: 0, fault: 'reset' });
	});

	it('hang: never answers, so only the client’s own timeout ends the request', async () => {
		sandbox.faults.add({ kind: 'hang', route: 'GET users', times: 1 });
		const timeout = new AbortController();
		const pending = listUsers(timeout.signal);
		let settled = false;
		pending.then(
			() => (settled = true),
			() => (settled = true),
		);
		await until(() => sandbox.requests.length === 1);
		await settle();
		expect(settled).toBe(false); // received, and no answer
		timeout.abort(new DOMException('the client gave up', 'TimeoutError'));
		await expect(pending).rejects.toMatchObject({ name: 'TimeoutError' });
		expect(sandbox.requests[0]).toMatchObject({ status: 0, fault: 'hang' });
		expect((await listUsers()).status).toBe(200);
	});

	it('stop() does not wait for a request that hangs: it ends it', async () => {
		const other = await startSandbox(CREDS);
		other.faults.add({ kind: 'hang' });
		const pending = api(other, 'GET', 'users');
		pending.catch(() => undefined);
		await until(() => other.requests.length === 1);
		await other.stop(); // a hang never ends by itself: stop() returning at all is the proof
		await expect(pending).rejects.toThrow();
	});

	it('slow: answers normally, the headers at once and the body in pieces spread over durationMs', async () => {
		sandbox.faults.add({ kind: 'slow', durationMs: 400, route: 'GET users' });
		const started = Date.now();
		const res = await fetch(`${sandbox.url}/v2/accounts/acme1/users`, {
			headers: { authorization: basic() },
		});
		const pieces: Buffer[] = [];
		for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>)
			pieces.push(Buffer.from(piece));
		const bodyAfter = Date.now() - started;
		const body = JSON.parse(Buffer.concat(pieces).toString('utf8')) as { metadata: unknown };
		expect(res.status).toBe(200);
		expect(body.metadata).toEqual({ total: 3, count: 3, offset: 0, limit: 20 });
		expect(pieces.length).toBeGreaterThan(1); // the headers came first, then the body piece by piece
		expect(bodyAfter).toBeGreaterThanOrEqual(380);
		expect(sandbox.requests[0]).toMatchObject({ status: 200, fault: 'slow' });
	});

	it('slow with firstByteMs: the headers wait too', async () => {
		sandbox.faults.add({ kind: 'slow', durationMs: 50, firstByteMs: 300 });
		const started = Date.now();
		const res = await listUsers();
		expect(res.status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(340);
	});

	it('slow: stop() cancels an answer in progress', async () => {
		const other = await startSandbox(CREDS);
		other.faults.add({ kind: 'slow', durationMs: 5000 });
		const res = await fetch(`${other.url}/v2/accounts/acme1/users`, {
			headers: { authorization: basic() },
		});
		await other.stop();
		await expect(res.text()).rejects.toThrow(); // cut off, not the 5 s answer
	});
});

describe('stats', () => {
	it('counts per status and fault, and gives arrival times and gaps for pacing checks', async () => {
		// Its own sandbox, on a clock moved by hand: the gaps are exact.
		let now = 5000;
		const timed = await startSandbox({ ...CREDS, now: () => now });
		const put = () =>
			api(timed, 'PUT', `users/${ASHA}/devices/101/password`, {
				body: { password: GOOD_PASSWORD },
			});
		timed.faults.add({ kind: 'status', status: 429, times: 1, route: PASSWORD_ROUTE });
		await put();
		now += 100;
		await put();
		now += 150;
		await api(timed, 'GET', 'users?limit=1');
		await timed.stop();
		const all = timed.stats();
		expect(all).toMatchObject({ total: 3, byStatus: { 429: 1, 200: 2 }, byFault: { status: 1 } });
		expect(all.receivedAt).toEqual([5000, 5100, 5250]);
		expect(all.gapsMs).toEqual([100, 150]);
		expect(timed.stats({ route: PASSWORD_ROUTE })).toMatchObject({
			total: 2,
			byStatus: { 429: 1, 200: 1 },
		});
		expect(timed.stats({ userId: VIKRAM }).total).toBe(0);
	});
});
