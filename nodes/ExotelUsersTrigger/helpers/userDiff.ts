/**
 * What changed in an Exotel account, one page of its listing at a time: users added, SIP
 * devices added, and (at the end of a pass) users removed. Pure: the poll hands in its working
 * copy of the state and what Exotel listed; the copy is updated with exactly the events
 * returned, so saving it means those events are never reported again (a poll that fails saves
 * nothing, and the next poll finds the same events).
 *
 * Exotel pages its user list by offset, so a listing taken while the account changes can
 * show a user twice (on two pages) or not at all (pushed across a page boundary): a user is
 * counted once by id, and a user a pass did not see is only reported removed once Exotel
 * says it is gone (the poll looks each one up).
 */
import { deviceToken, fingerprint, parity, readFingerprint, type UsersState } from './usersState';

/** A device as an event shows it: Exotel's fields, nothing else (a device holds no secret, and only these reach an event). */
export interface KnownDevice {
	id: string | number;
	name?: string;
	type?: string;
	contact_uri?: string;
	available?: boolean;
	verified?: boolean;
	status?: string;
}

export interface KnownUser {
	id: string;
	first_name?: string;
	last_name?: string;
	email?: string | null;
	role?: string;
	date_created?: string;
	devices: KnownDevice[];
}

export type EventName = 'userAdded' | 'userRemoved' | 'sipDeviceAdded';

export type UserEvent =
	| { event: 'userAdded'; user: KnownUser }
	| { event: 'sipDeviceAdded'; user: KnownUser; device: KnownDevice }
	/** The state keeps no more than the id of a user: a removed user is their id. */
	| { event: 'userRemoved'; user: { id: string } };

export interface DiffOptions {
	/** User added fires only once the user has a SIP device. */
	sipRequired: boolean;
}

const DEVICE_FIELDS = ['name', 'type', 'contact_uri', 'available', 'verified', 'status'] as const;
const USER_FIELDS = ['first_name', 'last_name', 'email', 'role', 'date_created'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pick<K extends string>(
	source: Record<string, unknown>,
	fields: readonly K[],
): Partial<Record<K, unknown>> {
	const out: Partial<Record<K, unknown>> = {};
	for (const field of fields) if (source[field] !== undefined) out[field] = source[field];
	return out;
}

/** The id of a listed user, or undefined when the record has none usable. */
export function userIdOf(raw: unknown): string | undefined {
	if (!isRecord(raw) || (typeof raw.id !== 'string' && typeof raw.id !== 'number'))
		return undefined;
	const id = String(raw.id);
	return id === '' || id.length > 128 ? undefined : id;
}

/** A listed user as an event shows it: known fields only, whatever else Exotel sends. */
export function toKnownUser(raw: Record<string, unknown>): KnownUser {
	const devices = (Array.isArray(raw.devices) ? raw.devices : [])
		.filter(isRecord)
		.filter((d) => typeof d.id === 'string' || typeof d.id === 'number')
		.map((d) => ({ id: d.id as string | number, ...pick(d, DEVICE_FIELDS) }) as KnownDevice);
	return { id: String(raw.id), ...(pick(raw, USER_FIELDS) as Partial<KnownUser>), devices };
}

export const sipDevices = (user: { devices: KnownDevice[] }): KnownDevice[] =>
	user.devices.filter((d) => d.type === 'sip');

/**
 * Users listed on a page, applied to the pass: each is marked seen by it, and the events it
 * brings are returned (none while the pass is the baseline). A user listed twice brings its
 * events once: the second copy finds them already in the state.
 */
export function applyListed(
	state: UsersState,
	listed: readonly unknown[],
	options: DiffOptions,
): UserEvent[] {
	const events: UserEvent[] = [];
	const mark = parity(state);
	for (const raw of listed) {
		const id = userIdOf(raw);
		if (id === undefined) continue;
		const user = toKnownUser(raw as Record<string, unknown>);
		const sip = sipDevices(user);
		const tokens = [...new Set(sip.map((d) => deviceToken(d.id)))];
		const before = Object.prototype.hasOwnProperty.call(state.users, id)
			? readFingerprint(state.users[id])
			: undefined;
		let announced = true;
		if (state.baseline) {
			// The account as it is: nothing to report.
		} else if (!before || !before.announced) {
			announced = !options.sipRequired || sip.length > 0;
			if (announced) events.push({ event: 'userAdded', user });
		} else {
			const known = new Set(before.sip);
			for (const device of sip) {
				const token = deviceToken(device.id);
				if (known.has(token)) continue;
				known.add(token);
				events.push({ event: 'sipDeviceAdded', user, device });
			}
		}
		state.users[id] = fingerprint({ mark, announced, sip: tokens });
	}
	return events;
}

/**
 * A user the pass did not see, whom Exotel confirmed gone: out of the state, with User Removed
 * unless User Added was never decided for them (nobody was told they came).
 */
export function applyRemoved(state: UsersState, id: string): UserEvent[] {
	const before = readFingerprint(state.users[id]);
	delete state.users[id];
	return before?.announced ? [{ event: 'userRemoved', user: { id } }] : [];
}

/** The newest user (by date_created, then by listing order), for the editor's test run. */
export function newestUser(
	listed: readonly unknown[],
	sipRequired: boolean,
): KnownUser | undefined {
	let newest: KnownUser | undefined;
	for (const raw of listed) {
		if (userIdOf(raw) === undefined) continue;
		const user = toKnownUser(raw as Record<string, unknown>);
		if (sipRequired && sipDevices(user).length === 0) continue;
		if (!newest || String(user.date_created ?? '') >= String(newest.date_created ?? ''))
			newest = user;
	}
	return newest;
}
