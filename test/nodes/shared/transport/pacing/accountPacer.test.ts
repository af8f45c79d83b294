import {
	AccountPacer,
	AccountRegistry,
	type Lease,
} from '../../../../../nodes/shared/transport/pacing/accountPacer';
import { SLOW_DOWN } from '../../../../../nodes/shared/transport/pacing/adaptiveRate';
import { FakeClock, settle } from '../../../../support/clock';

const W = 1000;
const INF = Number.POSITIVE_INFINITY;

function setup(random = 0.5) {
	const clock = new FakeClock();
	return { clock, options: { windowMs: W, clock, random: () => random } };
}

/** Sends `count` requests through `lease`, `concurrency` at a time, each answered at once; returns their start times. */
async function send(lease: Lease, count: number, concurrency = 1): Promise<number[]> {
	const starts: number[] = [];
	let next = 0;
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < count) {
				next++;
				const slot = await lease.acquire();
				starts.push(slot.startedAt);
				slot.done();
			}
		}),
	);
	return starts;
}

/** The most starts within any window. */
function busiest(starts: number[]): number {
	return Math.max(0, ...starts.map((t) => starts.filter((s) => s >= t && s < t + W).length));
}

describe('AccountPacer: one window for every execution on the account', () => {
	it('keeps two executions together under the limit, taking turns', async () => {
		const { clock, options } = setup();
		const pacer = new AccountPacer(options);
		const [a, b] = [pacer.join(4), pacer.join(4)];
		const runs = Promise.all([send(a, 8, 2), send(b, 8, 2)]);
		await clock.runAll();
		const [startsA, startsB] = await runs;
		expect(busiest([...startsA, ...startsB])).toBe(4);
		// 16 requests at 4 a window: 4 windows; both executions end in the last one.
		expect(Math.max(...startsA, ...startsB)).toBe(3 * (W + 1));
		expect(Math.abs(Math.max(...startsA) - Math.max(...startsB))).toBeLessThanOrEqual(W + 1);
	});

	it('applies the smallest Requests per Minute set by a running execution to all of them, 0 (no limit) included', async () => {
		const { options } = setup();
		const pacer = new AccountPacer(options);
		const none = pacer.join(0);
		expect(pacer.limit()).toBe(INF);
		const fifty = pacer.join(50);
		const ten = pacer.join(10);
		expect(pacer.limit()).toBe(10);
		ten.leave();
		expect(pacer.limit()).toBe(50);
		fifty.leave();
		expect(pacer.limit()).toBe(INF);
		none.leave();
	});

	it('counts the requests of an execution without a limit in the window of one with a limit', async () => {
		const { clock, options } = setup();
		const pacer = new AccountPacer(options);
		const free = pacer.join(0);
		const paced = pacer.join(3);
		await send(free, 2);
		const started = send(paced, 2);
		await clock.runAll();
		expect(await started).toEqual([0, W + 1]);
		free.leave();
		paced.leave();
	});

	it('a lone 429 only waits: no slow-down, Retry-After holds the account, plus jitter', async () => {
		const { clock, options } = setup(0.5);
		const pacer = new AccountPacer(options);
		const lease = pacer.join(0);
		await send(lease, 1);
		(await lease.acquire()).done({ refused: true, retryAfterMs: 1000 });
		expect(pacer.limit()).toBe(Number.POSITIVE_INFINITY);
		const next = lease.acquire().then((s) => s.startedAt);
		await clock.runAll();
		expect(await next).toBeCloseTo(1000 + 0.5 * SLOW_DOWN.jitterWindows * W, 5);
		// Two windows later, another 429 is lone again.
		await clock.advance(2 * W + 1);
		(await lease.acquire()).done({ refused: true });
		expect(pacer.limit()).toBe(Number.POSITIVE_INFINITY);
	});

	it('a 429 that repeats another halves the account’s rate in this process, and Retry-After holds every request, plus jitter', async () => {
		const { clock, options } = setup(0.5);
		const pacer = new AccountPacer(options);
		const lease = pacer.join(8);
		(await lease.acquire()).done({ refused: true }); // the first: lone
		const slots = await Promise.all(Array.from({ length: 8 }, async () => await lease.acquire()));
		slots.slice(0, 7).forEach((s) => s.done());
		await clock.advance(100);
		slots[7].done({ refused: true, retryAfterMs: 300 });
		expect(pacer.limit()).toBe(4);
		const next = lease.acquire().then((s) => s.startedAt);
		await clock.runAll();
		// Held until 100 + 300 + 0.5 × (1/60 of the window); then the window (4 now, 8 in it) makes it wait for it to drain.
		const heldUntil = 100 + 300 + 0.5 * SLOW_DOWN.jitterWindows * W;
		expect(100 + clock.slept[0]).toBeCloseTo(heldUntil, 5);
		expect(await next).toBeGreaterThanOrEqual(W);
	});

	it('after a repeated 429 with pacing off, paces at half of what was sent in the window', async () => {
		const { clock, options } = setup();
		const pacer = new AccountPacer(options);
		const lease = pacer.join(0);
		(await lease.acquire()).done({ refused: true }); // lone: nothing slows down
		expect(pacer.limit()).toBe(Number.POSITIVE_INFINITY);
		await send(lease, 9);
		const slot = await lease.acquire();
		slot.done({ refused: true });
		expect(pacer.limit()).toBe(5);
		// The rest of the run is now paced: the window holds 10, so the next waits for it to drain.
		const next = lease.acquire().then((s) => s.startedAt);
		await clock.runAll();
		expect(await next).toBe(W + 1);
	});

	it('wins the rate back after a quiet spell', async () => {
		const { clock, options } = setup();
		const pacer = new AccountPacer(options);
		const lease = pacer.join(8);
		(await lease.acquire()).done({ refused: true });
		(await lease.acquire()).done({ refused: true });
		expect(pacer.limit()).toBe(1); // half of what it sent (1), at least 1
		await clock.advance(W - 1);
		expect(pacer.limit()).toBe(1); // the quiet spell
		await clock.advance(1);
		expect(pacer.limit()).toBe(2); // then one step (1/8 of 8) each half window…
		await clock.advance(W / 2);
		expect(pacer.limit()).toBe(3);
		await clock.advance((5 * W) / 2);
		expect(pacer.limit()).toBe(8); // …until the limit set is won back
	});
});

describe('bounded side effects of a 429', () => {
	it('a 429 without Retry-After leaves the window: the retry waits by its backoff, not for the window to pass', async () => {
		const { clock, options } = setup();
		const lease = new AccountPacer(options).join(1);
		(await lease.acquire()).done({ refused: true });
		const next = lease.acquire().then((s) => s.startedAt);
		await clock.runAll();
		expect(await next).toBe(0);
	});

	it('a Retry-After beyond the asking execution’s Max Retry Wait holds the others no longer than that wait', async () => {
		const { clock, options } = setup(0);
		const pacer = new AccountPacer(options);
		const [asking, other] = [pacer.join(0), pacer.join(0)];
		(await asking.acquire()).done({ refused: true, retryAfterMs: 999_000, maxHoldMs: 300 });
		const next = other.acquire().then((s) => s.startedAt);
		await clock.runAll();
		expect(await next).toBe(300);
	});
});

describe('AccountRegistry: the process’s pacers, one per account', () => {
	it('shares a window between executions on one account, not between accounts', async () => {
		const { clock, options } = setup();
		const pacing = new AccountRegistry(options);
		const a = pacing.join('https://x acct1', 2);
		const b = pacing.join('https://x acct1', 2);
		const other = pacing.join('https://x acct2', 2);
		const runs = Promise.all([send(a, 2), send(b, 2), send(other, 2)]);
		await clock.runAll();
		const [startsA, startsB, startsOther] = await runs;
		expect(busiest([...startsA, ...startsB])).toBe(2);
		expect([...startsA, ...startsB].sort((x, y) => x - y)).toEqual([0, 0, W + 1, W + 1]);
		expect(startsOther).toEqual([0, 0]);
	});

	it('releases an account once no execution uses it and its window has passed; a new execution meanwhile takes up where the last left off', async () => {
		const { clock, options } = setup();
		const pacing = new AccountRegistry(options);
		const first = pacing.join('acct', 2);
		await send(first, 2);
		first.leave(); // its requests are still in Exotel's window
		const second = pacing.join('acct', 2);
		const started = send(second, 1);
		await clock.runAll();
		expect(await started).toEqual([W + 1]);
		second.leave();
		await clock.advance(W + 1);
		pacing.join('other', 0).leave();
		// Forgotten: a new execution starts at once, with a limit of its own.
		const third = pacing.join('acct', 1);
		const fresh = send(third, 2);
		await clock.runAll();
		expect(await fresh).toEqual([2 * W + 2, 3 * W + 3]);
	});

	it('releases an account at once when nothing was sent', async () => {
		const { options } = setup();
		const pacing = new AccountRegistry(options);
		const lease = pacing.join('acct', 5);
		lease.leave();
		lease.leave(); // twice is harmless
		const next = pacing.join('acct', 1);
		expect(await send(next, 1)).toEqual([0]);
	});

	it('keeps a slow-down for the next execution on the account', async () => {
		const { clock, options } = setup();
		const pacing = new AccountRegistry(options);
		const first = pacing.join('acct', 10);
		await send(first, 9);
		(await first.acquire()).done({ refused: true });
		first.leave();
		await clock.advance(W + 1); // the window has passed, the slow-down has not
		const second = pacing.join('acct', 10);
		const starts = send(second, 6);
		await clock.runAll();
		expect(busiest(await starts)).toBeLessThan(10);
		await settle();
		second.leave();
	});
});
