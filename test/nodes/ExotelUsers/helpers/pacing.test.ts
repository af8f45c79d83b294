import { SlidingWindowLimiter, type Clock } from '../../../../nodes/ExotelUsers/helpers/pacing';

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
		const limiter = new SlidingWindowLimiter(3, 1000, clock);
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
		const limiter = new SlidingWindowLimiter(5, 60_000, clock);
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
		const limiter = new SlidingWindowLimiter(2, 1000, clock);
		for (let i = 0; i < 4; i++) {
			(await limiter.acquire()).release();
			await clock.sleep(600);
		}
		expect(clock.slept).toEqual([600, 600, 600, 600]);
	});

	it('dates a slot by its answer, so a slow request cannot let the next one arrive inside its window', async () => {
		const clock = fakeClock();
		const limiter = new SlidingWindowLimiter(1, 1000, clock);
		const first = await limiter.acquire(); // starts at 0
		await clock.sleep(400); // its answer comes at 400
		first.release();
		await limiter.acquire();
		expect(clock.now()).toBe(1401);
	});

	it('makes a caller wait while every slot is a request still in flight', async () => {
		const clock = fakeClock();
		const limiter = new SlidingWindowLimiter(1, 1000, clock);
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
		expect(() => new SlidingWindowLimiter(0, 1000, fakeClock())).toThrow(RangeError);
	});
});
