/**
 * The node against a misbehaving Exotel (see transport.faults.test.ts): an answer later than
 * the configured Timeout is abandoned (and retried), not waited for.
 */
import {
	FAST,
	TIMEOUT_S,
	USERS,
	errorOf,
	expectOneOutputPerItem,
	useFaultTestbed,
} from '../../../support/faults';

const { bed, runBatch, requestsAbout, requestCounts, expectPasswordSet, host } = useFaultTestbed();

describe('no answer: the per-request Timeout applies', () => {
	it('a hung request times out and is retried; one that always hangs gives up after Max Attempts — nothing waits much longer', async () => {
		const users = USERS.slice(0, 5);
		bed.sandbox.faults.add({ kind: 'hang', userId: users[1].id, times: 1 });
		bed.sandbox.faults.add({ kind: 'hang', userId: users[3].id });
		const maxAttempts = 2;
		const { items, output } = await runBatch(users, { ...FAST, maxAttempts });

		expectOneOutputPerItem(output, 5);
		expect(requestCounts(users)).toEqual([1, 2, 1, 2, 1]);
		for (const i of [0, 1, 2, 4]) expectPasswordSet(output, items, i, users[i]);
		expect(errorOf(output, 3)).toBe(
			`Could not reach Exotel at ${host()}: the request timed out; gave up after 2 attempts`,
		);
		// The timeout is what ended each hung attempt (not an instant failure)…
		const [first, second] = requestsAbout(users[3]);
		expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(TIMEOUT_S * 1000 * 0.8);
	});

	it('a slow body within the timeout succeeds; an answer whose headers come after the timeout times out (retried, or given up)', async () => {
		const users = USERS.slice(0, 5);
		// 150 ms in all, in pieces: well within the 0.5 s timeout.
		bed.sandbox.faults.add({ kind: 'slow', durationMs: 150, userId: users[1].id });
		// Status line and headers only after 2 s: once, then every time.
		bed.sandbox.faults.add({
			kind: 'slow',
			durationMs: 0,
			firstByteMs: 2000,
			userId: users[2].id,
			times: 1,
		});
		bed.sandbox.faults.add({ kind: 'slow', durationMs: 0, firstByteMs: 2000, userId: users[3].id });
		const { items, output } = await runBatch(users, { ...FAST, maxAttempts: 2 });

		expectOneOutputPerItem(output, 5);
		// Had the node waited for the late headers, users[2] and users[3] would have succeeded
		// at the first attempt: each second request proves the first one timed out.
		expect(requestCounts(users)).toEqual([1, 1, 2, 2, 1]);
		for (const i of [0, 1, 2, 4]) expectPasswordSet(output, items, i, users[i]);
		expect(errorOf(output, 3)).toBe(
			`Could not reach Exotel at ${host()}: the request timed out; gave up after 2 attempts`,
		);
	});
});

describe('answers that trickle in or stop halfway', () => {
	it('a body that trickles in for longer than the timeout counts as timed out, and is retried', async () => {
		const users = USERS.slice(0, 3);
		// Headers at once, then the body dribbled over 3 s: six times the 0.5 s timeout.
		bed.sandbox.faults.add({ kind: 'slow', durationMs: 3000, userId: users[1].id, times: 1 });
		const { items, output } = await runBatch(users, { ...FAST, maxAttempts: 2 });
		expectOneOutputPerItem(output, 3);
		// Ended by the timeout, not by the 3 s the trickle takes: a trickle waited out would
		// have succeeded at the first request.
		expect(requestCounts(users)).toEqual([1, 2, 1]);
		for (const i of [0, 1, 2]) expectPasswordSet(output, items, i, users[i]);
	});

	it('a 200 whose body stops arriving is reported as cut off or timed out, never as an empty answer', async () => {
		const users = USERS.slice(0, 2);
		bed.sandbox.faults.add({ kind: 'slow', durationMs: 6000, userId: users[1].id });
		const { output } = await runBatch(users, { ...FAST, maxAttempts: 2 });
		expectOneOutputPerItem(output, 2);
		expect(errorOf(output, 1)).toMatch(
			/^Could not reach Exotel at .*: the (request timed out|answer was cut off); gave up after 2 attempts$/,
		);
		expect(requestCounts(users)).toEqual([1, 2]);
	});
});
