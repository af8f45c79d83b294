import type { Clock } from '../../../../../nodes/shared/transport/pacing/clock';
import { SlidingWindowLimiter } from '../../../../../nodes/shared/transport/pacing/slidingWindowLimiter';
import { FakeClock, settle } from '../../../../support/clock';

/** A clock that moves only when someone sleeps, so the limiter's waits are exact. */
function fakeClock(): Clock & { slept: number[] } {
	let now = 0;
	const slept: number[] = [];
	return {
		slept,
		now: () => now,
		sleep: async (ms) => {
			slept.push(ms);
			now += ms;
		},
	};
}

/** The largest number of starts in any window of `windowMs`. */
function busiestWindow(starts: number[], windowMs: number): number {
	return Math.max(...starts.map((t) => starts.filter((s) => s >= t && s < t + windowMs).length));
}

describe('SlidingWindowLimiter', () => {
	it('lets `limit` requests start at once, then waits until the oldest leaves the window', async () => {
		const clock = fakeClock();
		const limiter = new SlidingWindowLimiter({ limit: 3, windowMs: 1000, clock });
		const starts: number[] = [];
		for (let i = 0; i < 7; i++) {
			(await limiter.acquire()).release(); // answered at once
			starts.push(clock.now());
		}
		expect(starts).toEqual([0, 0, 0, 1001, 1001, 1001, 2002]);
		expect(busiestWindow(starts, 1000)).toBe(3);
	});

	it('never lets more than `limit` start in any window, with many callers at once', async () => {
		const clock = fakeClock();
		const limiter = new SlidingWindowLimiter({ limit: 5, windowMs: 60_000, clock });
		const starts: number[] = [];
		await Promise.all(
			Array.from({ length: 23 }, async () => {
				const slot = await limiter.acquire();
				starts.push(clock.now());
				slot.release();
			}),
		);
		expect(starts).toHaveLength(23);
		expect(busiestWindow(starts, 60_000)).toBeLessThanOrEqual(5);
		// 23 requests at 5 a window need at least 4 windows; the limiter takes at most one more.
		expect(Math.max(...starts)).toBeLessThanOrEqual(5 * 60_001);
	});

	it('does not wait when requests are already slower than the limit', async () => {
		const clock = fakeClock();
		const limiter = new SlidingWindowLimiter({ limit: 2, windowMs: 1000, clock });
		for (let i = 0; i < 4; i++) {
			(await limiter.acquire()).release();
			await clock.sleep(600);
		}
		expect(clock.slept).toEqual([600, 600, 600, 600]);
	});

	it('dates a slot by its answer, so a slow request cannot let the next one arrive inside its window', async () => {
		const clock = fakeClock();
		const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000, clock });
		const first = await limiter.acquire(); // starts at 0
		await clock.sleep(400); // its answer comes at 400
		first.release();
		await limiter.acquire();
		expect(clock.now()).toBe(1401);
	});

	it('makes a caller wait while every slot is a request still in flight', async () => {
		const clock = fakeClock();
		const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000, clock });
		const first = await limiter.acquire();
		let secondStarted = false;
		const second = limiter.acquire().then(() => (secondStarted = true));
		await Promise.resolve();
		await Promise.resolve();
		expect(secondStarted).toBe(false);
		await clock.sleep(250);
		first.release(); // answered at 250: the next may start 1000 ms later
		await second;
		expect(clock.now()).toBe(1251);
	});

	it('refuses a limit below 1', () => {
		expect(
			() => new SlidingWindowLimiter({ limit: 0, windowMs: 1000, clock: fakeClock() }),
		).toThrow(RangeError);
	});
});

describe('SlidingWindowLimiter: what the account windows need', () => {
	it('reads the limit on every turn, so a caller waiting sees it change', async () => {
		const clock = new FakeClock();
		let limit = 2;
		const limiter = new SlidingWindowLimiter({ limit: () => limit, windowMs: 1000, clock });
		const starts: number[] = [];
		const all = Promise.all(
			Array.from({ length: 6 }, async () => {
				const slot = await limiter.acquire();
				starts.push(clock.now());
				slot.release();
			}),
		);
		await settle();
		expect(starts).toEqual([0, 0]);
		limit = 4; // e.g. the execution with the smaller limit ended
		await clock.runAll();
		await all;
		expect(starts).toEqual([0, 0, 1001, 1001, 1001, 1001]);
	});

	it('wakes a waiting caller when the limit is due to change, not only when a slot leaves', async () => {
		const startsWith = async (limitChangesAt?: (now: number) => number | undefined) => {
			const clock = new FakeClock();
			const limit = () => (clock.now() < 500 ? 1 : 3); // e.g. the slow-down steps back up at 500
			const limiter = new SlidingWindowLimiter({ limit, windowMs: 1000, clock, limitChangesAt });
			const starts: number[] = [];
			const all = Promise.all(
				[0, 1].map(async () => {
					const slot = await limiter.acquire();
					starts.push(clock.now());
					slot.release();
				}),
			);
			await clock.runAll();
			await all;
			return starts;
		};
		expect(await startsWith((now) => (now < 500 ? 500 : undefined))).toEqual([0, 500]);
		expect(await startsWith()).toEqual([0, 1001]); // without it: only when the first leaves the window
	});

	it('with an infinite limit, counts requests but never waits', async () => {
		const clock = new FakeClock();
		const limiter = new SlidingWindowLimiter({
			limit: () => Number.POSITIVE_INFINITY,
			windowMs: 1000,
			clock,
		});
		for (let i = 0; i < 500; i++) (await limiter.acquire()).release();
		expect(clock.slept).toEqual([]);
		expect(limiter.count()).toBe(500);
		await clock.advance(1000);
		expect(limiter.count()).toBe(500); // a window's ends belong to it
		await clock.advance(1);
		expect(limiter.count()).toBe(0);
	});

	it('counts requests in flight and those answered within the window', async () => {
		const clock = new FakeClock();
		const limiter = new SlidingWindowLimiter({ limit: 10, windowMs: 1000, clock });
		const a = await limiter.acquire();
		const b = await limiter.acquire();
		await clock.advance(300);
		a.release(); // dated 300
		expect(limiter.count()).toBe(2);
		await clock.advance(1001);
		expect(limiter.count()).toBe(1); // a left the window; b is still in flight
		b.release();
		expect(limiter.count()).toBe(1);
		expect(limiter.isEmpty()).toBe(false);
		await clock.advance(1001);
		expect(limiter.isEmpty()).toBe(true);
	});

	it('holds every request until a moment, however empty the window', async () => {
		const clock = new FakeClock();
		const limiter = new SlidingWindowLimiter({ limit: 10, windowMs: 1000, clock });
		limiter.holdUntil(700);
		limiter.holdUntil(400); // an earlier hold does not shorten a later one
		const started = limiter.acquire().then(() => clock.now());
		await clock.runAll();
		expect(await started).toBe(700);
	});

	it('does not make a caller that must not wait (wait: false) wait, and still counts it', async () => {
		const clock = new FakeClock();
		const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000, clock });
		(await limiter.acquire()).release();
		limiter.holdUntil(5000);
		(await limiter.acquire({ wait: false })).release();
		expect(clock.now()).toBe(0);
		expect(limiter.count()).toBe(2);
	});

	it('hands out slots in arrival order, whoever asks', async () => {
		const clock = new FakeClock();
		const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000, clock });
		const order: string[] = [];
		const ask = (who: string) =>
			limiter.acquire().then((slot) => {
				order.push(who);
				slot.release();
			});
		const all = Promise.all(['a1', 'b1', 'a2', 'b2', 'a3'].map(ask));
		await clock.runAll();
		await all;
		expect(order).toEqual(['a1', 'b1', 'a2', 'b2', 'a3']);
	});

	it('stops the wait of a cancelled execution, and the callers behind it go on', async () => {
		const clock = new FakeClock();
		const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000, clock });
		const first = await limiter.acquire(); // in flight
		const cancel = new AbortController();
		const cancelled = limiter.acquire({ signal: cancel.signal });
		const behind = limiter.acquire().then(() => clock.now());
		await settle();
		cancel.abort(new Error('cancelled'));
		await expect(cancelled).rejects.toThrow('cancelled');
		first.release();
		await clock.runAll();
		expect(await behind).toBe(1001);
	});

	it('keeps count over a long window of many requests, and forgets those that left it', async () => {
		const clock = new FakeClock();
		const limiter = new SlidingWindowLimiter({
			limit: () => Number.POSITIVE_INFINITY,
			windowMs: 60_000,
			clock,
		});
		for (let i = 0; i < 50_000; i++) {
			(await limiter.acquire()).release();
			if (i % 100 === 99) await clock.advance(10);
		}
		// 5,000 ms have passed: every request is still in the window…
		expect(limiter.count()).toBe(50_000);
		// …and just over 60,000 ms after the first hundred, those hundred have left it.
		await clock.advance(55_001);
		expect(limiter.count()).toBe(49_900);
		await clock.advance(5_000);
		expect(limiter.count()).toBe(0);
	});
});
