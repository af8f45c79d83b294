import { runAlone } from '../../../../nodes/ExotelUsersTrigger/helpers/pollGuard';

describe('runAlone', () => {
	it('skips a poll of a trigger whose poll still runs, and runs the next one once it has ended', async () => {
		let finish: (value: string) => void = () => undefined;
		const first = runAlone('wf/node', async () => await new Promise<string>((resolve) => (finish = resolve)), 'skipped');
		expect(await runAlone('wf/node', async () => 'second', 'skipped')).toBe('skipped');
		expect(await runAlone('wf/other', async () => 'other trigger', 'skipped')).toBe('other trigger');
		finish('first');
		expect(await first).toBe('first');
		expect(await runAlone('wf/node', async () => 'third', 'skipped')).toBe('third');
	});

	it('lets the next poll run after one that failed', async () => {
		await expect(runAlone('wf/failing', async () => await Promise.reject(new Error('503')), 'skipped')).rejects.toThrow('503');
		expect(await runAlone('wf/failing', async () => 'next', 'skipped')).toBe('next');
	});
});
