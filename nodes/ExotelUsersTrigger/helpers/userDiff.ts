/**
 * What changed in an Exotel account between two polls: users added, users removed, SIP
 * devices added. Pure: the poll hands in the state it saved last time and the users it just
 * listed; it gets back the events and the state to save — both or neither (a poll that fails
 * saves nothing, so the next one diffs against the last good state).
 *
 * Exotel pages its user list by offset, so a listing taken while the account changes can
 * show a user twice (on two pages) or not at all (pushed across a page boundary): a user is
 * counted once by id, and a user who seems gone is only reported removed once the poll has
 * confirmed it (see `missingUsers`, `keep`).
 */

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
	/**
	 * Whether "User added" has been decided for this user (fired, or the user was there at the
	 * baseline). false: added without a SIP device while the trigger waits for one.
	 */
	announced: boolean;
}

/** The trigger's state in the node's static data. */
export interface UsersState {
	version: 1;
	/** Which account the state describes (a fingerprint, not the SID itself). */
	account: string;
	users: Record<string, KnownUser>;
}

export type EventName = 'userAdded' | 'userRemoved' | 'sipDeviceAdded';

export interface UserEvent {
	event: EventName;
	user: KnownUser;
	/** sipDeviceAdded: the new device. */
	device?: KnownDevice;
}

export interface DiffOptions {
	/** User added fires only once the user has a SIP device. */
	sipRequired: boolean;
	/** Ids missing from the listing that must not be reported removed yet (not confirmed gone). */
	keep?: readonly string[];
}

const DEVICE_FIELDS = ['name', 'type', 'contact_uri', 'available', 'verified', 'status'] as const;
const USER_FIELDS = ['first_name', 'last_name', 'email', 'role', 'date_created'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pick<K extends string>(source: Record<string, unknown>, fields: readonly K[]): Partial<Record<K, unknown>> {
	const out: Partial<Record<K, unknown>> = {};
	for (const field of fields) if (source[field] !== undefined) out[field] = source[field];
	return out;
}

/** A listed user as the trigger keeps it: known fields only, whatever else Exotel sends. */
export function toKnownUser(raw: Record<string, unknown>, announced: boolean): KnownUser {
	const devices = (Array.isArray(raw.devices) ? raw.devices : [])
		.filter(isRecord)
		.filter((d) => typeof d.id === 'string' || typeof d.id === 'number')
		.map((d) => ({ id: d.id as string | number, ...pick(d, DEVICE_FIELDS) }) as KnownDevice);
	return { id: String(raw.id), ...(pick(raw, USER_FIELDS) as Partial<KnownUser>), devices, announced };
}

export const sipDevices = (user: { devices: KnownDevice[] }): KnownDevice[] => user.devices.filter((d) => d.type === 'sip');

/**
 * The listing, one entry per user id, in the order first seen. A user listed twice (on two
 * pages of a changing account) keeps the later copy: it was read later.
 */
export function dedupeUsers(listed: readonly unknown[]): Map<string, Record<string, unknown>> {
	const users = new Map<string, Record<string, unknown>>();
	for (const raw of listed) {
		if (!isRecord(raw) || (typeof raw.id !== 'string' && typeof raw.id !== 'number') || String(raw.id) === '') continue;
		users.set(String(raw.id), raw);
	}
	return users;
}

/** Users of the last state that this listing does not show: removed, or skipped by a page shift. */
export function missingUsers(previous: UsersState, current: ReadonlyMap<string, unknown>): string[] {
	return Object.keys(previous.users).filter((id) => !current.has(id));
}

/** The first state: every user known and announced, nothing to report. */
export function baseline(account: string, current: ReadonlyMap<string, Record<string, unknown>>): UsersState {
	const users: Record<string, KnownUser> = {};
	for (const [id, raw] of current) users[id] = toKnownUser(raw, true);
	return { version: 1, account, users };
}

/**
 * The events between `previous` and `current`, and the state to save. Every event is in the
 * next state, so saving it means the event is never reported again; nothing is dropped from
 * the state without its event.
 */
export function diffUsers(
	previous: UsersState,
	current: ReadonlyMap<string, Record<string, unknown>>,
	options: DiffOptions,
): { events: UserEvent[]; next: UsersState } {
	const added: UserEvent[] = [];
	const sipAdded: UserEvent[] = [];
	const removed: UserEvent[] = [];
	const users: Record<string, KnownUser> = {};

	for (const [id, raw] of current) {
		const before = previous.users[id];
		const user = toKnownUser(raw, true);
		const ready = !options.sipRequired || sipDevices(user).length > 0;
		if (!before || !before.announced) {
			user.announced = ready;
			if (ready) added.push({ event: 'userAdded', user });
		} else {
			const known = new Set(sipDevices(before).map((d) => String(d.id)));
			for (const device of sipDevices(user)) {
				if (!known.has(String(device.id))) sipAdded.push({ event: 'sipDeviceAdded', user, device });
			}
		}
		users[id] = user;
	}

	const keep = new Set(options.keep ?? []);
	for (const [id, before] of Object.entries(previous.users)) {
		if (current.has(id)) continue;
		if (keep.has(id)) {
			users[id] = before;
			continue;
		}
		// A user never announced (waiting for a SIP device) leaves without an event: none said they came.
		if (before.announced) removed.push({ event: 'userRemoved', user: before });
	}

	return { events: [...added, ...sipAdded, ...removed], next: { version: 1, account: previous.account, users } };
}

/** The newest user (by date_created, then by listing order), for the editor's test run. */
export function newestUser(current: ReadonlyMap<string, Record<string, unknown>>, sipRequired: boolean): KnownUser | undefined {
	let newest: KnownUser | undefined;
	for (const raw of current.values()) {
		const user = toKnownUser(raw, true);
		if (sipRequired && sipDevices(user).length === 0) continue;
		if (!newest || String(user.date_created ?? '') >= String(newest.date_created ?? '')) newest = user;
	}
	return newest;
}
