import { AdaptiveRate, SLOW_DOWN } from '../../../../nodes/ExotelUsers/helpers/adaptiveRate';

const W = 60_000; // Exotel's minute
const INF = Number.POSITIVE_INFINITY;

describe('AdaptiveRate (the slow-down after a 429, in one process)', () => {
	it('is not slowed down until a 429', () => {
		const rate = new AdaptiveRate(W);
		expect(rate.cap(0)).toBe(INF);
		expect(rate.isSlowed(10 * W)).toBe(false);
	});

	it('halves the limit on a 429', () => {
		const rate = new AdaptiveRate(W);
		expect(SLOW_DOWN.cut).toBe(0.5);
		expect(rate.refused(1000, 2000, 50, 50)).toBe(true);
		expect(rate.cap(2000)).toBe(25);
	});

	it('halves what was really sent when that is below the limit', () => {
		const rate = new AdaptiveRate(W);
		rate.refused(1000, 2000, 50, 12);
		expect(rate.cap(2000)).toBe(6);
	});

	it('with no limit (pacing off): paces from then on at half what was sent in the last window', () => {
		const rate = new AdaptiveRate(W);
		rate.refused(1000, 2000, INF, 180);
		expect(rate.cap(2000)).toBe(90);
	});

	it('cuts once for the 429s of requests sent before the cut (they were sent at the old rate)', () => {
		const rate = new AdaptiveRate(W);
		rate.refused(1000, 2000, 40, 40);
		expect(rate.refused(1500, 2100, 40, 40)).toBe(false);
		expect(rate.refused(1999, 2200, 40, 40)).toBe(false);
		expect(rate.cap(2200)).toBe(20);
		// A request sent after the cut that is refused again cuts again.
		expect(rate.refused(2300, 2400, 40, 30)).toBe(true);
		expect(rate.cap(2400)).toBe(10);
	});

	it('never goes below 1 request a window', () => {
		const rate = new AdaptiveRate(W);
		for (let t = 1; t < 10; t++) rate.refused(t * 10, t * 10 + 5, 4, 4);
		expect(rate.cap(100)).toBe(1);
	});

	it('after a quiet window, wins the rate back step by step (1/8 of it each quarter window), then is over', () => {
		const rate = new AdaptiveRate(W);
		rate.refused(0, 0, 40, 40); // 40 → 20
		const step = 40 * SLOW_DOWN.stepShare;
		expect(rate.cap(W - 1)).toBe(20); // the quiet spell: no change
		expect(rate.cap(W)).toBe(20 + step);
		expect(rate.cap(W + W / 4 - 1)).toBe(20 + step);
		expect(rate.cap(W + W / 4)).toBe(20 + 2 * step);
		expect(rate.cap(W + (2 * W) / 4)).toBe(20 + 3 * step);
		expect(rate.cap(W + (3 * W) / 4)).toBe(INF); // 40 again: the slow-down is over
		expect(rate.isSlowed(W + (3 * W) / 4)).toBe(false);
	});

	it('a 429 while winning back cuts from where it is, and keeps the rate to win back', () => {
		const rate = new AdaptiveRate(W);
		rate.refused(0, 0, 40, 40); // 20
		expect(rate.cap(W + W / 4)).toBe(30);
		rate.refused(W + W / 4, W + W / 4, 40, 40); // 30 → 15
		expect(rate.cap(W + W / 4)).toBe(15);
		// Quiet again from the new cut, then steps of 1/8 of 40.
		expect(rate.cap(2 * W + W / 4)).toBe(20);
	});

	it('steps by at least one request', () => {
		const rate = new AdaptiveRate(W);
		rate.refused(0, 0, INF, 3); // 3 → 1
		expect(rate.cap(W)).toBe(2);
		expect(rate.cap(W + W / 4)).toBe(INF);
	});

	it('scales with the window it is given', () => {
		const rate = new AdaptiveRate(1000);
		rate.refused(0, 0, 8, 8);
		expect(rate.cap(999)).toBe(4);
		expect(rate.cap(1000)).toBe(5);
	});
});
