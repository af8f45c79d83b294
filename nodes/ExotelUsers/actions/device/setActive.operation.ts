import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { dataOf } from '../../../shared/envelope';
import {
	devicesAfterSwitch,
	devicesOn,
	judgeSwitch,
	planDeviceSwitch,
	type DeviceState,
} from '../../helpers/deviceSwitch';
import { ItemInput } from '../../helpers/validation';
import { ExotelError, type ExotelClient } from '../../../shared/transport/client';
import { exotelErrorData } from '../../../shared/transport/errors';
import {
	describeDevice,
	DEVICE_DESCRIPTION,
	DEVICE_NOT_FOUND_HINTS,
	deviceLocator,
	readDevice,
} from '../common/device';
import { devicesOf } from '../../../shared/userDirectory';
import { readUser, userLocators } from '../common/user';
import { modelFilled } from '../common/modelFilled';
import { agentFields } from '../common/passwordRun';
import type { ItemScope, WithItemFields } from '../router';

/**
 * Set Active Device: make one device the user's device that takes calls. Exotel allows one
 * device of a user to be ON, so the other device that is on is turned off first
 * (PUT /users/{user_id}/devices/{device_id} {available: false}), then this one on
 * ({available: true}). A device already the only one on costs one GET and no change.
 *
 * A switch that fails, loses an answer or is stopped half-way is settled before the item
 * ends: the user's devices are read back, a device turned off is turned back on when none is
 * left on, and the error (or, when the switch was made after all, the output) says which
 * devices are on and which off.
 */
const properties: INodeProperties[] = [
	...userLocators(),
	...modelFilled(
		{
			...deviceLocator(false),
			description: `${DEVICE_DESCRIPTION}. It becomes the one device of the user that is on; the others are turned off.`,
		},
		'Device',
		DEVICE_DESCRIPTION,
	),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['device'], operation: ['setActive'] } },
	properties,
);

type Device = IDataObject & DeviceState;

const UNVERIFIED_HINT =
	'Exotel turns on only a verified device: its owner must first confirm the number (Exotel verifies a telephone device when its number is set). Verify it, then run again.';

/** Reading the devices back and turning one back on, after a failure or a Stop: at most this long. */
export const SETTLE_BUDGET_MS = 60_000;

export async function execute({
	context,
	itemIndex,
	client,
	users,
}: ItemScope): Promise<IDataObject> {
	const input = new ItemInput(context, itemIndex);
	const userRef = readUser(context, itemIndex, input);
	const deviceId = readDevice(context, itemIndex, input) ?? '';
	input.check('deviceId', 'Device', deviceId ? [] : ['is empty']);
	input.done();

	// The devices as they are now, not as an earlier item of this execution saw them.
	if (userRef.by === 'id') users.forget(userRef.id);
	let userId: string | undefined;
	let user: IDataObject;
	try {
		userId = await users.resolveId(itemIndex, userRef);
		user = await users.find(itemIndex, userRef.by === 'id' ? userRef : { by: 'id', id: userId });
	} catch (error) {
		// A Stop during the first read: nothing was changed, and the devices say so.
		const stopped = userId !== undefined && context.getExecutionCancelSignal?.()?.aborted === true;
		throw stopped ? await stoppedBeforeAnyChange(context, itemIndex, client, userId!) : error;
	}
	const devices = devicesOf(user) as Device[];
	const plan = planDeviceSwitch(devices, deviceId);
	if (!plan.ok) {
		if (plan.reason === 'not-found') {
			const found = devices.length ? devices.map(describeDevice).join(', ') : 'none';
			throw new NodeOperationError(
				context.getNode(),
				`Device ${deviceId} is not one of user ${userId}’s devices (devices: ${found})`,
				{
					itemIndex,
					description:
						'Nothing was changed. Pick one of the user’s devices (the list shows the chosen user’s devices).',
				},
			);
		}
		throw new NodeOperationError(
			context.getNode(),
			`Device ${describeDevice(plan.target)} is not verified, so Exotel will not turn it on`,
			{
				itemIndex,
				description: `Nothing was changed. ${UNVERIFIED_HINT}`,
			},
		);
	}

	const changed: Array<{ id: string | number; available: boolean; answer?: Device }> = [];
	const put = async (device: Device, available: boolean, signal?: AbortSignal) => {
		const envelope = await client.request(itemIndex, {
			method: 'PUT',
			path: ['users', userId, 'devices', String(device.id)],
			body: { available },
			idempotent: true,
			// Repeating one step alone is not the whole story: the error says what the switch left.
			hints: { codes: { ...DEVICE_NOT_FOUND_HINTS, '10809': UNVERIFIED_HINT }, repeat: '' },
			signal,
		});
		changed.push({ id: device.id, available, answer: dataOf(envelope) as Device | undefined });
	};

	const done = (after: Device[], extra: IDataObject = {}): IDataObject => ({
		// Whose device, in the words the next node needs (name, email, SIP username).
		...agentFields({ userId, deviceId: String(plan.target.id), user, device: plan.target }),
		device_type: String(plan.target.type ?? ''),
		changed: changed.length > 0,
		turned_off: plan.turnOff.map((d) => String(d.id)),
		devices: after,
		...extra,
	});

	try {
		for (const device of plan.turnOff) await put(device, false);
		if (plan.turnOn) await put(plan.target, true);
	} catch (error) {
		users.forget(userId);
		// Throws what the switch left, or gives the devices when it was made after all.
		return done(
			await settle(context, {
				itemIndex,
				client,
				userId,
				devices,
				target: plan.target,
				turnedOff: plan.turnOff,
				put,
				cause: error,
			}),
			{
				read_back: true,
			},
		);
	} finally {
		if (changed.length) users.forget(userId);
	}
	return done(devicesAfterSwitch(devices, changed));
}

interface Settling {
	itemIndex: number;
	client: ExotelClient;
	userId: string;
	/** The devices before the switch. */
	devices: Device[];
	target: Device;
	/** The devices that were on and were (to be) turned off. */
	turnedOff: Device[];
	put: (device: Device, available: boolean, signal?: AbortSignal) => Promise<void>;
	/** What stopped the switch: Exotel's error, a lost answer, or n8n's Stop. */
	cause: unknown;
}

/**
 * After a switch failed, lost an answer or was stopped: reads the devices back, turns the
 * device that was on back on when none is on, and throws an error that names the devices
 * on and off — or returns the devices when the switch was made after all (a turn-on whose
 * answer was lost). Runs after a Stop too, within SETTLE_BUDGET_MS.
 */
async function settle(context: IExecuteFunctions, run: Settling): Promise<Device[]> {
	const stopped = context.getExecutionCancelSignal?.()?.aborted === true;
	const budget = run.client.deadline(SETTLE_BUDGET_MS);
	let now: Device[] | undefined;
	let rollback: 'none' | 'done' | 'failed' = 'none';
	try {
		now = await readBack(run, budget.signal);
		const back = run.turnedOff[0];
		// Unread devices get the rollback too: it is harmless whatever they are (Exotel refuses a second device on, 403/10810).
		if (back && (!now || judgeSwitch(run.devices, now, run.target.id) === 'none-on')) {
			try {
				await run.put(back, true, budget.signal);
				rollback = 'done';
			} catch {
				rollback = 'failed';
			}
			// The rollback's answer may be lost too: the devices say what it did. Without them, a
			// rollback Exotel accepted says it all: it turns a device on only when no other one is.
			const alone = run.devices.map(
				(d) => ({ ...d, available: String(d.id) === String(back.id) }) as Device,
			);
			now = (await readBack(run, budget.signal)) ?? (rollback === 'done' ? alone : undefined);
		}
	} finally {
		budget.end();
	}

	const outcome = now && judgeSwitch(run.devices, now, run.target.id);
	if (outcome === 'switched' && now && !stopped) return now;

	const error = causeError(context, run, stopped);
	const state = now ? devicesText(now) : undefined;
	const turnedBack =
		rollback !== 'none' && outcome === 'as-before'
			? ` Device ${describeDevice(run.turnedOff[0])} was turned off and then back on.`
			: '';
	const hint = String(error.description ?? '');
	let final: NodeApiError | NodeOperationError = error;
	if (!now) {
		error.description = [
			`The devices could not be read back after this failure, so their state is unknown: device ${describeDevice(run.turnedOff[0] ?? run.target)} may be off and the agent may take no calls.`,
			'Check which device is on (Device → Get Many) before running again.',
			hint,
		]
			.filter(Boolean)
			.join(' ');
	} else if (outcome === 'none-on') {
		const on = run.turnedOff[0] ?? run.target;
		final = new NodeOperationError(
			context.getNode(),
			`No device of user ${run.userId} is on — the agent takes no calls`,
			{
				itemIndex: run.itemIndex,
				description: `Turn device ${describeDevice(on)} on: Device → Set Active Device with Device ${String(on.id)}. ${state} What went wrong: ${error.message}.${rollback === 'failed' ? ` Turning device ${String(on.id)} back on failed too.` : ''}`,
			},
		);
	} else if (outcome === 'switched') {
		error.description = `The switch was made before the Stop: ${state}`;
	} else {
		const asBefore = outcome === 'as-before' ? ' The user is as before.' : '';
		error.description = [`${state}${turnedBack}${asBefore}`, hint].filter(Boolean).join(' ');
	}
	(final as WithItemFields).itemFields = {
		user_id: run.userId,
		device_id: String(run.target.id),
		devices_on: now ? devicesOn(now).map((d) => String(d.id)) : null,
		devices: now ?? null,
	};
	if (stopped) logStop(context, run.userId, final);
	throw final;
}

/** After a Stop n8n has ended the execution and shows no error: its log says what was left. */
function logStop(
	context: IExecuteFunctions,
	userId: string,
	error: NodeApiError | NodeOperationError,
): void {
	context.logger?.warn(
		`Exotel Users: Set Active Device stopped for user ${userId}. ${error.description ?? ''}`,
	);
}

/** Stopped before any device was turned off or on: the error that says so, with the devices as they are. */
async function stoppedBeforeAnyChange(
	context: IExecuteFunctions,
	itemIndex: number,
	client: ExotelClient,
	userId: string,
): Promise<NodeOperationError> {
	const budget = client.deadline(SETTLE_BUDGET_MS);
	const now = await readBack({ itemIndex, client, userId }, budget.signal).finally(budget.end);
	const error = new NodeOperationError(
		context.getNode(),
		'Set Active Device was stopped before it finished',
		{
			itemIndex,
			description: `Nothing was changed: it stopped before turning any device on or off.${now ? ` ${devicesText(now)}` : ''}`,
		},
	);
	logStop(context, userId, error);
	return error;
}

/** The user's devices as Exotel holds them now; undefined when they cannot be read. */
async function readBack(
	run: Pick<Settling, 'itemIndex' | 'client' | 'userId'>,
	signal: AbortSignal,
): Promise<Device[] | undefined> {
	try {
		const envelope = await run.client.request(run.itemIndex, {
			method: 'GET',
			path: ['users', run.userId],
			idempotent: true,
			signal,
		});
		const user = dataOf(envelope);
		return user && Array.isArray(user.devices) ? (user.devices as Device[]) : undefined;
	} catch {
		return undefined;
	}
}

/** The error the item ends with: Exotel's, or one for a Stop or anything else. */
function causeError(
	context: IExecuteFunctions,
	run: Settling,
	stopped: boolean,
): NodeApiError | NodeOperationError {
	const { cause } = run;
	// A request the Stop cut short fails too ("cancelled"): the Stop is what the user should read.
	if (stopped)
		return new NodeOperationError(
			context.getNode(),
			'Set Active Device was stopped before it finished',
			{ itemIndex: run.itemIndex },
		);
	if (cause instanceof ExotelError) {
		const code = String(exotelErrorData(cause.envelope)?.code ?? '');
		if (code === '10809') {
			cause.message = `${cause.message}; device ${describeDevice(run.target)} is not verified`;
			cause.description = UNVERIFIED_HINT;
		}
		return cause;
	}
	if (cause instanceof NodeApiError || cause instanceof NodeOperationError) return cause;
	return new NodeOperationError(
		context.getNode(),
		`Set Active Device failed: ${(cause as Error)?.message ?? String(cause)}`,
		{ itemIndex: run.itemIndex },
	);
}

/** `On: 101 (sip, Asha softphone). Off: 102 (tel, Asha mobile).` */
export function devicesText(devices: Device[]): string {
	const list = (some: Device[]) => (some.length ? some.map(describeDevice).join(', ') : 'none');
	const on = devicesOn(devices);
	return `On: ${list(on)}. Off: ${list(devices.filter((d) => !on.includes(d)))}.`;
}
