/**
 * The client on canned answers (a stub of n8n's request helper, a fake clock): a 2xx is a
 * success only when its envelope says so, secrets never come back in any form or letter case,
 * an error says whether the request may have been carried out, and a run the account's limit
 * slowed down leaves an execution hint.
 */
import type { IDataObject, IExecuteFunctions, NodeExecutionHint } from 'n8n-workflow';

import {
	ExotelClient,
	ExotelError,
	type ClientSettings,
} from '../../../../nodes/shared/transport/client';
import { AccountRegistry } from '../../../../nodes/shared/transport/pacing/accountPacer';
import { FakeClock } from '../../../support/clock';

const KEY = 'key-3f9a';
const TOKEN = 'Tok3n-Secret-77aa';
const SID = 'acme1';
const BASIC = Buffer.from(`${KEY}:${TOKEN}`).toString('base64');
const PASSWORD_KEY = 'team-derivation-key/+?7';

type Canned =
	| { statusCode: number; headers?: Record<string, string>; body: unknown }
	| { error: IDataObject };

const SETTINGS: ClientSettings = {
	retry: { enabled: true, maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 1000 },
	timeoutMs: 5000,
	requestsPerMinute: 0,
};

function stub(answers: Canned[]) {
	const calls: IDataObject[] = [];
	const hints: NodeExecutionHint[] = [];
	const context = {
		getNode: () => ({
			id: '1',
			name: 'Exotel Users',
			type: 'exotelUsers',
			typeVersion: 2,
			position: [0, 0],
			parameters: {},
		}),
		getCredentials: async () => ({
			apiKey: KEY,
			apiToken: TOKEN,
			accountSid: SID,
			region: 'custom',
			baseUrl: 'http://127.0.0.1:1',
			passwordKey: PASSWORD_KEY,
		}),
		addExecutionHints: (...added: NodeExecutionHint[]) => hints.push(...added),
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: IDataObject) => {
				calls.push(options);
				const next = answers.length > 1 ? answers.shift()! : answers[0];
				if ('error' in next) throw Object.assign(new Error('request failed'), next.error);
				return { headers: {}, ...next };
			},
		},
	} as unknown as IExecuteFunctions;
	return { context, calls, hints };
}

function clientFor(answers: Canned[], settings = SETTINGS) {
	const clock = new FakeClock();
	const random = () => 0.5;
	const { context, calls, hints } = stub(answers);
	const client = new ExotelClient(context, settings, {
		pacing: new AccountRegistry({ windowMs: 60_000, clock, random }),
		clock,
		random,
	});
	return { client, calls, hints, clock };
}

const envelope = (response: unknown, http_code = 200) => ({
	request_id: 'r1',
	method: 'GET',
	http_code,
	response,
});

async function failureOf(promise: Promise<unknown>, clock?: FakeClock): Promise<ExotelError> {
	const settled = promise.then(
		() => undefined,
		(error: unknown) => error,
	);
	await clock?.runAll();
	const error = await settled;
	expect(error).toBeInstanceOf(ExotelError);
	return error as ExotelError;
}

const get = { method: 'GET' as const, path: ['users', 'u1'], idempotent: true as const };

describe('a 2xx is a success only when its envelope says so', () => {
	it('a 200 whose response.status is "failure" is the item’s error, naming Exotel’s code and description, sent once', async () => {
		const { client, calls } = clientFor([
			{
				statusCode: 200,
				body: envelope({
					code: 200,
					status: 'failure',
					error_data: { code: 1002, message: 'Invalid parameter', description: 'bad device' },
					data: null,
				}),
			},
		]);
		const error = await failureOf(client.request(0, get));
		expect(error.message).toMatch(/failure/);
		expect(error.message).toContain('error 1002');
		expect(error.message).toContain('bad device');
		expect(calls).toHaveLength(1);
		expect(error.outcomeUnknown).toBe(false);
	});

	it('a 200 whose envelope says 503 is retried like a 503', async () => {
		const { client, calls, clock } = clientFor([
			{
				statusCode: 200,
				body: envelope(
					{ code: 503, status: 'failure', error_data: { code: 503, message: 'busy' } },
					503,
				),
			},
			{ statusCode: 200, body: envelope({ code: 200, status: 'success', data: { id: 'u1' } }) },
		]);
		const answer = client.request(0, get);
		await clock.runAll();
		expect(await answer).toMatchObject({ response: { data: { id: 'u1' } } });
		expect(calls).toHaveLength(2);
	});

	it('a list page with a failed record fails, saying how many records failed and Exotel’s error_data', async () => {
		const ok = (id: string) => ({ code: 200, status: 'success', error_data: null, data: { id } });
		const { client } = clientFor([
			{
				statusCode: 207,
				body: {
					...envelope([
						ok('a'),
						{
							code: 400,
							status: 'failure',
							error_data: {
								code: 1002,
								message: 'Invalid parameter',
								description: 'record b is broken',
							},
							data: null,
						},
						ok('c'),
					]),
					metadata: { total: 3, count: 3, offset: 0, limit: 50 },
				},
			},
		]);
		const error = await failureOf(client.requestAllPages(0, { path: ['users'] }));
		expect(error.message).toContain('1 of 3 records failed');
		expect(error.message).toContain('record b is broken');
	});
});

describe('secrets, encoded or echoed', () => {
	it('an answer echoing the SIP Password Key (raw, base64url, percent-encoded) or key:token unpadded comes back without them', async () => {
		const keyUrl = Buffer.from(PASSWORD_KEY).toString('base64url');
		const unpadded = BASIC.replace(/=+$/, '');
		const note = `key ${PASSWORD_KEY} ${keyUrl} ${encodeURIComponent(PASSWORD_KEY)} auth=${encodeURIComponent(unpadded)}`;
		const { client } = clientFor([
			{
				statusCode: 200,
				body: envelope({ code: 200, status: 'success', data: { id: '101', note } }),
			},
		]);
		const answer = await client.request(0, get);
		const text = JSON.stringify(answer);
		for (const form of [
			PASSWORD_KEY,
			keyUrl,
			encodeURIComponent(PASSWORD_KEY),
			encodeURIComponent(unpadded),
			unpadded,
		])
			expect(text).not.toContain(form);
		expect((answer.response as IDataObject).data).toMatchObject({
			id: '101',
			note: 'key [redacted] [redacted] [redacted] auth=[redacted]',
		});
	});

	it('a success envelope echoing the password, the token in capitals and the Basic value comes back without them', async () => {
		const password = 'Sip-Pass-42x';
		const { client } = clientFor([
			{
				statusCode: 200,
				body: envelope({
					code: 200,
					status: 'success',
					data: { id: '101', password, note: `auth ${TOKEN.toUpperCase()} / Basic ${BASIC}` },
				}),
			},
		]);
		const answer = await client.request(0, { ...get, secrets: [password] });
		const text = JSON.stringify(answer).toLowerCase();
		for (const secret of [password, TOKEN, BASIC, `${KEY}:${TOKEN}`])
			expect(text).not.toContain(secret.toLowerCase());
		expect((answer.response as IDataObject).data).toMatchObject({
			id: '101',
			password: '[redacted]',
		});
	});

	it('an error description repeating the password in other capitals, or key:token, names neither', async () => {
		const password = 'Sip-Pass-42x';
		const { client } = clientFor([
			{
				statusCode: 400,
				body: envelope(
					{
						code: 400,
						status: 'failure',
						error_data: {
							code: 1002,
							message: 'Invalid',
							description: `password ${password.toUpperCase()} rejected for ${KEY}:${TOKEN}`,
						},
					},
					400,
				),
			},
		]);
		const error = await failureOf(
			client.request(0, {
				method: 'PUT',
				path: ['users', 'u1'],
				idempotent: true,
				secrets: [password],
			}),
		);
		const views = [error.message, String(error.description), JSON.stringify(error.envelope)]
			.join(' ')
			.toLowerCase();
		for (const secret of [password, TOKEN, `${KEY}:${TOKEN}`])
			expect(views).not.toContain(secret.toLowerCase());
	});
});

describe('outcomeUnknown: whether the request may have been carried out', () => {
	it.each<[string, Canned, boolean]>([
		[
			'a 503 after the retries',
			{ statusCode: 503, body: envelope({ code: 503, status: 'failure' }, 503) },
			true,
		],
		['no answer (reset)', { error: { httpCode: 'ECONNRESET' } }, true],
		['a 2xx that is not an envelope', { statusCode: 200, body: '<html>proxy</html>' }, true],
		[
			'a 400',
			{
				statusCode: 400,
				body: envelope({ code: 400, status: 'failure', error_data: { code: 1002 } }, 400),
			},
			false,
		],
		['a refused connection', { error: { httpCode: 'ECONNREFUSED' } }, false],
		[
			'a failed envelope in a 200',
			{ statusCode: 200, body: envelope({ code: 400, status: 'failure' }) },
			false,
		],
	])('%s', async (_label, answer, unknown) => {
		const { client, clock } = clientFor([answer]);
		const error = await failureOf(client.request(0, get), clock);
		expect(error.outcomeUnknown).toBe(unknown);
	});
});

describe('the execution hint', () => {
	const headers = (remaining: number) => ({
		'x-ratelimit-limit': '50',
		'x-ratelimit-remaining': String(remaining),
		'x-ratelimit-reset': '60',
	});

	it('after 429s: how long the run waited, the limit it followed (Exotel’s headers) and the 429s met', async () => {
		const { client, clock, hints } = clientFor([
			{
				statusCode: 429,
				headers: { ...headers(0), 'retry-after': '1' },
				body: envelope({ code: 429, status: 'failure' }, 429),
			},
			{
				statusCode: 200,
				headers: headers(10),
				body: envelope({ code: 200, status: 'success', data: {} }),
			},
		]);
		const answer = client.request(0, get);
		await clock.runAll();
		await answer;
		client.close();
		expect(hints).toHaveLength(1);
		expect(hints[0].location).toBe('outputPane');
		expect(hints[0].message).toMatch(/waited \d+(\.\d)? s/);
		expect(hints[0].message).toContain('50 requests a minute (from its rate-limit headers)');
		expect(hints[0].message).toContain('1 request was refused with 429');
	});

	it('none after a run that neither waited nor met a 429, and none where n8n has no hints', async () => {
		const { client, hints } = clientFor([
			{
				statusCode: 200,
				headers: headers(40),
				body: envelope({ code: 200, status: 'success', data: {} }),
			},
		]);
		await client.request(0, get);
		client.close();
		expect(hints).toEqual([]);

		const { context } = stub([
			{ statusCode: 429, body: envelope({ code: 429, status: 'failure' }, 429) },
		]);
		delete (context as Partial<IExecuteFunctions>).addExecutionHints;
		const clock = new FakeClock();
		const old = new ExotelClient(
			context,
			{ ...SETTINGS, retry: { ...SETTINGS.retry, enabled: false } },
			{
				pacing: new AccountRegistry({ windowMs: 60_000, clock, random: () => 0 }),
				clock,
				random: () => 0,
			},
		);
		await failureOf(old.request(0, get));
		expect(() => old.close()).not.toThrow();
	});
});

describe('deadline: requests that must go out after a Stop, but not wait for ever', () => {
	it('a request given the deadline goes out though the execution was cancelled, and stops waiting when the deadline passes', async () => {
		const cancelled = new AbortController();
		cancelled.abort();
		const { context, calls } = stub([
			{ statusCode: 503, body: envelope({ code: 503, status: 'failure' }, 503) },
			{ statusCode: 503, body: envelope({ code: 503, status: 'failure' }, 503) },
		]);
		(context as { getExecutionCancelSignal?: () => AbortSignal }).getExecutionCancelSignal = () =>
			cancelled.signal;
		const clock = new FakeClock();
		const client = new ExotelClient(
			context,
			{
				...SETTINGS,
				retry: { enabled: true, maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 },
			},
			{
				pacing: new AccountRegistry({ windowMs: 60_000, clock, random: () => 0 }),
				clock,
				random: () => 0,
			},
		);
		// The execution's own requests: none is sent any more.
		await expect(client.request(0, get)).rejects.toBeDefined();
		expect(calls).toHaveLength(0);

		const deadline = client.deadline(1500);
		const rollback = client.request(0, { ...get, signal: deadline.signal });
		const settled = rollback.then(
			() => 'answered',
			(error: Error) => error.message,
		);
		await clock.advance(1000); // the first backoff (1 s): a second attempt
		await clock.advance(1000); // the deadline (1.5 s) passes during the second backoff (2 s)
		expect(await settled).toBe('gave up after 1.5 s');
		expect(calls).toHaveLength(2);
		deadline.end();
	});
});

describe('a lone 429 on an account without rate-limit headers (issue 22 §5)', () => {
	const ok = { statusCode: 200, body: envelope({ code: 200, status: 'success', data: {} }) };
	const refused = {
		statusCode: 429,
		headers: { 'retry-after': '1' },
		body: envelope({ code: 429, status: 'failure' }, 429),
	};

	it('costs about its Retry-After (1 s), not a minute: the requests after it go at once', async () => {
		const { client, clock } = clientFor([ok, refused, ok, ok, ok]);
		const run = (async () => {
			for (let i = 0; i < 4; i++) await client.request(0, get);
		})();
		await clock.runAll();
		await run;
		// 1 s asked, plus the hold's jitter (up to 1 s of a minute; 0.5 s here): 1.5 s in all.
		expect(clock.now()).toBe(1500);
	});

	it('a second 429 soon after still slows the run down (the account is too busy for this rate)', async () => {
		const { client, clock } = clientFor([ok, refused, ok, refused, ok, ok]);
		const run = (async () => {
			for (let i = 0; i < 4; i++) await client.request(0, get);
		})();
		await clock.runAll();
		await run;
		// Halved to 1 a minute after the second 429: the last request waits for the window to pass.
		expect(clock.now()).toBeGreaterThan(60_000);
	});
});
