import { AdaptiveRate, SLOW_DOWN } from '../../../../../nodes/shared/transport/pacing/adaptiveRate';

const W = 60_000; // Exotel's minute
const Q = W / 2; // a step
const INF = Number.POSITIVE_INFINITY;

describe('AdaptiveRate (the slow-down after a 429, in one process)', () => {
	it('has the documented numbers', () => {
		expect(SLOW_DOWN).toMatchObject({
			cut: 0.5,
			quietWindows: 1,
			maxQuietWindows: 4,
			stepWindows: 0.5,
			maxStepShare: 0.125,
		});
	});

	it('is not slowed down until a 429', () => {
		const rate = new AdaptiveRate(W);
		expect(rate.cap(0)).toBe(INF);
		expect(rate.isSlowed(10 * W)).toBe(false);
	});

	it('halves the limit on a 429', () => {
		const rate = new AdaptiveRate(W);
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
		// A request sent after the cut and refused again, at that steady rate, halves it again.
		expect(rate.refused(2300, 2400, 40, 30)).toBe(true);
		expect(rate.cap(2400)).toBe(10);
	});

	it('never goes below 1 request a window', () => {
		const rate = new AdaptiveRate(W);
		for (let t = 1; t < 10; t++) rate.refused(t * 10, t * 10 + 5, 4, 4);
		expect(rate.cap(100)).toBe(1);
	});

	it('after a quiet window, wins the rate back in growing steps (1, 2, 4 … up to 1/8 of the limit) each half window, then is over', () => {
		const rate = new AdaptiveRate(W);
		rate.refused(0, 0, 80, 80); // 80 → 40; steps of 1, 2, 4, 8, 10, 10 … (1/8 of 80 is 10)
		expect(rate.cap(W - 1)).toBe(40); // the quiet spell
		expect([0, 1, 2, 3, 4, 5].map((i) => rate.cap(W + i * Q))).toEqual([41, 43, 47, 55, 65, 75]);
		expect(rate.cap(W + 6 * Q)).toBe(INF); // 80 again: the slow-down is over
		expect(rate.isSlowed(W + 6 * Q)).toBe(false);
	});

	it('a 429 while winning back undoes the last step only, and waits twice as long before the next', () => {
		const rate = new AdaptiveRate(W);
		rate.refused(0, 0, 80, 80); // 40
		expect(rate.cap(W + 2 * Q)).toBe(47); // steps 1, 2, 4
		expect(rate.refused(W + 2 * Q, W + 2 * Q + 10, 80, 47)).toBe(true);
		expect(rate.cap(W + 2 * Q + 10)).toBe(43); // the step of 4 undone
		// The next quiet spell is 2 windows, then the steps start small again.
		const cut = W + 2 * Q + 10;
		expect(rate.cap(cut + 2 * W - 1)).toBe(43);
		expect(rate.cap(cut + 2 * W)).toBe(44);
		// Another failed step: quiet spells double up to 4 windows.
		rate.refused(cut + 2 * W, cut + 2 * W + 1, 80, 44);
		expect(rate.cap(cut + 2 * W + 1)).toBe(43);
		rate.refused(cut + 2 * W + 1 + 4 * W, cut + 6 * W + 2, 80, 44);
		const third = cut + 6 * W + 2;
		rate.refused(third + 4 * W, third + 4 * W + 1, 80, 44);
		expect(rate.cap(third + 4 * W + 1 + 4 * W - 1)).toBe(43); // still quiet after 4 windows - 1 ms: capped at 4
		expect(rate.cap(third + 4 * W + 1 + 4 * W)).toBe(44);
	});

	it('a 429 at the steady rate after an undone step halves it (the account got busier)', () => {
		const rate = new AdaptiveRate(W);
		rate.refused(0, 0, 80, 80); // 40
		rate.refused(W, W + 1, 80, 41); // the step of 1 undone: 40, quiet for 2 windows
		expect(rate.cap(W + 2)).toBe(40);
		rate.refused(W + 10, W + 20, 80, 40); // refused at 40, not probing: halve
		expect(rate.cap(W + 20)).toBe(20);
	});

	it('says when the rate next changes by itself: the end of the quiet spell, then each step', () => {
		const rate = new AdaptiveRate(W);
		expect(rate.nextChangeAt(0)).toBeUndefined();
		rate.refused(0, 100, 80, 80);
		expect(rate.nextChangeAt(100)).toBe(100 + W);
		expect(rate.nextChangeAt(100 + W)).toBe(100 + W + Q);
		expect(rate.nextChangeAt(100 + W + Q + 1)).toBe(100 + W + 2 * Q);
		expect(rate.nextChangeAt(100 + 100 * W)).toBeUndefined(); // won back: over
	});

	it('steps by at least one request', () => {
		const rate = new AdaptiveRate(W);
		rate.refused(0, 0, INF, 3); // 3 → 1; to win back: 3
		expect(rate.cap(W)).toBe(2);
		expect(rate.cap(W + Q)).toBe(INF);
	});

	it('scales with the window it is given', () => {
		const rate = new AdaptiveRate(1000);
		rate.refused(0, 0, 8, 8);
		expect(rate.cap(999)).toBe(4);
		expect(rate.cap(1000)).toBe(5);
		expect(rate.cap(1499)).toBe(5);
		expect(rate.cap(1500)).toBe(6); // steps of 1: 1/8 of 8
	});
});
