/**
 * The lock-out count: after a rotation and whatever recovery followed, compare what Exotel holds
 * (the sandbox's fingerprint per SIP device) with what each agent received (the local mailbox,
 * the truth of delivery; a mail to the IT desk counts for the agent it names). Deliver first,
 * then set: an agent is fine when Exotel still has their old password (never changed) or a
 * password that a mail carried to them or to the IT desk for them. Two numbers, both 0 when no
 * agent is locked out:
 *   - lockedOut: devices whose Exotel password was changed to one that no mail carried;
 *   - twoPasswords: devices for which two different passwords were mailed.
 * Also a watcher of the sandbox's password changes, to act (kill a process) at the k-th one.
 */
import type { ExotelSandbox, RecordedRequest, User } from '../sandbox/server';
import type { Mail } from '../smtp/mailbox';
import { loginIn } from './examples';

export interface LockoutCount {
	/** SIP devices in the account. */
	devices: number;
	/** Devices whose password Exotel changed. */
	changed: number;
	/** Devices with at least one mail carrying a login (to the agent or the IT desk). */
	mailed: number;
	/** Devices mailed a password that Exotel does not hold yet: the agent still uses the old one (not locked out). */
	pending: string[];
	/** `userId/deviceId` of devices whose Exotel password is one no mail carried. */
	lockedOut: string[];
	/** `userId/deviceId` of devices that were mailed two different passwords. */
	twoPasswords: string[];
	/** Mails with a login that names no device of the account. */
	unmatched: number;
	/** Mails without a login (the IT desk told of a refused mail). */
	notices: number;
}

/** Which device a mail hands a login for: the user it names (IT desk mails) or its recipient, and the device by SIP username. */
export function deviceOfMail(
	users: Iterable<User>,
	mail: Mail,
): { user: User; deviceId: string } | undefined {
	const login = loginIn(mail);
	if (!login) return undefined;
	const all = [...users];
	const user = login.userId
		? all.find((u) => u.id === login.userId)
		: all.find((u) => u.email !== null && mail.to.includes(u.email.toLowerCase()));
	const device = user?.devices.find((d) => d.contact_uri === `sip:${login.sipUsername}`);
	return user && device ? { user, deviceId: String(device.id) } : undefined;
}

/** The passwords mailed per device (`userId/deviceId`), in order; and the mails that matched none. */
export function passwordsMailed(
	users: Iterable<User>,
	mails: Mail[],
): { byDevice: Map<string, string[]>; unmatched: number; notices: number } {
	const all = [...users];
	const byDevice = new Map<string, string[]>();
	let unmatched = 0;
	let notices = 0;
	for (const mail of mails) {
		const login = loginIn(mail);
		if (!login) {
			notices++;
			continue;
		}
		const owner = deviceOfMail(all, mail);
		if (!owner) {
			unmatched++;
			continue;
		}
		const key = `${owner.user.id}/${owner.deviceId}`;
		byDevice.set(key, [...(byDevice.get(key) ?? []), login.password]);
	}
	return { byDevice, unmatched, notices };
}

export function countLockouts(sandbox: ExotelSandbox, mails: Mail[]): LockoutCount {
	const users = [...sandbox.users.values()];
	const devices = users.flatMap((u) =>
		u.devices.filter((d) => d.type === 'sip').map((d) => `${u.id}/${d.id}`),
	);
	const { byDevice, unmatched, notices } = passwordsMailed(users, mails);
	const lockedOut: string[] = [];
	const pending: string[] = [];
	let changed = 0;
	for (const key of devices) {
		const [userId, deviceId] = key.split('/');
		const held = sandbox.passwordOf(userId, deviceId);
		const mailed = (byDevice.get(key) ?? []).map((password) => sandbox.fingerprint(password));
		if (held !== undefined) changed++;
		// Unchanged: the agent keeps the password they have, whatever was mailed.
		if (held === undefined) {
			if (mailed.length > 0) pending.push(key);
			continue;
		}
		if (!mailed.includes(held)) lockedOut.push(key);
		else if (mailed.at(-1) !== held) pending.push(key);
	}
	const twoPasswords = [...byDevice]
		.filter(([, list]) => new Set(list).size > 1)
		.map(([key]) => key);
	return {
		devices: devices.length,
		changed,
		mailed: byDevice.size,
		pending,
		lockedOut,
		twoPasswords,
		unmatched,
		notices,
	};
}

/** Counts the password changes the sandbox accepted and fires actions at given counts (synchronously, from its request hook). */
export class PasswordChangeWatcher {
	count = 0;

	private readonly actions: Array<{ at: number; action: () => void }> = [];

	/** Give this to startSandbox's `onRequest`. */
	readonly onRequest = (request: RecordedRequest): void => {
		if (
			request.method !== 'PUT' ||
			request.segments.at(-1) !== 'password' ||
			request.status !== 200
		)
			return;
		this.count++;
		for (const entry of this.actions.filter((a) => a.at === this.count)) {
			this.actions.splice(this.actions.indexOf(entry), 1);
			entry.action();
		}
	};

	/** Runs `action` right after the `at`-th accepted change from now on (counts restart at 0). */
	at(at: number, action: () => void): void {
		this.count = 0;
		this.actions.length = 0;
		this.actions.push({ at, action });
	}
}
