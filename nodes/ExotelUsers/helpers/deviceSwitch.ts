/**
 * Set Active Device, planned before anything is sent. Exotel lets one device of a user be ON
 * (403/10810 for a second one) and refuses to turn on a device whose number is not verified
 * (409/10809). So the switch is: every other device that is on goes off first, then the
 * target goes on — and a target that cannot be turned on is refused before the others are
 * touched, so an agent is never left with no device on because of a check Exotel would fail.
 */

/** The fields of a device the plan reads (Exotel's Device model). */
export interface DeviceState {
	id: string | number;
	type?: unknown;
	name?: unknown;
	available?: unknown;
	verified?: unknown;
}

export type SwitchPlan<D extends DeviceState> =
	| {
			ok: true;
			target: D;
			/** Devices to turn off, in this order, before the target goes on. */
			turnOff: D[];
			/** false: the target is already the one device on; nothing is sent. */
			turnOn: boolean;
	  }
	| { ok: false; reason: 'not-found'; devices: D[] }
	| { ok: false; reason: 'unverified'; target: D };

export function planDeviceSwitch<D extends DeviceState>(
	devices: readonly D[],
	targetId: string | number,
): SwitchPlan<D> {
	const target = devices.find((d) => String(d.id) === String(targetId));
	if (!target) return { ok: false, reason: 'not-found', devices: [...devices] };
	const turnOff = devices.filter((d) => d !== target && d.available === true);
	const turnOn = target.available !== true;
	// Exotel's `verified: false` is the only sign it will refuse; an absent field is not one.
	if (turnOn && target.verified === false) return { ok: false, reason: 'unverified', target };
	return { ok: true, target, turnOff, turnOn };
}

/**
 * The user's devices after the switch: each device as Exotel last answered for it (a PUT
 * answers with the device), or with its new `available` when the answer carried none.
 */
export function devicesAfterSwitch<D extends DeviceState>(
	devices: readonly D[],
	changed: ReadonlyArray<{ id: string | number; available: boolean; answer?: D }>,
): D[] {
	return devices.map((device) => {
		const change = changed.filter((c) => String(c.id) === String(device.id)).at(-1);
		if (!change) return device;
		return change.answer && String(change.answer.id) === String(device.id)
			? change.answer
			: { ...device, available: change.available };
	});
}

/** The devices that are on (Exotel's `available: true`). */
export function devicesOn<D extends DeviceState>(devices: readonly D[]): D[] {
	return devices.filter((d) => d.available === true);
}

/**
 * What a switch that failed, lost an answer or was stopped left, judged from the devices read
 * back afterwards: the switch was made after all (the target is the one device on — a turn-on
 * whose answer was lost), the user is as before (the same devices on), no device is on (the
 * agent takes no calls), or something else (another change came in between).
 */
export type SwitchOutcome = 'switched' | 'as-before' | 'none-on' | 'other';

export function judgeSwitch(
	before: readonly DeviceState[],
	now: readonly DeviceState[],
	targetId: string | number,
): SwitchOutcome {
	const ids = (devices: readonly DeviceState[]) =>
		devicesOn(devices)
			.map((d) => String(d.id))
			.sort();
	const on = ids(now);
	if (on.length === 0) return 'none-on';
	if (on.length === 1 && on[0] === String(targetId)) return 'switched';
	return on.join() === ids(before).join() ? 'as-before' : 'other';
}
