import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { e164Problems } from '../../helpers/userFields';
import { ItemInput } from '../../helpers/validation';
import type { ExotelClient } from '../../transport/client';
import { readUser, resolveUserId, userLocator } from '../common/user';

/**
 * Update a device: turn it on or off, or change a telephone device's number.
 * PUT /v2/accounts/{sid}/users/{user_id}/devices/{device_id}  {available?, contact_uri?}
 * Only one device of a user may be on. A changed number must be verified again.
 */
const properties: INodeProperties[] = [
	userLocator,
	{
		displayName: 'Device ID',
		name: 'deviceId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 102',
		description: 'The ID of the device (Device → Get Many lists a user’s devices)',
	},
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
					'Whether the device takes calls. Exotel allows only one device of a user to be on: turn the other one off first.',
			},
			{
				displayName: 'Phone Number',
				name: 'contactUri',
				type: 'string',
				default: '',
				placeholder: 'e.g. +919876543210',
				description: 'The new number of a telephone (tel) device, in E.164 format. It must be verified again.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['device'], operation: ['update'] } }, properties);

/** Exotel's codes for this request, with what to do about each. */
const DEVICE_CODE_HINTS = {
	'10810': 'Exotel allows only one device of a user to be ON. Turn the other device off first, then turn this one on.',
	'10817': 'Only a telephone (tel) device’s contact number can be changed.',
};

export async function execute(this: IExecuteFunctions, itemIndex: number, client: ExotelClient): Promise<IDataObject> {
	const input = new ItemInput(this, itemIndex);
	const user = readUser(this, itemIndex, input);
	const deviceId = input.id('deviceId', 'Device ID', this.getNodeParameter('deviceId', itemIndex, ''));
	const fields = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const body: IDataObject = {};
	if (fields.available !== undefined) {
		input.check('available', 'Available', typeof fields.available === 'boolean' ? [] : ['must be true or false']);
		body.available = fields.available;
	}
	if (fields.contactUri !== undefined) body.contact_uri = input.text('contactUri', 'Phone Number', fields.contactUri, e164Problems);
	input.check('updateFields', 'Update Fields', Object.keys(body).length ? [] : ['is empty: add Available or Phone Number']);
	input.done();

	return await client.request(itemIndex, {
		method: 'PUT',
		path: ['users', await resolveUserId.call(this, itemIndex, client, user), 'devices', deviceId],
		body,
		idempotent: true,
		hints: { codes: DEVICE_CODE_HINTS },
	});
}
