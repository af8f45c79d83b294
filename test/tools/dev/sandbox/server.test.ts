import { ExotelSandbox, startSandbox } from '../../../../tools/dev/sandbox/server';

const CREDS = { apiKey: 'key-sbx', apiToken: 'token-sbx-0123456789', accountSid: 'acme1' };
const ASHA = 'a3f1c2d4e5b60718293a4b5c6d7e8f90';
const MEI = 'c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0';
const GOOD = 'Good-pass-2026';

let sandbox: ExotelSandbox;
beforeAll(async () => {
	sandbox = await startSandbox(CREDS);
});
afterAll(async () => await sandbox.stop());
beforeEach(() => sandbox.reset());

function basic(key = CREDS.apiKey, token = CREDS.apiToken) {
	return 'Basic ' + Buffer.from(`${key}:${token}`).toString('base64');
}

async function call(
	method: string,
	path: string,
	init: { body?: string; contentType?: string; auth?: string } = {},
) {
	const headers: Record<string, string> = { authorization: init.auth ?? basic() };
	if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
	const res = await fetch(sandbox.url + path, { method, headers, body: init.body });
	return { status: res.status, json: (await res.json()) as Record<string, any> };
}

const passwordPath = (user: string, device: string | number) =>
	`/v2/accounts/acme1/users/${user}/devices/${device}/password`;

describe('Exotel sandbox', () => {
	it('sets a SIP password and answers with Exotel’s envelope and a 32-hex request_id', async () => {
		const res = await call('PUT', passwordPath(ASHA, 101), {
			body: JSON.stringify({ password: GOOD }),
		});
		expect(res.status).toBe(200);
		expect(res.json).toEqual({
			request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
			method: 'PUT',
			http_code: 200,
			response: { code: 200, error_data: null, status: 'success', data: null },
		});
		expect(sandbox.passwordOf(ASHA, 101)).toBe(sandbox.fingerprint(GOOD));
	});

	it('records requests with the password as a fingerprint, never in clear', async () => {
		await call('PUT', passwordPath(ASHA, 101), { body: JSON.stringify({ password: GOOD }) });
		const [recorded] = sandbox.requests;
		expect(recorded).toMatchObject({
			method: 'PUT',
			url: passwordPath(ASHA, 101),
			auth: { username: CREDS.apiKey, tokenMatches: true },
			contentType: 'application/json',
			body: { password: sandbox.fingerprint(GOOD) },
			status: 200,
		});
		expect(JSON.stringify(sandbox.requests)).not.toContain(GOOD);
		expect(JSON.stringify(sandbox.requests)).not.toContain(CREDS.apiToken);
	});

	it.each([
		['a wrong token', basic(CREDS.apiKey, 'nope')],
		['a wrong key', basic('other', CREDS.apiToken)],
		['no Basic auth', 'Bearer x'],
	])('answers 401/1010 to %s', async (_name, auth) => {
		const res = await call('GET', '/v2/accounts/acme1/users?limit=1', { auth });
		expect(res.status).toBe(401);
		expect(res.json.response.error_data.code).toBe(1010);
	});

	it('answers 401/1010 for another account’s SID, as a wrong region or SID does', async () => {
		const res = await call('GET', '/v2/accounts/other/users?limit=1');
		expect(res.status).toBe(401);
		expect(res.json.response.error_data.code).toBe(1010);
	});

	it('answers 404/10801 for an unknown user and 404/1000 for an unknown device', async () => {
		const user = await call('PUT', passwordPath('nobody', 101), {
			body: JSON.stringify({ password: GOOD }),
		});
		expect([user.status, user.json.response.error_data.code]).toEqual([404, 10801]);
		const device = await call('PUT', passwordPath(ASHA, 999), {
			body: JSON.stringify({ password: GOOD }),
		});
		expect([device.status, device.json.response.error_data.code]).toEqual([404, 1000]);
	});

	it('refuses a password on a telephone device', async () => {
		const res = await call('PUT', passwordPath(ASHA, 102), {
			body: JSON.stringify({ password: GOOD }),
		});
		expect(res.status).toBe(400);
		expect(res.json.response.error_data).toMatchObject({
			code: 1002,
			description: expect.stringMatching(/SIP device/),
		});
		expect(sandbox.passwordOf(ASHA, 102)).toBeUndefined();
	});

	it('enforces the password policy itself', async () => {
		const res = await call('PUT', passwordPath(ASHA, 101), {
			body: JSON.stringify({ password: 'short1' }),
		});
		expect([res.status, res.json.response.error_data.code]).toEqual([400, 1002]);
		const missing = await call('PUT', passwordPath(ASHA, 101), { body: JSON.stringify({}) });
		expect([missing.status, missing.json.response.error_data.code]).toEqual([400, 1001]);
	});

	it('answers 415/1011 to a body that is not JSON, and 400/1007 to unparseable JSON', async () => {
		const form = await call('PUT', passwordPath(ASHA, 101), {
			body: `password=${GOOD}`,
			contentType: 'application/x-www-form-urlencoded',
		});
		expect([form.status, form.json.response.error_data.code]).toEqual([415, 1011]);
		const broken = await call('PUT', passwordPath(ASHA, 101), { body: '{"password":' });
		expect([broken.status, broken.json.response.error_data.code]).toEqual([400, 1007]);
	});

	it('lists users as per-item envelopes with metadata, paged by limit and offset', async () => {
		const res = await call('GET', '/v2/accounts/acme1/users?limit=2&offset=1');
		expect(res.status).toBe(200);
		expect(res.json.metadata).toEqual({ total: 3, count: 2, offset: 1, limit: 2 });
		expect(res.json.response.map((r: any) => r.data.id)).toEqual([
			'b7e2d9c1a4f3068b5c2e1d0f9a8b7c6d',
			MEI,
		]);
		const tooMany = await call('GET', '/v2/accounts/acme1/users?limit=51');
		expect(tooMany.status).toBe(400);
	});

	it('decodes path segments, so an encoded slash is an id that does not exist, not another route', async () => {
		const res = await call('PUT', passwordPath(`${ASHA}%2Fdevices%2F101`, 101), {
			body: JSON.stringify({ password: GOOD }),
		});
		expect(res.status).toBe(404);
		expect(sandbox.requests[0].segments[4]).toBe(`${ASHA}/devices/101`);
	});

	it('can answer the password update with the device record, the other documented reading', async () => {
		const other = await startSandbox({ ...CREDS, passwordResponseData: 'device' });
		try {
			const res = await fetch(other.url + passwordPath(ASHA, 101), {
				method: 'PUT',
				headers: { authorization: basic(), 'content-type': 'application/json' },
				body: JSON.stringify({ password: GOOD }),
			});
			expect(((await res.json()) as any).response.data).toMatchObject({ id: 101, type: 'sip' });
		} finally {
			await other.stop();
		}
	});

	it('takes extra routes, and answers 500/1004 when a handler throws', async () => {
		const other = await startSandbox(CREDS);
		const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
		try {
			other.route('GET', 'ping/:what', ({ params }) => ({
				status: 200,
				data: { pong: params.what },
			}));
			other.route('GET', 'broken', () => {
				throw new Error('bug');
			});
			const get = async (path: string) => {
				const res = await fetch(`${other.url}/v2/accounts/acme1/${path}`, {
					headers: { authorization: basic() },
				});
				return [res.status, ((await res.json()) as any).response] as const;
			};
			expect(await get('ping/x')).toEqual([200, expect.objectContaining({ data: { pong: 'x' } })]);
			expect(await get('broken')).toEqual([
				500,
				expect.objectContaining({ error_data: expect.objectContaining({ code: 1004 }) }),
			]);
			expect(quiet).toHaveBeenCalledTimes(1);
		} finally {
			quiet.mockRestore();
			await other.stop();
		}
	});
});
