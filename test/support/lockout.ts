/**
 * The lock-out suite's testbed (test/nodes/ExotelUsers/lockout*.test.ts): an account of USERS
 * agents, and its two counts against the sandbox — the truth of what Exotel holds —
 *   locked: agents whose Exotel password is not the last one handed on to them (an output item);
 *   doubled: agents handed two different passwords.
 * Both must be 0 in every row.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { seedUsers, type User } from '../../tools/dev/sandbox/server';
import { useTestbed } from './exotel';

export const USERS = 60;

/** Every password handed on, per device, in order (what a Send Email node after the node would mail). */
export class Deliveries {
	readonly byDevice = new Map<string, string[]>();

	add(output: INodeExecutionData[] | undefined): void {
		for (const { json } of output ?? []) {
			if (typeof json.sipPassword !== 'string') continue;
			const key = `${String(json.user_id)}/${String(json.device_id)}`;
			this.byDevice.set(key, [...(this.byDevice.get(key) ?? []), json.sipPassword]);
		}
	}
}

export const users = () => seedUsers(USERS);
export const rotation = (rotationId: string, extra: Record<string, unknown> = {}) => ({
	operation: 'rotateSipPasswords',
	scope: 'all',
	rotationId,
	...extra,
});

/** A testbed for a lock-out test file (see useTestbed), with the counts taken from its sandbox. */
export function useLockoutTestbed() {
	const bed = useTestbed({ users: seedUsers(USERS) });

	function count(
		users: User[],
		deliveries: Deliveries,
	): { locked: number; doubled: number; changed: number } {
		let locked = 0;
		let doubled = 0;
		let changed = 0;
		for (const user of users) {
			for (const device of user.devices.filter((d) => d.type === 'sip')) {
				const held = bed.sandbox.passwordOf(user.id, device.id);
				if (held === undefined) continue;
				changed++;
				const handed = deliveries.byDevice.get(`${user.id}/${device.id}`) ?? [];
				if (handed.length === 0 || bed.sandbox.fingerprint(handed[handed.length - 1]) !== held)
					locked++;
				if (new Set(handed).size > 1) doubled++;
			}
		}
		return { locked, doubled, changed };
	}

	const putCount = () => bed.sandbox.requests.filter((r) => r.method === 'PUT').length;

	return { bed, count, putCount };
}
