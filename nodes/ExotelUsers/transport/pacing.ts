/**
 * The n8n side of pacing: the real clock (n8n's sleep, which a cancelled execution stops),
 * random numbers, and the one registry of account windows that every execution in this
 * process shares. It is the package's only module-level state: the executions of one n8n
 * process (main or worker) load this module once, so they meet here.
 */
import { sleep } from 'n8n-workflow';
import { randomInt } from 'node:crypto';

import { PerExecutionPacing, SharedPacing, type Pacing } from '../helpers/accountPacing';
import type { Clock } from '../helpers/pacing';

/** Exotel counts its limit per minute. */
export const EXOTEL_WINDOW_MS = 60_000;

export const systemClock: Clock = {
	now: () => Date.now(),
	sleep: async (ms, signal) => await sleep(ms, signal),
};

export const random = (): number => randomInt(1_000_000) / 1_000_000;

const processPacing = new SharedPacing({ windowMs: EXOTEL_WINDOW_MS, clock: systemClock, random });

/**
 * How a node instance sends. n8n creates the node with none of these: Exotel's minute, the
 * system clock and the process's shared windows. Tests and the benchmark pass a scaled
 * window (or a clock), which gives that node instance windows of its own.
 */
export interface TransportSetup {
	windowMs?: number;
	clock?: Clock;
	/**
	 * 'account' (the default): one window per Exotel account, shared by every execution, with
	 * the slow-down after a 429. 'execution': one window per execution and no slow-down, the
	 * node's pacing before per-account pacing — only for the benchmark's comparison.
	 */
	pacingScope?: 'account' | 'execution';
}

export interface Transport {
	pacing: Pacing;
	clock: Clock;
	random: () => number;
}

export function transportFor(setup: TransportSetup = {}): Transport {
	const clock = setup.clock ?? systemClock;
	const options = { windowMs: setup.windowMs ?? EXOTEL_WINDOW_MS, clock, random };
	if (setup.pacingScope === 'execution') return { pacing: new PerExecutionPacing(options), clock, random };
	if (setup.windowMs === undefined && setup.clock === undefined) return { pacing: processPacing, clock, random };
	return { pacing: new SharedPacing(options), clock, random };
}
