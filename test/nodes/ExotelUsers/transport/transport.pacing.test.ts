/**
 * Requests per Minute (issue "Bulk resets at Exotel's pace" §4): the node keeps a whole run
 * under Exotel's per-account limit — lookups and retries included — so a bulk reset gets no
 * 429s. The minute is scaled down (the node's window, a constructor argument) so a run of three windows takes seconds;
 * the sandbox enforces a limit of R requests per window, as Exotel does.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { byId, newPassword, startTestbed, type ExotelTestbed } from '../../../support/exotel';
import { manyUsers, seedUsers, type User } from '../../../../dev/sandbox/server';

/** The node's "minute" in these tests. */
const WINDOW_MS = 1000;
/** Requests per (scaled) minute: the node's setting and the sandbox's limit. */
const R = 4;
/**
 * The window the sandbox counts in, and the one arrivals are checked against: the same as
 * the node's. The node dates each request's slot by its answer, so arrivals at the server
 * are never closer than the window however long the trip takes.
 */
const SERVER_WINDOW_MS = WINDOW_MS;

const USERS = manyUsers(3 * R);

let bed: ExotelTestbed;
beforeAll(async () => {
	bed = await startTestbed({ users: seedUsers(3 + USERS.length) }, { windowMs: WINDOW_MS });
});
afterAll(async () => {
	await bed.sandbox.stop();
});
beforeEach(() => {
	bed.sandbox.reset();
	bed.restart();
	bed.sandbox.faults.add({ kind: 'rate-limit', limit: R, windowMs: SERVER_WINDOW_MS });
});

const FAST = { retryBaseDelay: 0.01, maxRetryWait: 5, timeout: 5 };

function itemsFor(users: User[]): INodeExecutionData[] {
	return users.map((u) => ({ json: { user: u.id, email: u.email, device: u.devices[0].id, pw: newPassword() } }));
}

async function run(users: User[], options: INodeParameters, userId: INodeParameters['userId'] = byId('={{ $json.user }}')) {
	const items = itemsFor(users);
	const output = await bed.run({
		items,
		continueOnFail: true,
		parameters: { userId, deviceId: '={{ $json.device }}', password: '={{ $json.pw }}', options },
	});
	expect(output.map((o) => o.pairedItem)).toEqual(items.map((_, item) => ({ item })));
	return { items, output };
}

/** The most requests that arrived at the sandbox within any span of `windowMs`. */
function busiestWindow(windowMs: number): number {
	const arrivals = bed.sandbox.requests.map((r) => r.receivedAt).sort((a, b) => a - b);
	return Math.max(0, ...arrivals.map((start) => arrivals.filter((t) => t >= start && t < start + windowMs).length));
}

const refusals = () => bed.sandbox.requests.filter((r) => r.status === 429).length;

function expectAllPasswordsSet(output: INodeExecutionData[], items: INodeExecutionData[], users: User[]): void {
	expect(output.map((o) => o.json.error ?? o.json.http_code)).toEqual(users.map(() => 200));
	users.forEach((u, i) => expect(bed.sandbox.passwordOf(u.id, u.devices[0].id)).toBe(bed.sandbox.fingerprint(items[i].json.pw as string)));
}

describe('Requests per Minute', () => {
	it('control: without pacing the same run does get 429s (so the checks below can fail)', async () => {
		const { output } = await run(USERS, { ...FAST, retry: false });
		expect(refusals()).toBeGreaterThan(0);
		expect(busiestWindow(SERVER_WINDOW_MS)).toBeGreaterThan(R);
		expect(output.filter((o) => typeof o.json.error === 'string' && o.json.error.startsWith('Exotel answered 429')).length).toBe(refusals());
	});

	it.each([1, 4])('3R items at concurrency %i: no 429, every item succeeds, at most R arrivals in any window', async (concurrency) => {
		const { items, output } = await run(USERS, { ...FAST, requestsPerMinute: R, concurrency });
		expect(bed.sandbox.requests).toHaveLength(3 * R);
		expect(refusals()).toBe(0);
		expect(busiestWindow(SERVER_WINDOW_MS)).toBeLessThanOrEqual(R);
		expectAllPasswordsSet(output, items, USERS);
	});

	it('counts lookups: By Email is 2 requests per item, and the run still stays under the limit', async () => {
		const users = USERS.filter((u) => u.email !== null).slice(0, 6);
		const { items, output } = await run(users, { ...FAST, requestsPerMinute: R, concurrency: 2 }, {
			__rl: true,
			mode: 'email',
			value: '={{ $json.email }}',
		});
		expect(bed.sandbox.requests.map((r) => r.method).sort()).toEqual([...users.map(() => 'GET'), ...users.map(() => 'PUT')].sort());
		expect(refusals()).toBe(0);
		expect(busiestWindow(SERVER_WINDOW_MS)).toBeLessThanOrEqual(R);
		expectAllPasswordsSet(output, items, users);
	});

	it('counts retries: failed attempts take their place in the window too', async () => {
		const users = USERS.slice(0, 2 * R);
		// Half the items fail once with a 503 (answered before the sandbox's limit counts it) and
		// are retried: 3R requests in all. Only the node's pacing keeps those retries in check.
		for (const u of users.filter((_, i) => i % 2 === 0)) {
			bed.sandbox.faults.add({ kind: 'status', status: 503, userId: u.id, times: 1 });
		}
		const { items, output } = await run(users, { ...FAST, requestsPerMinute: R, concurrency: 2 });
		expect(bed.sandbox.stats().byStatus).toEqual({ 200: 2 * R, 503: R });
		expect(busiestWindow(SERVER_WINDOW_MS)).toBeLessThanOrEqual(R);
		expectAllPasswordsSet(output, items, users);
	});
});
