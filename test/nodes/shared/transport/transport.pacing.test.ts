/**
 * Requests per Minute (issue "Bulk resets at Exotel's pace" §4): the node keeps a whole run
 * under Exotel's per-account limit — lookups and retries included — so a bulk reset gets no
 * 429s. The minute is scaled down (the process's registry, replaced in test/support/newProcess.ts) so a run of three windows takes seconds;
 * the sandbox enforces a limit of R requests per window, as Exotel does.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { ExotelUsers } from '../../../../nodes/ExotelUsers/ExotelUsers.node';

import { byId, newPassword, startTestbed, type ExotelTestbed } from '../../../support/exotel';
import { newProcess } from '../../../support/newProcess';
import { manyUsers, seedUsers, type User } from '../../../../tools/dev/sandbox/server';

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

const USERS = manyUsers(6 * R);

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
	bed.sandbox.faults.add({
		kind: 'rate-limit',
		limit: R,
		windowMs: SERVER_WINDOW_MS,
		headers: false,
	});
});

const FAST = { retryBaseDelay: 0.01, maxRetryWait: 5, timeout: 5 };

function itemsFor(users: User[]): INodeExecutionData[] {
	return users.map((u) => ({
		json: { user: u.id, email: u.email, device: u.devices[0].id, pw: newPassword() },
	}));
}

async function run(
	users: User[],
	options: INodeParameters,
	userId: INodeParameters['userId'] = byId('={{ $json.user }}'),
	node: ExotelUsers = bed.node,
) {
	const items = itemsFor(users);
	const output = await bed.run({
		node,
		items,
		continueOnFail: true,
		parameters: {
			userId,
			deviceId: '={{ $json.device }}',
			passwordMode: 'manual',
			password: '={{ $json.pw }}',
			options,
		},
	});
	expect(output.map((o) => o.pairedItem)).toEqual(items.map((_, item) => ({ item })));
	return { items, output };
}

/** The most requests that arrived at the sandbox within any span of `windowMs`. */
function busiestWindow(windowMs: number): number {
	const arrivals = bed.sandbox.requests.map((r) => r.receivedAt).sort((a, b) => a - b);
	return Math.max(
		0,
		...arrivals.map((start) => arrivals.filter((t) => t >= start && t < start + windowMs).length),
	);
}

const refusals = () => bed.sandbox.requests.filter((r) => r.status === 429).length;

function expectAllPasswordsSet(
	output: INodeExecutionData[],
	items: INodeExecutionData[],
	users: User[],
): void {
	expect(output.map((o) => o.json.error ?? o.json.http_code)).toEqual(users.map(() => 200));
	users.forEach((u, i) =>
		expect(bed.sandbox.passwordOf(u.id, u.devices[0].id)).toBe(
			bed.sandbox.fingerprint(items[i].json.pw as string),
		),
	);
}

/** The first 3R users: the single-execution runs below use these. */
const RUN = USERS.slice(0, 3 * R);

/** Executions started together, each on its own users (`count` of them). */
function together(
	count: number,
	perRun: number,
	options: (index: number) => INodeParameters,
	node: (index: number) => ExotelUsers = () => bed.node,
) {
	return Promise.all(
		Array.from(
			{ length: count },
			async (_, i) =>
				await run(USERS.slice(i * perRun, (i + 1) * perRun), options(i), undefined, node(i)),
		),
	);
}

describe('Requests per Minute', () => {
	it('control: without pacing the same run does get 429s (so the checks below can fail)', async () => {
		const { output } = await run(RUN, { ...FAST, retry: false });
		expect(refusals()).toBeGreaterThan(0);
		expect(busiestWindow(SERVER_WINDOW_MS)).toBeGreaterThan(R);
		expect(
			output.filter(
				(o) => typeof o.json.error === 'string' && o.json.error.startsWith('Exotel answered 429'),
			).length,
		).toBe(refusals());
	});

	it.each([1, 4])(
		'3R items at concurrency %i: no 429, every item succeeds, at most R arrivals in any window',
		async (concurrency) => {
			const { items, output } = await run(RUN, { ...FAST, requestsPerMinute: R, concurrency });
			expect(bed.sandbox.requests).toHaveLength(3 * R);
			expect(refusals()).toBe(0);
			expect(busiestWindow(SERVER_WINDOW_MS)).toBeLessThanOrEqual(R);
			expectAllPasswordsSet(output, items, RUN);
		},
	);

	it('counts lookups: 6 resets By Email read the account once (1 page of 27 users), and the run still stays under the limit', async () => {
		const users = RUN.filter((u) => u.email !== null).slice(0, 6);
		const { items, output } = await run(
			users,
			{ ...FAST, requestsPerMinute: R, concurrency: 2 },
			{
				__rl: true,
				mode: 'email',
				value: '={{ $json.email }}',
			},
		);
		expect(bed.sandbox.requests.map((r) => r.method)).toEqual(['GET', ...users.map(() => 'PUT')]);
		expect(refusals()).toBe(0);
		expect(busiestWindow(SERVER_WINDOW_MS)).toBeLessThanOrEqual(R);
		expectAllPasswordsSet(output, items, users);
	});

	it('counts retries: failed attempts take their place in the window too', async () => {
		const users = RUN.slice(0, 2 * R);
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

describe('one window per account for every execution of the process', () => {
	it('three executions at R each, started together: no 429, at most R arrivals in any window, every item once', async () => {
		const runs = await together(3, R, () => ({ ...FAST, requestsPerMinute: R, concurrency: 2 }));
		expect(refusals()).toBe(0);
		expect(busiestWindow(SERVER_WINDOW_MS)).toBeLessThanOrEqual(R);
		expect(bed.sandbox.requests).toHaveLength(3 * R);
		runs.forEach(({ items, output }, i) =>
			expectAllPasswordsSet(output, items, USERS.slice(i * R, (i + 1) * R)),
		);
	});

	it('different Requests per Minute: the smallest one set by a running execution applies to all', async () => {
		// One execution sets R (the account's real limit); the other sets 3R. Alone the second would
		// send 3R in a window; together, both keep to R.
		const runs = await together(2, R + 2, (i) => ({
			...FAST,
			requestsPerMinute: i === 0 ? R : 3 * R,
			retry: false,
		}));
		expect(refusals()).toBe(0);
		expect(busiestWindow(SERVER_WINDOW_MS)).toBeLessThanOrEqual(R);
		runs.forEach(({ items, output }, i) =>
			expectAllPasswordsSet(output, items, USERS.slice(i * (R + 2), (i + 1) * (R + 2))),
		);
	});

	it('the executions of another process (another node instance) have a window of their own', async () => {
		const other = newProcess('ExotelUsers', { windowMs: WINDOW_MS });
		await together(
			2,
			R,
			() => ({ ...FAST, requestsPerMinute: R, retry: false }),
			(i) => (i === 0 ? bed.node : other),
		);
		// Each process keeps to R on its own: together they send more than R in the first window,
		// and the sandbox refuses the surplus (until each process slows down).
		expect(busiestWindow(SERVER_WINDOW_MS)).toBeGreaterThan(R);
		expect(refusals()).toBeGreaterThan(0);
	});
});

describe('the slow-down after a 429', () => {
	it('pacing off: after a 429 the rest of the run slows down instead of hammering', async () => {
		const { output } = await run(RUN, { ...FAST, retry: false });
		// The first R pass, the next is refused; from then on the run is paced (and held for Retry-After).
		expect(refusals()).toBeGreaterThanOrEqual(1);
		expect(refusals()).toBeLessThanOrEqual(2);
		expect(output.filter((o) => o.json.error === undefined).length).toBe(RUN.length - refusals());
	});

	it('two processes at R each on one account: every item succeeds once, and the 429s stay between R and 2R (each process slows down)', async () => {
		const other = newProcess('ExotelUsers', { windowMs: WINDOW_MS });
		const runs = await together(
			2,
			2 * R,
			() => ({ ...FAST, requestsPerMinute: R }),
			(i) => (i === 0 ? bed.node : other),
		);
		runs.forEach(({ items, output }, i) =>
			expectAllPasswordsSet(output, items, USERS.slice(i * 2 * R, (i + 1) * 2 * R)),
		);
		expect(bed.sandbox.stats().byStatus[200]).toBe(4 * R);
		// The first window refuses R (both processes send R); after that each halves its rate.
		expect(refusals()).toBeGreaterThanOrEqual(R);
		expect(refusals()).toBeLessThanOrEqual(2 * R);
	});
});

describe('an account that sends Exotel’s rate-limit headers', () => {
	const L = 6;
	beforeEach(() => {
		bed.sandbox.faults.clear();
		bed.sandbox.faults.add({ kind: 'rate-limit', limit: L, windowMs: SERVER_WINDOW_MS });
	});

	/** Arrivals per fixed window of the sandbox (aligned to the epoch, as Exotel's). */
	const perFixedWindow = () => {
		const counts = new Map<number, number>();
		for (const r of bed.sandbox.requests.filter((q) => q.status !== 429)) {
			const w = Math.floor(r.receivedAt / SERVER_WINDOW_MS);
			counts.set(w, (counts.get(w) ?? 0) + 1);
		}
		return [...counts.values()];
	};

	it('two processes at default settings share it through the headers: every item once, no window over the limit, at most one 429', async () => {
		const other = newProcess('ExotelUsers', { windowMs: WINDOW_MS });
		const runs = await together(
			2,
			2 * L,
			() => ({ ...FAST }),
			(i) => (i === 0 ? bed.node : other),
		);
		runs.forEach(({ items, output }, i) =>
			expectAllPasswordsSet(output, items, USERS.slice(i * 2 * L, (i + 1) * 2 * L)),
		);
		expect(bed.sandbox.stats().byStatus[200]).toBe(4 * L);
		expect(Math.max(...perFixedWindow())).toBeLessThanOrEqual(L);
		expect(refusals()).toBeLessThanOrEqual(1);
	});

	it('control: the same two processes with the headers off draw 429s', async () => {
		bed.sandbox.faults.clear();
		bed.sandbox.faults.add({
			kind: 'rate-limit',
			limit: L,
			windowMs: SERVER_WINDOW_MS,
			headers: false,
		});
		const other = newProcess('ExotelUsers', { windowMs: WINDOW_MS });
		await together(
			2,
			2 * L,
			() => ({ ...FAST }),
			(i) => (i === 0 ? bed.node : other),
		);
		expect(refusals()).toBeGreaterThan(1);
	});

	it('a 429 with a RestException body is retried like any 429', async () => {
		bed.sandbox.faults.clear();
		bed.sandbox.faults.add({
			kind: 'rate-limit',
			limit: L,
			windowMs: SERVER_WINDOW_MS,
			body: 'rest-exception',
			headers: false,
		});
		const { items, output } = await run(USERS.slice(0, 2 * L), { ...FAST });
		expectAllPasswordsSet(output, items, USERS.slice(0, 2 * L));
		expect(refusals()).toBeGreaterThan(0);
	});
});
