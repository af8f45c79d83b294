/**
 * The last state each trigger of this process wrote, for when n8n does not keep it. On n8n's
 * durable scheduler without durable cursors, every tick loads the static data from the database,
 * where n8n saves it only after a poll that emitted items: the progress of a poll that found
 * nothing (a pass going on over a large account) would be lost, and a pass might never end.
 *
 * A poll that reads back exactly the state it started from last time (same stamp: nothing
 * newer was saved) goes on from the state that poll wrote instead. Anything newer in n8n's
 * static data (saved with events, or by another process) wins, so the events saved with a state
 * are never reported again. Kept with the node's instance (one per process), like the guard in
 * pollGuard.ts: one entry per trigger, a state's size (under 1 MiB for 20,000 users).
 */
import { createHash, randomBytes } from 'node:crypto';

import type { UsersState } from './usersState';

interface Unsaved {
	/** The stamp of the stored state the poll that wrote `state` started from. */
	basedOn: string;
	state: UsersState;
}

/** A stamp for a state about to be written: each write has its own. */
export const newStamp = (): string => randomBytes(6).toString('base64url');

/** Which stored state this is: its stamp; for a state without one (none yet, or one not to trust), a hash of it. */
export function stampOf(stored: unknown): string {
	if (stored === undefined || stored === null) return 'none';
	const stamp = (stored as { stamp?: unknown }).stamp;
	if (typeof stamp === 'string') return stamp;
	return (
		'sha256:' +
		createHash('sha256')
			.update(JSON.stringify(stored) ?? '')
			.digest('base64url')
			.slice(0, 16)
	);
}

export class UnsavedStates {
	private readonly unsaved = new Map<string, Unsaved>();

	/** The state to go on from, when the stored one is what the last poll of this trigger started from; else undefined. */
	goOn(key: string, storedStamp: string, account: string): UsersState | undefined {
		const entry = this.unsaved.get(key);
		if (!entry || entry.basedOn !== storedStamp || entry.state.account !== account)
			return undefined;
		return { ...entry.state, users: { ...entry.state.users } };
	}

	/** What a poll wrote, and the stamp of the stored state it started from. */
	remember(key: string, basedOn: string, state: UsersState): void {
		this.unsaved.set(key, { basedOn, state });
	}
}
