/**
 * The trigger's state in the node's static data, and the one check it passes before a poll
 * trusts it. Per user it keeps a fingerprint of a few bytes, not the user: which pass last saw
 * the user, whether User Added was decided, and the ids (or short hashes) of their SIP devices
 * — all the events need. A user id of 32 characters with one SIP device takes about 45 bytes
 * of JSON, so 20,000 users stay under 1 MiB.
 *
 * The account is read in passes, page by page, across as many polls as it takes: `offset` is
 * where the pass goes on, and a user whose mark is not the pass's parity at its end was not
 * seen in it (removed, or skipped by a page shift: checked before User Removed fires).
 */
import { createHash } from 'node:crypto';

export const STATE_VERSION = 2;

export interface UsersState {
	version: typeof STATE_VERSION;
	/** Which account the state describes (a fingerprint, not the SID itself). */
	account: string;
	/** The pass being read; its parity marks the users it has seen. */
	pass: number;
	/** The offset of the pass's next page. */
	offset: number;
	/** The pass has read its last page: the users it did not see are being looked up. */
	confirming: boolean;
	/** The first pass: users found are recorded, nothing fires. */
	baseline: boolean;
	/** user id → fingerprint (see `fingerprint`). */
	users: Record<string, string>;
	/** Which write this is (see unsavedState.ts). */
	stamp?: string;
}

/** What a fingerprint says. */
export interface Fingerprint {
	/** The parity of the pass that last saw the user. */
	mark: 0 | 1;
	/** Whether User Added was decided (fired, or the user was there at the baseline); false: waiting for a SIP device. */
	announced: boolean;
	/** The user's SIP devices as short tokens. */
	sip: string[];
}

const PLAIN_TOKEN = /^[A-Za-z0-9_-]{1,8}$/;
const TOKEN = '(?:[A-Za-z0-9_-]{1,8}|~[A-Za-z0-9_-]{7})';
const FINGERPRINT = new RegExp(`^[01][+-](?:${TOKEN}(?:,${TOKEN})*)?$`);

/** A device id as the state keeps it: itself when short and plain, else 7 characters of its hash. */
export function deviceToken(id: string | number): string {
	const text = String(id);
	if (PLAIN_TOKEN.test(text)) return text;
	return '~' + createHash('sha256').update(text).digest('base64url').slice(0, 7);
}

export function fingerprint(print: Fingerprint): string {
	return `${print.mark}${print.announced ? '+' : '-'}${print.sip.join(',')}`;
}

/** A stored fingerprint; undefined when it is not one. */
export function readFingerprint(value: unknown): Fingerprint | undefined {
	if (typeof value !== 'string' || value.length > 512 || !FINGERPRINT.test(value)) return undefined;
	return {
		mark: value[0] === '1' ? 1 : 0,
		announced: value[1] === '+',
		sip: value.length > 2 ? value.slice(2).split(',') : [],
	};
}

export const parity = (state: UsersState): 0 | 1 => (state.pass % 2 === 0 ? 0 : 1);

/** A first pass, starting now. */
export function newState(account: string): UsersState {
	return {
		version: STATE_VERSION,
		account,
		pass: 0,
		offset: 0,
		confirming: false,
		baseline: true,
		users: {},
	};
}

export type StateRead =
	| { ok: true; state: UsersState }
	/** No state: the first activation. */
	| { ok: false; problem?: undefined }
	/** A state the trigger cannot trust, and why (for the warning). */
	| { ok: false; problem: string };

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number =>
	typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * The stored state, checked entry by entry; a copy the poll may change (the stored one is
 * replaced only when the poll ends well). Anything else is a problem: no poll acts on it.
 */
export function readState(raw: unknown, account: string): StateRead {
	if (raw === undefined || raw === null) return { ok: false };
	if (!isPlainObject(raw)) return { ok: false, problem: 'it is not an object' };
	if (raw.version !== STATE_VERSION)
		return {
			ok: false,
			problem: `it was written by another version of the trigger (state version ${JSON.stringify(raw.version ?? null)})`,
		};
	if (raw.account !== account)
		return {
			ok: false,
			problem:
				'it describes another Exotel account (the credential now points at another host or Account SID)',
		};
	if (
		!isCount(raw.pass) ||
		!isCount(raw.offset) ||
		typeof raw.confirming !== 'boolean' ||
		typeof raw.baseline !== 'boolean'
	) {
		return {
			ok: false,
			problem: 'its pass, offset, confirming or baseline field is missing or malformed',
		};
	}
	if (raw.stamp !== undefined && (typeof raw.stamp !== 'string' || raw.stamp.length > 32))
		return { ok: false, problem: 'its stamp is malformed' };
	if (!isPlainObject(raw.users))
		return {
			ok: false,
			problem: `its users are ${Array.isArray(raw.users) ? 'a list' : 'not an object'}`,
		};
	const users: Record<string, string> = {};
	for (const [id, value] of Object.entries(raw.users)) {
		if (id === '' || id.length > 128)
			return { ok: false, problem: 'a user entry has no usable id' };
		if (readFingerprint(value) === undefined)
			return { ok: false, problem: `the entry of user ${id.slice(0, 40)} is malformed` };
		users[id] = value as string;
	}
	return {
		ok: true,
		state: {
			version: STATE_VERSION,
			account,
			pass: raw.pass,
			offset: raw.offset,
			confirming: raw.confirming,
			baseline: raw.baseline,
			users,
			stamp: raw.stamp as string | undefined,
		},
	};
}

/** Users of the pass's state it has not seen (removed, or skipped by a page shift). */
export function unseenUsers(state: UsersState): string[] {
	const mark = String(parity(state));
	return Object.keys(state.users).filter((id) => state.users[id][0] !== mark);
}

/** A user Exotel still has, as the state knew them, marked seen by the pass. */
export function markSeen(state: UsersState, id: string): void {
	const print = readFingerprint(state.users[id]);
	if (print) state.users[id] = fingerprint({ ...print, mark: parity(state) });
}

/** The pass is complete: the next poll starts the next one. */
export function finishPass(state: UsersState): void {
	state.pass += 1;
	state.offset = 0;
	state.confirming = false;
	state.baseline = false;
}
