/**
 * The one registry of account pacers that every execution in this process shares. It is the
 * package's only module-level pacing state: the executions of one n8n process (main or worker)
 * load this module once, so they meet here. Processes meet only through Exotel's rate-limit headers.
 */
import { AccountRegistry, type Pacing } from './accountPacer';
import { random, systemClock, type Clock } from './clock';

/** Exotel counts its limit per minute. */
const EXOTEL_WINDOW_MS = 60_000;

export interface ProcessPacing {
	pacing: Pacing;
	clock: Clock;
	random: () => number;
}

/** How every node of this process sends: Exotel's minute, the system clock and the process's registry. */
export const processPacing: ProcessPacing = {
	pacing: new AccountRegistry({ windowMs: EXOTEL_WINDOW_MS, clock: systemClock, random }),
	clock: systemClock,
	random,
};
