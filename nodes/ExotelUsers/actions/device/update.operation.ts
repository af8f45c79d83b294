import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { e164Problems } from '../../helpers/userFields';
import { ItemInput } from '../../helpers/validation';
import { exotelErrorData } from '../../../shared/transport/errors';
import { ExotelError } from '../../../shared/transport/client';
import { dataOf } from '../../../shared/envelope';
import {
	describeDevice,
	DEVICE_DESCRIPTION,
	DEVICE_NOT_FOUND_HINTS,
	deviceLocator,
	readDevice,
} from '../common/device';
import { devicesOf, type UserDirectory } from '../../../shared/userDirectory';
import { readUser, userLocators } from '../common/user';
import { modelFilled } from '../common/modelFilled';
import { inVersions } from '../versions';
import type { ItemScope } from '../router';

/**
 * Update a device: turn it on or off, or change a telephone device's number.
 * PUT /v2/accounts/{sid}/users/{user_id}/devices/{device_id}  {available?, contact_uri?}
 * Only one device of a user may be on. A changed number must be verified again.
 */
const properties: INodeProperties[] = [
	...userLocators(),
	inVersions([1], {
		displayName: 'Device ID',
		name: 'deviceId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 102',
		description: DEVICE_DESCRIPTION,
	}),
	...modelFilled(inVersions([2], deviceLocator(false)), 'Device'),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Available',
				name: 'available',
				type: 'boolean',
				default: true,
				description:
					'Whether the device takes calls (true turns it on, false off). Exotel allows only one device of a user to be on: turn the other one off first.',
			},
			{
				displayName: 'Phone Number',
				name: 'contactUri',
				type: 'string',
				default: '',
				placeholder: 'e.g. +919876543210',
				description:
					'The new phone number of a telephone (tel) device, in E.164 format: + and the country code, digits only, e.g. +919876543210. It must be verified again.',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['device'], operation: ['update'] } },
	properties,
);

/** Exotel's codes for this request, with what to do about each. */
const DEVICE_CODE_HINTS = {
	...DEVICE_NOT_FOUND_HINTS,
	'10810':
		'Exotel allows only one device of a user to be ON. Turn the other device off first, then turn this one on.',
	'10817': 'Only a telephone (tel) device’s contact number can be changed.',
};

export async function execute({
	context,
	itemIndex,
	client,
	users,
}: ItemScope): Promise<IDataObject> {
	const input = new ItemInput(context, itemIndex);
	const user = readUser(context, itemIndex, input);
	const deviceId = readDevice(context, itemIndex, input) ?? input.id('deviceId', 'Device', '');
	const fields = context.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const body: IDataObject = {};
	if (fields.available !== undefined) {
		input.check(
			'available',
			'Available',
			typeof fields.available === 'boolean' ? [] : ['must be true or false'],
		);
		body.available = fields.available;
	}
	if (fields.contactUri !== undefined)
		body.contact_uri = input.text('contactUri', 'Phone Number', fields.contactUri, e164Problems);
	input.check(
		'updateFields',
		'Update Fields',
		Object.keys(body).length ? [] : ['is empty: add Available or Phone Number'],
	);
	input.done();

	const userId = await users.resolveId(itemIndex, user);
	const sent = await client
		.request(itemIndex, {
			method: 'PUT',
			path: ['users', userId, 'devices', deviceId],
			body,
			idempotent: true,
			hints: { codes: DEVICE_CODE_HINTS },
		})
		.then(
			(answer) => ({ ok: true as const, envelope: answer }),
			(error: unknown) => ({ ok: false as const, error }),
		);
	users.forget(userId);
	if (!sent.ok) {
		if (
			sent.error instanceof ExotelError &&
			String(exotelErrorData(sent.error.envelope)?.code) === '10810'
		) {
			await nameTheDeviceOn(itemIndex, users, userId, deviceId, sent.error);
		}
		throw sent.error;
	}
	const envelope = sent.envelope;
	const changed = dataOf(envelope);
	return {
		...envelope,
		user_id: userId,
		device_id: deviceId,
		...(changed?.type ? { device_type: changed.type } : {}),
	};
}

/**
 * Exotel's 403/10810 says another device of the user is on, not which: one more request finds
 * it, and the error names it. If that lookup fails, the error stays as Exotel gave it.
 */
async function nameTheDeviceOn(
	itemIndex: number,
	users: UserDirectory,
	userId: string,
	deviceId: string,
	error: ExotelError,
): Promise<void> {
	let on: IDataObject[];
	try {
		users.forget(userId); // the state now, not what an earlier item saw
		on = devicesOf(await users.byId(itemIndex, userId)).filter(
			(d) => d.available === true && String(d.id) !== deviceId,
		);
	} catch {
		return;
	}
	if (on.length === 0) return;
	const named = on.map(describeDevice).join(', ');
	const verb = on.length === 1 ? 'is' : 'are';
	error.message = `${error.message}; device ${named} ${verb} on`;
	error.description = `Device ${named} ${verb} on, and Exotel allows only one device of a user to be on. Turn it off first (Device → Update, Available off), then turn this one on.`;
}
