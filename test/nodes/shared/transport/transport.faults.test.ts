/**
 * The node against a misbehaving Exotel (issue "Bulk resets at Exotel's pace" §4): for each
 * kind of fault the sandbox can inject, a batch of items run with Continue On Fail through
 * n8n-core's real request stack. What a user relies on:
 *   - every input item yields exactly one output item, in input order, paired to it;
 *   - items that can succeed after retrying do, and the sandbox sees exactly as many
 *     requests as the retry policy allows — no more, no fewer;
 *   - an item that runs out of attempts says so ("; gave up after N attempts") and names
 *     the last answer it got;
 *   - Retry-After is honoured, or the item fails at once when it asks for too long;
 *   - an answer later than the configured Timeout is abandoned (and retried), not waited for;
 *   - a create (POST) is repeated only when that cannot make a second user.
 * Timeouts and answers that trickle in: transport.faults.timeout.test.ts; Create (POST):
 * transport.faults.create.test.ts; the shared setup: test/support/faults.ts.
 */
import type { FaultRule, RateLimitRule } from '../../../../tools/dev/sandbox/server';
import {
	FAST,
	PASSWORD_PARAMETERS,
	USERS,
	errorOf,
	expectOneOutputPerItem,
	failureOf,
	itemsFor,
	notRetried,
	useFaultTestbed,
} from '../../../support/faults';

/** A fault that acts per request, before Exotel's own handling (not a rate limit). */
type GatewayFault = Exclude<FaultRule, RateLimitRule>;

const { bed, runBatch, requestsAbout, requestCounts, expectPasswordSet, host } = useFaultTestbed();

describe('answers that may pass (429, 5xx, dropped connection) are retried', () => {
	type Row = [string, GatewayFault, (lastRequestId: string) => string | RegExp];
	const envelope = (status: string, error: string, lastRequestId: string) =>
		`Exotel answered ${status} (${error}): ${status.replace(/^\d+ /, '')} [request_id ${lastRequestId}]`;
	const rows: Row[] = [
		[
			'429 without Retry-After',
			{ kind: 'status', status: 429 },
			(id) => envelope('429 Too Many Requests', 'error 429: Too Many Requests', id),
		],
		[
			'500',
			{ kind: 'status', status: 500 },
			(id) => envelope('500 Internal Server Error', 'error 1004: Internal error', id),
		],
		[
			'502',
			{ kind: 'status', status: 502 },
			(id) => envelope('502 Bad Gateway', 'error 502: Bad Gateway', id),
		],
		[
			'503',
			{ kind: 'status', status: 503 },
			(id) => envelope('503 Service Unavailable', 'error 503: Service Unavailable', id),
		],
		[
			'504',
			{ kind: 'status', status: 504 },
			(id) => envelope('504 Gateway Timeout', 'error 504: Gateway Timeout', id),
		],
		[
			'503 with an empty body',
			{ kind: 'status', status: 503, body: 'empty' },
			() => 'Exotel answered 503 Service Unavailable with an empty body',
		],
		[
			'502 with an HTML error page',
			{ kind: 'status', status: 502, body: 'html' },
			() => 'Exotel answered 502 Bad Gateway with an HTML page instead of JSON',
		],
		[
			'500 with JSON cut off mid-way',
			{ kind: 'status', status: 500, body: 'malformed-json' },
			// The cut-off body is quoted, and it is the last answer's: its request_id is in it.
			(id) =>
				new RegExp(
					`^Exotel answered 500 Internal Server Error with a non-JSON body \\("\\{"request_id":"${id}",`,
				),
		],
		[
			'504 with a plain-text body',
			{ kind: 'status', status: 504, body: 'text' },
			() => 'Exotel answered 504 Gateway Timeout with a non-JSON body ("504 Gateway Timeout")',
		],
		[
			'503 whose JSON envelope is labelled text/html',
			{ kind: 'status', status: 503, contentType: 'text/html' },
			(id) => envelope('503 Service Unavailable', 'error 503: Service Unavailable', id),
		],
		[
			'a connection reset',
			{ kind: 'reset' },
			() => `Could not reach Exotel at ${host()}: the connection was reset`,
		],
	];

	it.each(rows)(
		'%s: twice then OK → 3 requests and success; always → Max Attempts (3), then named',
		async (_label, rule, lastAnswer) => {
			const users = USERS.slice(0, 5);
			bed.sandbox.faults.add({ ...rule, userId: users[1].id, times: 2 });
			bed.sandbox.faults.add({ ...rule, userId: users[3].id });

			const { items, output } = await runBatch(users, FAST);

			expectOneOutputPerItem(output, 5);
			expect(requestCounts(users)).toEqual([1, 3, 1, 3, 1]);
			for (const i of [0, 1, 2, 4]) expectPasswordSet(output, items, i, users[i]);

			const message = errorOf(output, 3);
			expect(message).toMatch(/; gave up after 3 attempts$/);
			const last = requestsAbout(users[3]).at(-1)!;
			const expected = lastAnswer(last.request_id);
			if (typeof expected === 'string')
				expect(message).toBe(`${expected}; gave up after 3 attempts`);
			else expect(message).toMatch(expected);
			expect(bed.sandbox.passwordOf(users[3].id, users[3].devices[0].id)).toBeUndefined();
		},
	);

	it('Max Attempts counts the first request: with 5, four 503s then OK → 5 requests and success; always 503 → 5, then gives up', async () => {
		const users = USERS.slice(0, 3);
		bed.sandbox.faults.add({ kind: 'status', status: 503, userId: users[0].id, times: 4 });
		bed.sandbox.faults.add({ kind: 'status', status: 503, userId: users[2].id });
		const { items, output } = await runBatch(users, { ...FAST, maxAttempts: 5 });
		expectOneOutputPerItem(output, 3);
		expect(requestCounts(users)).toEqual([5, 1, 5]);
		expectPasswordSet(output, items, 0, users[0]);
		expectPasswordSet(output, items, 1, users[1]);
		expect(errorOf(output, 2)).toMatch(
			/^Exotel answered 503 Service Unavailable .*; gave up after 5 attempts$/,
		);
	});

	it('with Retry off: one request per item, whatever the answer, and the description says why', async () => {
		const users = USERS.slice(0, 4);
		bed.sandbox.faults.add({ kind: 'status', status: 503, userId: users[1].id });
		bed.sandbox.faults.add({ kind: 'reset', userId: users[2].id });
		bed.sandbox.faults.add({ kind: 'status', status: 429, userId: users[3].id });
		const { items, output } = await runBatch(users, { ...FAST, retry: false });
		expectOneOutputPerItem(output, 4);
		expect(requestCounts(users)).toEqual([1, 1, 1, 1]);
		expectPasswordSet(output, items, 0, users[0]);
		expect(errorOf(output, 1)).toMatch(
			/^Exotel answered 503 Service Unavailable .*\[request_id [0-9a-f]{32}\]$/,
		);
		expect(errorOf(output, 2)).toBe(
			`Could not reach Exotel at ${host()}: the connection was reset`,
		);
		expect(errorOf(output, 3)).toMatch(/^Exotel answered 429 Too Many Requests /);

		bed.sandbox.reset();
		bed.sandbox.faults.add({ kind: 'status', status: 503 });
		const error = await failureOf(
			bed.run({
				items: itemsFor([users[0]]),
				parameters: { ...PASSWORD_PARAMETERS, options: { ...FAST, retry: false } },
			}),
		);
		expect(error.description?.startsWith(notRetried({ kind: 'retries-off' }))).toBe(true);
		expect(bed.sandbox.requests).toHaveLength(1);
	});
});

describe('answers that will not pass are not retried', () => {
	it.each([
		[400, 'Bad Request'],
		[403, 'Forbidden'],
		[404, 'Not Found'],
		[409, 'Conflict'],
	])(
		'%i: exactly 1 request for that item, its error names the answer, the others succeed',
		async (status, text) => {
			const users = USERS.slice(0, 4);
			bed.sandbox.faults.add({ kind: 'status', status, userId: users[1].id });
			const { items, output } = await runBatch(users, FAST);
			expectOneOutputPerItem(output, 4);
			expect(requestCounts(users)).toEqual([1, 1, 1, 1]);
			const { request_id } = requestsAbout(users[1])[0];
			expect(errorOf(output, 1)).toBe(
				`Exotel answered ${status} ${text} (error ${status}: ${text}): ${text} [request_id ${request_id}]`,
			);
			// Continue On Fail passes Exotel's envelope on with the error.
			expect(output[1].json).toMatchObject({
				request_id,
				http_code: status,
				response: { status: 'failure' },
			});
			for (const i of [0, 2, 3]) expectPasswordSet(output, items, i, users[i]);
		},
	);

	it('401: exactly one request, no "gave up"', async () => {
		// n8n-core's helper resends a 401 once after re-authenticating when it throws on error
		// statuses; the node reads every status itself (ignoreHttpStatusErrors), so a 401 is sent
		// once, as any other 4xx.
		const users = USERS.slice(0, 3);
		bed.sandbox.faults.add({ kind: 'status', status: 401, userId: users[1].id });
		const { items, output } = await runBatch(users, FAST);
		expectOneOutputPerItem(output, 3);
		expect(requestCounts(users)).toEqual([1, 1, 1]);
		const last = requestsAbout(users[1]).at(-1)!;
		expect(errorOf(output, 1)).toBe(
			`Exotel answered 401 Unauthorized (error 401: Unauthorized): Unauthorized [request_id ${last.request_id}]`,
		);
		expectPasswordSet(output, items, 0, users[0]);
		expectPasswordSet(output, items, 2, users[2]);
	});

	it.each([
		['an empty body', 'empty', 'Exotel answered 200 with an empty body, not its JSON envelope'],
		[
			'an HTML page',
			'html',
			'Exotel answered 200 with an HTML page instead of JSON, not its JSON envelope',
		],
		[
			'plain text',
			'text',
			'Exotel answered 200 with a non-JSON body ("200 OK"), not its JSON envelope',
		],
	] as const)(
		'a 200 with %s (something other than Exotel answered): 1 request, a clear error, not a success',
		async (_label, body, message) => {
			const users = USERS.slice(0, 3);
			bed.sandbox.faults.add({ kind: 'status', status: 200, body, userId: users[1].id });
			const { items, output } = await runBatch(users, FAST);
			expectOneOutputPerItem(output, 3);
			expect(requestCounts(users)).toEqual([1, 1, 1]);
			expect(errorOf(output, 1)).toBe(message);
			expectPasswordSet(output, items, 0, users[0]);
			expectPasswordSet(output, items, 2, users[2]);
		},
	);
});

describe('Retry-After', () => {
	it('in seconds: the retry waits at least that long, then succeeds', async () => {
		const users = USERS.slice(0, 3);
		bed.sandbox.faults.add({
			kind: 'status',
			status: 429,
			retryAfter: 1,
			userId: users[1].id,
			times: 1,
		});
		const { items, output } = await runBatch(users, FAST);
		expectOneOutputPerItem(output, 3);
		expect(requestCounts(users)).toEqual([1, 2, 1]);
		const [refused, retried] = requestsAbout(users[1]);
		expect(refused.status).toBe(429);
		expect(retried.receivedAt - refused.receivedAt).toBeGreaterThanOrEqual(1000);
		for (const i of [0, 1, 2]) expectPasswordSet(output, items, i, users[i]);
	});

	it('as an HTTP date: the retry is not sent before that moment', async () => {
		const users = USERS.slice(0, 2);
		// HTTP dates have whole seconds: the next whole second at least 1 s away.
		const until = new Date(Math.ceil((Date.now() + 1000) / 1000) * 1000);
		bed.sandbox.faults.add({
			kind: 'status',
			status: 429,
			retryAfter: until,
			userId: users[0].id,
			times: 1,
		});
		const { items, output } = await runBatch(users, FAST);
		expectOneOutputPerItem(output, 2);
		expect(requestCounts(users)).toEqual([2, 1]);
		expect(requestsAbout(users[0])[1].receivedAt).toBeGreaterThanOrEqual(until.getTime());
		expectPasswordSet(output, items, 0, users[0]);
		expectPasswordSet(output, items, 1, users[1]);
	});

	it('longer than Max Retry Wait (seconds or a date): the item fails at once, and the description says so', async () => {
		const users = USERS.slice(0, 4);
		bed.sandbox.faults.add({ kind: 'status', status: 429, retryAfter: 30, userId: users[1].id });
		bed.sandbox.faults.add({
			kind: 'status',
			status: 429,
			retryAfter: new Date(Date.now() + 120_000),
			userId: users[2].id,
		});
		const { items, output } = await runBatch(users, FAST);
		expectOneOutputPerItem(output, 4);
		expect(requestCounts(users)).toEqual([1, 1, 1, 1]);
		expect(errorOf(output, 1)).toMatch(
			/^Exotel answered 429 Too Many Requests .*\[request_id [0-9a-f]{32}\]$/,
		);
		expect(errorOf(output, 2)).toMatch(/^Exotel answered 429 Too Many Requests /);
		expectPasswordSet(output, items, 0, users[0]);
		expectPasswordSet(output, items, 3, users[3]);

		bed.sandbox.reset();
		bed.sandbox.faults.add({ kind: 'status', status: 429, retryAfter: 30 });
		const error = await failureOf(
			bed.run({
				items: itemsFor([users[0]]),
				parameters: { ...PASSWORD_PARAMETERS, options: FAST },
			}),
		);
		expect(
			error.description?.startsWith(
				notRetried({ kind: 'wait-too-long', askedMs: 30_000, maxMs: 5000 }),
			),
		).toBe(true);
		expect(bed.sandbox.requests).toHaveLength(1);
	});
});

describe('Concurrency with faults', () => {
	it('with 4 in flight and a different fault per item: outputs in input order, each paired, counts per policy', async () => {
		const users = USERS.slice(0, 8);
		bed.sandbox.faults.add({ kind: 'slow', durationMs: 300, userId: users[0].id }); // finishes after later items
		bed.sandbox.faults.add({ kind: 'status', status: 503, userId: users[1].id, times: 2 });
		bed.sandbox.faults.add({ kind: 'status', status: 404, userId: users[2].id });
		bed.sandbox.faults.add({ kind: 'reset', userId: users[3].id, times: 1 });
		bed.sandbox.faults.add({ kind: 'hang', userId: users[4].id, times: 1 });
		bed.sandbox.faults.add({ kind: 'status', status: 502, body: 'html', userId: users[6].id });
		bed.sandbox.faults.add({
			kind: 'status',
			status: 429,
			retryAfter: 1,
			userId: users[7].id,
			times: 1,
		});
		const { items, output } = await runBatch(users, { ...FAST, concurrency: 4 });

		expectOneOutputPerItem(output, 8);
		expect(requestCounts(users)).toEqual([1, 3, 1, 2, 2, 1, 3, 2]);
		for (const i of [0, 1, 3, 4, 5, 7]) expectPasswordSet(output, items, i, users[i]);
		expect(errorOf(output, 2)).toMatch(/^Exotel answered 404 Not Found /);
		expect(errorOf(output, 6)).toBe(
			'Exotel answered 502 Bad Gateway with an HTML page instead of JSON; gave up after 3 attempts',
		);
		// The items really overlapped: item 0's slow answer was still coming when item 1 was retried.
		expect(requestsAbout(users[1])[0].receivedAt).toBeLessThan(
			requestsAbout(users[0])[0].receivedAt + 300,
		);
	});
});
