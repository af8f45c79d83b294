import { PollGuard } from '../../../../nodes/ExotelUsersTrigger/helpers/pollGuard';

describe('PollGuard', () => {
	it('skips a poll of a trigger whose poll still runs, and runs the next one once it has ended', async () => {
		const guard = new PollGuard();
		let finish: (value: string) => void = () => undefined;
		const first = guard.runAlone(
			'wf/node',
			async () => await new Promise<string>((resolve) => (finish = resolve)),
			'skipped',
		);
		expect(await guard.runAlone('wf/node', async () => 'second', 'skipped')).toBe('skipped');
		expect(await guard.runAlone('wf/other', async () => 'other trigger', 'skipped')).toBe(
			'other trigger',
		);
		finish('first');
		expect(await first).toBe('first');
		expect(await guard.runAlone('wf/node', async () => 'third', 'skipped')).toBe('third');
	});

	it('lets the next poll run after one that failed', async () => {
		const guard = new PollGuard();
		await expect(
			guard.runAlone('wf/failing', async () => await Promise.reject(new Error('503')), 'skipped'),
		).rejects.toThrow('503');
		expect(await guard.runAlone('wf/failing', async () => 'next', 'skipped')).toBe('next');
	});
});
