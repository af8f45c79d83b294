import { LoneRefusal } from '../../../../../nodes/shared/transport/pacing/loneRefusal';
import { SLOW_DOWN } from '../../../../../nodes/shared/transport/pacing/adaptiveRate';

const W = 60_000;

describe('LoneRefusal: a lone 429 only waits, a repeated one slows down', () => {
	it('the first 429 is lone; one within two windows repeats it', () => {
		expect(SLOW_DOWN.repeatWindows).toBe(2);
		const lone = new LoneRefusal(W);
		expect(lone.repeats(0, 100)).toBe(false);
		expect(lone.remembers(100 + 2 * W)).toBe(true);
		expect(lone.repeats(200, 100 + 2 * W)).toBe(true);
	});

	it('a 429 more than two windows after the last is lone again', () => {
		const lone = new LoneRefusal(W);
		lone.repeats(0, 100);
		expect(lone.remembers(100 + 2 * W + 1)).toBe(false);
		expect(lone.repeats(100 + 2 * W, 100 + 2 * W + 1)).toBe(false);
	});

	it('the 429s of one burst (sent before the first was answered) count as that one', () => {
		const lone = new LoneRefusal(W);
		expect(lone.repeats(0, 100)).toBe(false);
		expect(lone.repeats(10, 110)).toBe(false);
		expect(lone.repeats(99, 120)).toBe(false);
		// A request sent after the 429 was answered, refused again: the rate is too high.
		expect(lone.repeats(100, 300)).toBe(true);
	});
});
