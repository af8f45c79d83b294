/**
 * The one registry of account pacers that every execution in this process shares. It is the
 * package's only module-level state: the executions of one n8n process (main or worker) load
 * this module once, so they meet here. Processes meet only through Exotel's rate-limit headers.
 */
import { AccountRegistry, type Pacing } from './accountPacer';
import { random, systemClock, type Clock } from './clock';

/** Exotel counts its limit per minute. */
export const EXOTEL_WINDOW_MS = 60_000;

const processPacing = new AccountRegistry({ windowMs: EXOTEL_WINDOW_MS, clock: systemClock, random });

/**
 * How a node instance sends. n8n creates the node with none of these: Exotel's minute, the
 * system clock and the process's registry. Tests and the benchmark pass a scaled window (or a
 * clock), which gives that node instance a registry of its own — or pacing of their own.
 */
export interface TransportSetup {
	windowMs?: number;
	clock?: Clock;
	/** Pacing other than the account registry (the benchmark's baseline). */
	pacing?: (options: { windowMs: number; clock: Clock; random: () => number }) => Pacing;
}

export interface Transport {
	pacing: Pacing;
	clock: Clock;
	random: () => number;
}

export function transportFor(setup: TransportSetup = {}): Transport {
	const clock = setup.clock ?? systemClock;
	const options = { windowMs: setup.windowMs ?? EXOTEL_WINDOW_MS, clock, random };
	if (setup.pacing) return { pacing: setup.pacing(options), clock, random };
	if (setup.windowMs === undefined && setup.clock === undefined) return { pacing: processPacing, clock, random };
	return { pacing: new AccountRegistry(options), clock, random };
}
