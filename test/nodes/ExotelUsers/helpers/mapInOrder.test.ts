import { mapInOrder } from '../../../../nodes/ExotelUsers/helpers/mapInOrder';
import { FakeClock } from '../../../support/clock';

let clock: FakeClock;
beforeEach(() => (clock = new FakeClock()));

/** Runs the tasks on the fake clock: each `tick(ms)` ends exactly `ms` after it began. */
async function onClock<T>(running: Promise<T>): Promise<T> {
	await clock.runAll();
	return await running;
}
const tick = (ms: number) => clock.sleep(ms);

describe('mapInOrder', () => {
	it('returns results in index order although they finish out of order', async () => {
		const delays = [30, 5, 20, 1, 10];
		const results = await onClock(
			mapInOrder(delays.length, 3, async (i) => {
				await tick(delays[i]);
				return i * 10;
			}),
		);
		expect(results).toEqual([0, 10, 20, 30, 40]);
	});

	it('keeps at most `concurrency` tasks in flight', async () => {
		let inFlight = 0;
		let peak = 0;
		await onClock(
			mapInOrder(12, 4, async () => {
				peak = Math.max(peak, ++inFlight);
				await tick(2);
				inFlight--;
			}),
		);
		expect(peak).toBe(4);
	});

	it('starts nothing new once told to stop, and lets running tasks finish', async () => {
		const started: number[] = [];
		const results = await onClock(
			mapInOrder(
				10,
				2,
				async (i) => {
					started.push(i);
					await tick(i === 2 ? 1 : 5);
					return i;
				},
				(result) => result === 2,
			),
		);
		expect(started).toEqual([0, 1, 2, 3]);
		expect(results).toEqual([
			0,
			1,
			2,
			3,
			undefined,
			undefined,
			undefined,
			undefined,
			undefined,
			undefined,
		]);
	});

	it('handles no items', async () => {
		expect(await mapInOrder(0, 4, async () => 1)).toEqual([]);
	});
});
