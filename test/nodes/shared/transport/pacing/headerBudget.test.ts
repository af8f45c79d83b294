/**
 * Pacing by Exotel's rate-limit headers, on a fake clock: the budget a window has left, the
 * requests in flight, the reset and the spread restart after it, Requests per Minute as a cap,
 * headers missing or malformed, a Reset in the past or far ahead — and several processes on
 * one account sharing its counter through nothing but the headers.
 */
import {
	AccountPacer,
	type Lease,
} from '../../../../../nodes/shared/transport/pacing/accountPacer';
import {
	readRateLimitHeaders,
	type RateLimitHeaders,
} from '../../../../../nodes/shared/transport/pacing/headerBudget';
import { FakeClock } from '../../../../support/clock';

const W = 60_000;

/** Exotel's account as its docs describe it: fixed windows aligned to the epoch, L requests each, refusals not counted. */
class Account {
	arrivals: number[] = [];

	refusals = 0;

	private counted = new Map<number, number>();

	constructor(
		readonly limit: number,
		private readonly headers = true,
	) {}

	answer(now: number): { refused: boolean; rateLimit?: RateLimitHeaders } {
		const window = Math.floor(now / W);
		const used = this.counted.get(window) ?? 0;
		const refused = used >= this.limit;
		if (refused) this.refusals++;
		else {
			this.counted.set(window, used + 1);
			this.arrivals.push(now);
		}
		const rateLimit = this.headers
			? {
					limit: this.limit,
					remaining: this.limit - (this.counted.get(window) ?? 0),
					resetAt: (window + 1) * W,
				}
			: undefined;
		return { refused, rateLimit };
	}

	/** Accepted requests per window, over the windows that are not the first or the last. */
	innerWindows(): number[] {
		const byWindow = new Map<number, number>();
		for (const t of this.arrivals)
			byWindow.set(Math.floor(t / W), (byWindow.get(Math.floor(t / W)) ?? 0) + 1);
		const windows = [...byWindow.keys()].sort((a, b) => a - b);
		return windows.slice(1, -1).map((w) => byWindow.get(w) ?? 0);
	}
}

/** One process sending `count` requests through `lease`, `concurrency` at a time, each taking `latencyMs`. */
async function sendAll(
	clock: FakeClock,
	lease: Lease,
	account: Account,
	count: number,
	concurrency = 1,
	latencyMs = 50,
): Promise<number[]> {
	const starts: number[] = [];
	let next = 0;
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < count) {
				next++;
				const slot = await lease.acquire();
				starts.push(slot.startedAt);
				await clock.sleep(latencyMs / 2);
				const answer = account.answer(clock.now());
				await clock.sleep(latencyMs / 2);
				slot.done(answer);
				// A refused request is tried again, as the client's retry does.
				if (answer.refused) next--;
			}
		}),
	);
	return starts;
}

function pacer(clock: FakeClock, random: number | (() => number) = 0.5) {
	return new AccountPacer({
		windowMs: W,
		clock,
		random: typeof random === 'number' ? () => random : random,
	});
}

/** A seeded generator, so that each process draws its own numbers, the same on every run. */
function seeded(seed: number): () => number {
	let state = seed;
	return () => {
		state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
		return state / 2 ** 31;
	};
}

describe('readRateLimitHeaders', () => {
	it('reads the three headers, Reset as epoch seconds', () => {
		expect(
			readRateLimitHeaders({
				'x-ratelimit-limit': '50',
				'x-ratelimit-remaining': '49',
				'x-ratelimit-reset': '1733370060',
			}),
		).toEqual({
			limit: 50,
			remaining: 49,
			resetAt: 1_733_370_060_000,
		});
	});

	it('reads the last of repeated headers, and a scaled window’s fractional seconds', () => {
		expect(
			readRateLimitHeaders({
				'x-ratelimit-limit': ['60', '50'],
				'x-ratelimit-remaining': '3',
				'x-ratelimit-reset': '12.5',
			}),
		).toEqual({
			limit: 50,
			remaining: 3,
			resetAt: 12_500,
		});
	});

	it('gives nothing for an answer without them, and ignores what cannot be read', () => {
		expect(readRateLimitHeaders({ 'content-type': 'application/json' })).toBeUndefined();
		expect(
			readRateLimitHeaders({ 'x-ratelimit-remaining': 'lots', 'x-ratelimit-reset': '-5' }),
		).toBeUndefined();
		// Remaining without a Reset says nothing about when: only the limit is kept.
		expect(
			readRateLimitHeaders({ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '10' }),
		).toEqual({ limit: 50 });
		expect(
			readRateLimitHeaders({
				'x-ratelimit-limit': '0',
				'x-ratelimit-remaining': '1',
				'x-ratelimit-reset': '60',
			}),
		).toEqual({ remaining: 1, resetAt: 60_000 });
	});
});

describe('pacing by the headers', () => {
	it('one execution alone sends the account’s whole limit in every window, spread over it, with no 429', async () => {
		const clock = new FakeClock();
		const account = new Account(50);
		const run = sendAll(clock, pacer(clock).join(0), account, 260);
		await clock.runAll();
		await run;
		expect(account.refusals).toBe(0);
		const inner = account.innerWindows();
		expect(inner.length).toBeGreaterThanOrEqual(3);
		for (const accepted of inner) expect(accepted / 50).toBeGreaterThanOrEqual(0.95);
		// Spread: no ten-second stretch of a full window holds more than a fifth of it and a little.
		const arrivals = account.arrivals.filter((t) => t >= W && t < 2 * W);
		const busiest = Math.max(
			...arrivals.map((t) => arrivals.filter((s) => s >= t && s < t + W / 6).length),
		);
		expect(busiest).toBeLessThanOrEqual(Math.ceil(50 / 6) + 2);
	});

	it('waits for the reset when the window has no budget left, then starts a random part of one spacing after it', async () => {
		const starts = await Promise.all(
			[0, 0.9].map(async (random) => {
				const clock = new FakeClock();
				const lease = pacer(clock, random).join(0);
				const slot = await lease.acquire();
				await clock.advance(1000);
				slot.done({ refused: false, rateLimit: { limit: 50, remaining: 0, resetAt: 30_000 } });
				const next = lease.acquire().then((s) => s.startedAt);
				await clock.runAll();
				return await next;
			}),
		);
		const spacing = W / 51;
		expect(starts[0]).toBeGreaterThanOrEqual(30_000);
		expect(starts[0]).toBeLessThan(30_000 + spacing / 10);
		expect(starts[1]).toBeGreaterThan(30_000 + spacing * 0.8);
		expect(starts[1]).toBeLessThanOrEqual(30_000 + spacing);
	});

	it('counts its own requests in flight against Remaining', async () => {
		const clock = new FakeClock();
		const lease = pacer(clock, 0).join(0);
		(await lease.acquire()).done({
			refused: false,
			rateLimit: { limit: 3, remaining: 2, resetAt: W },
		});
		const started: Array<{
			at: number;
			done: (answer: { refused: boolean; rateLimit: RateLimitHeaders }) => void;
		}> = [];
		for (let i = 0; i < 3; i++)
			void lease.acquire().then((slot) => started.push({ at: slot.startedAt, done: slot.done }));
		await clock.advance(W - 1000);
		expect(started).toHaveLength(2); // the two left, spread over the window
		expect(started[1].at).toBeLessThan(W);
		await clock.advance(500);
		expect(started).toHaveLength(2); // both left are in flight: none to spare
		started[0].done({ refused: false, rateLimit: { limit: 3, remaining: 1, resetAt: W } });
		started[1].done({ refused: false, rateLimit: { limit: 3, remaining: 0, resetAt: W } });
		await clock.runAll();
		expect(started[2].at).toBeGreaterThanOrEqual(W); // the window is spent: the next one
	});

	it('keeps Requests per Minute as a cap on top of Exotel’s budget', async () => {
		const clock = new FakeClock();
		const account = new Account(50);
		const run = sendAll(clock, pacer(clock).join(10), account, 40);
		await clock.runAll();
		await run;
		const inner = account.innerWindows();
		for (const accepted of inner) expect(accepted).toBeLessThanOrEqual(10);
		expect(account.refusals).toBe(0);
	});

	it('without headers, today’s behaviour: nothing waits until a 429, then the slow-down', async () => {
		const clock = new FakeClock();
		const account = new Account(10, false);
		const run = sendAll(clock, pacer(clock).join(0), account, 30);
		await clock.runAll();
		const starts = await run;
		expect(starts.slice(0, 10).every((t, i) => i === 0 || t - starts[i - 1] <= 50)).toBe(true); // unpaced at first
		expect(account.refusals).toBeGreaterThan(0);
		expect(account.refusals).toBeLessThanOrEqual(4);
	});

	it('reads a Reset in the past as a window that is over, and one far ahead as a window from now', async () => {
		const clock = new FakeClock();
		await clock.advance(10 * W);
		const lease = pacer(clock, 0).join(0);
		(await lease.acquire()).done({
			refused: false,
			rateLimit: { limit: 50, remaining: 0, resetAt: 5 * W },
		});
		const soon = lease.acquire().then((s) => s.startedAt);
		await clock.runAll();
		// Nothing is known of the window now but the limit: the next goes within one spacing, not after a wait.
		expect(await soon).toBeLessThanOrEqual(10 * W + W / 50);

		const later = new FakeClock();
		const held = pacer(later, 0).join(0);
		(await held.acquire()).done({
			refused: false,
			rateLimit: { limit: 50, remaining: 0, resetAt: 1e12 },
		});
		const next = held.acquire().then((s) => s.startedAt);
		await later.runAll();
		expect(await next).toBe(W); // at most one window, not the years the header claimed
	});
});

describe('several processes on one account, sharing only the headers', () => {
	it.each([
		[2, 1],
		[4, 1],
		[2, 4],
		[4, 4],
	])(
		'%i processes at Concurrency %i: ≥ 0.95 of the limit in every inner window, ≤ 1 %% 429s, every request once',
		async (processes, concurrency) => {
			const clock = new FakeClock();
			const account = new Account(50);
			const perProcess = 150;
			const runs = Promise.all(
				Array.from(
					{ length: processes },
					async (_, i) =>
						await sendAll(
							clock,
							pacer(clock, seeded(i + 1)).join(0),
							account,
							perProcess,
							concurrency,
						),
				),
			);
			await clock.runAll();
			await runs;
			expect(account.arrivals).toHaveLength(processes * perProcess);
			expect(account.refusals / (account.arrivals.length + account.refusals)).toBeLessThanOrEqual(
				0.01,
			);
			const inner = account.innerWindows();
			expect(inner.length).toBeGreaterThanOrEqual(2);
			for (const accepted of inner) expect(accepted / 50).toBeGreaterThanOrEqual(0.95);
		},
	);
});
