import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { sipPasswordProblems } from '../../helpers/passwordPolicy';
import { ItemInput } from '../../helpers/validation';
import { exotelApiRequest } from '../../transport';

/**
 * Create or update a user's SIP password.
 * PUT /v2/accounts/{sid}/users/{user_id}/devices/{device_id}/password  {"password": "…"}
 * The user must have a SIP device. Exotel answers with its envelope; passwords are
 * write-only and never come back.
 */
const properties: INodeProperties[] = [
	{
		displayName: 'User',
		name: 'userId',
		type: 'resourceLocator',
		default: { mode: 'id', value: '' },
		required: true,
		description: 'The Exotel user whose SIP device gets the new password',
		modes: [
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 5f1a9c0e2b7d4e8f9a3b6c1d0e2f4a6b',
				hint: 'The user_id, as returned by Get user or Get many users',
			},
		],
	},
	{
		displayName: 'Device ID',
		name: 'deviceId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 101',
		description: 'The ID of the user’s SIP device (listed under the user’s devices)',
	},
	{
		displayName: 'New SIP Password',
		name: 'password',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		description:
			'At least 8 characters, using at least 3 of: lower case, upper case, digits, special characters. May be an expression, e.g. a password from a previous node.',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['updateSipPassword'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const input = new ItemInput(this, itemIndex);
	const userId = input.id('userId', 'User', this.getNodeParameter('userId', itemIndex, '', { extractValue: true }));
	const deviceId = input.id('deviceId', 'Device ID', this.getNodeParameter('deviceId', itemIndex, ''));
	const password = this.getNodeParameter('password', itemIndex, '');
	if (typeof password !== 'string') {
		input.check('password', 'New SIP Password', [`must be text, got ${typeof password}`]);
	} else {
		const problems = sipPasswordProblems(password);
		input.check('password', 'New SIP Password', problems.length ? [`breaks Exotel’s password policy: ${problems.join('; ')}`] : []);
	}
	input.done();

	return await exotelApiRequest.call(this, itemIndex, {
		method: 'PUT',
		path: ['users', userId, 'devices', deviceId, 'password'],
		body: { password: password as string },
		secrets: [password as string],
	});
}
