/**
 * The lock-out count: after a rotation and whatever recovery followed, compare what Exotel holds
 * (the sandbox's fingerprint per SIP device) with what each agent received (the local mailbox,
 * the truth of delivery). Two numbers, both 0 when no agent is locked out:
 *   - stale: devices whose Exotel password is not the last one mailed for them (a changed
 *     password nobody received, or a mailed password Exotel does not hold);
 *   - twoPasswords: devices for which two different passwords were mailed.
 * Also a watcher of the sandbox's password changes, to act (kill a process) at the k-th one.
 */
import type { ExotelSandbox, RecordedRequest, User } from '../sandbox/server';
import type { Mail } from '../smtp/mailbox';
import { mailedLogin } from './examples';

export interface LockoutCount {
	/** SIP devices in the account. */
	devices: number;
	/** Devices whose password Exotel changed. */
	changed: number;
	/** Devices with at least one mail. */
	mailed: number;
	/** `userId/deviceId` of devices whose Exotel password is not the last one mailed. */
	stale: string[];
	/** `userId/deviceId` of devices that were mailed two different passwords. */
	twoPasswords: string[];
	/** Mails that name no device of the account. */
	unmatched: number;
}

/** Which device a mail hands a login for: the user it names (IT desk mails) or its recipient, and the device by SIP username. */
export function deviceOfMail(users: Iterable<User>, mail: Mail): { user: User; deviceId: string } | undefined {
	const login = mailedLogin(mail);
	const all = [...users];
	const user = login.userId
		? all.find((u) => u.id === login.userId)
		: all.find((u) => u.email !== null && mail.to.includes(u.email.toLowerCase()));
	const device = user?.devices.find((d) => d.contact_uri === `sip:${login.sipUsername}`);
	return user && device ? { user, deviceId: String(device.id) } : undefined;
}

export function countLockouts(sandbox: ExotelSandbox, mails: Mail[]): LockoutCount {
	const users = [...sandbox.users.values()];
	const devices = users.flatMap((u) => u.devices.filter((d) => d.type === 'sip').map((d) => `${u.id}/${d.id}`));
	const passwords = new Map<string, string[]>();
	let unmatched = 0;
	for (const mail of mails) {
		const owner = deviceOfMail(users, mail);
		if (!owner) {
			unmatched++;
			continue;
		}
		const key = `${owner.user.id}/${owner.deviceId}`;
		passwords.set(key, [...(passwords.get(key) ?? []), mailedLogin(mail).password]);
	}
	const stale: string[] = [];
	let changed = 0;
	for (const key of devices) {
		const [userId, deviceId] = key.split('/');
		const held = sandbox.passwordOf(userId, deviceId);
		if (held !== undefined) changed++;
		const last = passwords.get(key)?.at(-1);
		// Unchanged and never mailed: the agent keeps the password they have.
		if (held === undefined && last === undefined) continue;
		if (last === undefined || held !== sandbox.fingerprint(last)) stale.push(key);
	}
	const twoPasswords = [...passwords].filter(([, list]) => new Set(list).size > 1).map(([key]) => key);
	return { devices: devices.length, changed, mailed: passwords.size, stale, twoPasswords, unmatched };
}

/** Counts the password changes the sandbox accepted and fires actions at given counts (synchronously, from its request hook). */
export class PasswordChangeWatcher {
	count = 0;

	private readonly actions: Array<{ at: number; action: () => void }> = [];

	/** Give this to startSandbox's `onRequest`. */
	readonly onRequest = (request: RecordedRequest): void => {
		if (request.method !== 'PUT' || request.segments.at(-1) !== 'password' || request.status !== 200) return;
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
