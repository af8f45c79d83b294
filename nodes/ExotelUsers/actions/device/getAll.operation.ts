import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { ItemInput } from '../../helpers/validation';
import { devicesOf } from '../../../shared/userDirectory';
import { readUser, userLocators } from '../common/user';
import type { ItemScope } from '../router';

/**
 * Get a user's devices, one output item each. Exotel has no device list endpoint: the
 * devices come with the user (GET /v2/accounts/{sid}/users/{user_id}).
 */
const properties: INodeProperties[] = [
	...userLocators(),
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		options: [
			{ name: 'All', value: 'all' },
			{ name: 'SIP', value: 'sip', description: 'Softphones and SIP handsets' },
			{ name: 'Telephone', value: 'tel', description: 'Phone numbers' },
		],
		default: 'all',
		description: 'Only devices of this type',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['device'], operation: ['getAll'] } },
	properties,
);

export async function execute({ context, itemIndex, users }: ItemScope): Promise<IDataObject[]> {
	const input = new ItemInput(context, itemIndex);
	const user = readUser(context, itemIndex, input);
	const type = context.getNodeParameter('type', itemIndex, 'all') as string;
	input.done();
	const devices = devicesOf(await users.find(itemIndex, user));
	return devices.filter((device) => type === 'all' || device.type === type);
}
