import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { dataOf } from '../../helpers/envelope';
import { devicesAfterSwitch, planDeviceSwitch, type DeviceState } from '../../helpers/deviceSwitch';
import { ItemInput } from '../../helpers/validation';
import { ExotelError, type ExotelClient } from '../../transport/client';
import { exotelErrorData } from '../../transport/errors';
import { describeDevice, DEVICE_DESCRIPTION, DEVICE_NOT_FOUND_HINTS, deviceLocator, readDevice } from '../common/device';
import { devicesOf, readUser, userLocators, type UserDirectory } from '../common/user';
import { modelFilled } from '../common/modelFilled';
import { agentFields } from '../common/passwordWrite';

/**
 * Set Active Device: make one device the user's device that takes calls. Exotel allows one
 * device of a user to be ON, so the other device that is on is turned off first
 * (PUT /users/{user_id}/devices/{device_id} {available: false}), then this one on
 * ({available: true}). A device already the only one on costs one GET and no change.
 */
const properties: INodeProperties[] = [
	...userLocators(),
	...modelFilled(
		{ ...deviceLocator(false), description: `${DEVICE_DESCRIPTION}. It becomes the one device of the user that is on; the others are turned off.` },
		'Device',
		DEVICE_DESCRIPTION,
	),
];

export const description = updateDisplayOptions({ show: { resource: ['device'], operation: ['setActive'] } }, properties);

type Device = IDataObject & DeviceState;

const UNVERIFIED_HINT =
	'Exotel turns on only a verified device: its owner must first confirm the number (Exotel verifies a telephone device when its number is set). Verify it, then run again.';

export async function execute(this: IExecuteFunctions, itemIndex: number, client: ExotelClient, users: UserDirectory): Promise<IDataObject> {
	const input = new ItemInput(this, itemIndex);
	const userRef = readUser(this, itemIndex, input);
	const deviceId = readDevice(this, itemIndex, input) ?? '';
	input.check('deviceId', 'Device', deviceId ? [] : ['is empty']);
	input.done();

	// The devices as they are now, not as an earlier item of this execution saw them.
	if (userRef.by === 'id') users.forget(userRef.id);
	const userId = await users.resolveId(itemIndex, userRef);
	const user = await users.find(itemIndex, userRef.by === 'id' ? userRef : { by: 'id', id: userId });
	const devices = devicesOf(user) as Device[];
	const plan = planDeviceSwitch(devices, deviceId);
	if (!plan.ok) {
		if (plan.reason === 'not-found') {
			const found = devices.length ? devices.map(describeDevice).join(', ') : 'none';
			throw new NodeOperationError(this.getNode(), `Device ${deviceId} is not one of user ${userId}’s devices (devices: ${found})`, {
				itemIndex,
				description: 'Nothing was changed. Pick one of the user’s devices (the list shows the chosen user’s devices).',
			});
		}
		throw new NodeOperationError(this.getNode(), `Device ${describeDevice(plan.target)} is not verified, so Exotel will not turn it on`, {
			itemIndex,
			description: `Nothing was changed. ${UNVERIFIED_HINT}`,
		});
	}

	const changed: Array<{ id: string | number; available: boolean; answer?: Device }> = [];
	const put = async (device: Device, available: boolean) => {
		const envelope = await client.request(itemIndex, {
			method: 'PUT',
			path: ['users', userId, 'devices', String(device.id)],
			body: { available },
			idempotent: true,
			hints: { codes: { ...DEVICE_NOT_FOUND_HINTS, '10809': UNVERIFIED_HINT } },
		});
		changed.push({ id: device.id, available, answer: dataOf(envelope) as Device | undefined });
	};

	try {
		for (const device of plan.turnOff) await put(device, false);
		if (plan.turnOn) await put(plan.target, true);
	} catch (error) {
		users.forget(userId);
		throw await explainFailure(error, { devices, target: plan.target, changed, put });
	} finally {
		if (changed.length) users.forget(userId);
	}

	const after = devicesAfterSwitch(devices, changed);
	return {
		// Whose device, in the words the next node needs (name, email, SIP username).
		...agentFields({ userId, deviceId: String(plan.target.id), user, device: plan.target }),
		device_type: String(plan.target.type ?? ''),
		changed: changed.length > 0,
		turned_off: plan.turnOff.map((d) => String(d.id)),
		devices: after,
	};
}

/**
 * A failed switch: the error names the device, and says what state the user was left in. If
 * the target was refused after the others went off, they are turned back on (best effort), so
 * the agent is not left with no device taking calls.
 */
async function explainFailure(
	error: unknown,
	run: {
		devices: Device[];
		target: Device;
		changed: Array<{ id: string | number; available: boolean }>;
		put: (device: Device, available: boolean) => Promise<void>;
	},
): Promise<unknown> {
	if (!(error instanceof ExotelError)) return error;
	const code = String(exotelErrorData(error.envelope)?.code ?? '');
	const turnedOff = run.changed.filter((c) => !c.available);
	const failedOnTarget = turnedOff.length > 0 || code === '10809' || code === '10810';
	if (!failedOnTarget) return error;
	let restored = '';
	if (turnedOff.length > 0) {
		try {
			for (const off of turnedOff) {
				const device = run.devices.find((d) => String(d.id) === String(off.id));
				if (device) await run.put(device, true);
			}
			restored = ` Device ${turnedOff.map((d) => String(d.id)).join(', ')} was turned off and then back on: the user is as before.`;
		} catch {
			restored = ` Device ${turnedOff.map((d) => String(d.id)).join(', ')} was turned off and could not be turned back on: turn it on (Device → Update) or fix device ${String(run.target.id)} and run again.`;
		}
	}
	if (code === '10809') {
		error.message = `${error.message}; device ${describeDevice(run.target)} is not verified`;
		error.description = `${UNVERIFIED_HINT}${restored}`;
	} else if (restored) {
		error.description = `${error.description ?? ''}${restored}`;
	}
	return error;
}
