/**
 * Time and chance for pacing, as arguments: the real clock (n8n's sleep, which a cancelled
 * execution stops) in production, a fake one in tests.
 */
import { sleep } from 'n8n-workflow';
import { randomInt } from 'node:crypto';

export interface Clock {
	now(): number;
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
	now: () => Date.now(),
	sleep: async (ms, signal) => await sleep(ms, signal),
};

/** A number in [0, 1), for jitter. */
export const random = (): number => randomInt(1_000_000) / 1_000_000;
