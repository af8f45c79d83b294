import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	DEFAULT_GENERATED_LENGTH,
	generateSipPassword,
	MAX_GENERATED_LENGTH,
	MIN_GENERATED_LENGTH,
} from '../../helpers/passwordGenerator';
import { sipPasswordProblems } from '../../helpers/passwordPolicy';
import { ItemInput } from '../../helpers/validation';
import type { ExotelClient } from '../../transport/client';
import { findSipDeviceId, readUser, resolveUserId, userLocator } from '../common/user';

/**
 * Create or update a user's SIP password.
 * PUT /v2/accounts/{sid}/users/{user_id}/devices/{device_id}/password  {"password": "…"}
 * The user must have a SIP device. Exotel answers with its envelope; passwords are
 * write-only and never come back.
 */
const properties: INodeProperties[] = [
	userLocator,
	{
		displayName: 'Device ID',
		name: 'deviceId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 101',
		description: 'The ID of the user’s SIP device. Leave empty to use the user’s only SIP device.',
	},
	{
		displayName: 'Password',
		name: 'passwordMode',
		type: 'options',
		options: [
			{ name: 'Enter a Password', value: 'manual', description: 'Use the password given below' },
			{
				name: 'Generate a Password',
				value: 'generate',
				description: 'Create a strong random password and output it as sipPassword',
			},
		],
		default: 'manual',
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
		displayOptions: { show: { passwordMode: ['manual'] } },
	},
	{
		displayName: 'Password Length',
		name: 'passwordLength',
		type: 'number',
		typeOptions: { minValue: MIN_GENERATED_LENGTH, maxValue: MAX_GENERATED_LENGTH },
		default: DEFAULT_GENERATED_LENGTH,
		description:
			'The generated password is output as sipPassword for the next node to deliver. n8n stores execution data, so deliver it straight away and consider pruning execution data for this workflow.',
		displayOptions: { show: { passwordMode: ['generate'] } },
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['updateSipPassword'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number, client: ExotelClient): Promise<IDataObject> {
	const input = new ItemInput(this, itemIndex);
	const user = readUser(this, itemIndex, input);
	const rawDevice = this.getNodeParameter('deviceId', itemIndex, '');
	const deviceGiven = !(rawDevice === '' || rawDevice === null || (typeof rawDevice === 'string' && rawDevice.trim() === ''));
	const deviceId = deviceGiven ? input.id('deviceId', 'Device ID', rawDevice) : '';

	const generate = this.getNodeParameter('passwordMode', itemIndex, 'manual') === 'generate';
	let password = '';
	if (generate) {
		const length = this.getNodeParameter('passwordLength', itemIndex, DEFAULT_GENERATED_LENGTH);
		const valid = typeof length === 'number' && Number.isInteger(length) && length >= MIN_GENERATED_LENGTH && length <= MAX_GENERATED_LENGTH;
		input.check('passwordLength', 'Password Length', valid ? [] : [`must be a whole number from ${MIN_GENERATED_LENGTH} to ${MAX_GENERATED_LENGTH}`]);
		if (valid) password = generateSipPassword(length);
	} else {
		const given = this.getNodeParameter('password', itemIndex, '');
		if (typeof given !== 'string') {
			input.check('password', 'New SIP Password', [`must be text, got ${typeof given}`]);
		} else {
			const problems = sipPasswordProblems(given);
			input.check('password', 'New SIP Password', problems.length ? [`breaks Exotel’s password policy: ${problems.join('; ')}`] : []);
			password = given;
		}
	}
	input.done();

	const userId = await resolveUserId.call(this, itemIndex, client, user);
	const device = deviceGiven ? deviceId : await findSipDeviceId.call(this, itemIndex, client, userId);
	const envelope = await client.request(itemIndex, {
		method: 'PUT',
		path: ['users', userId, 'devices', device, 'password'],
		body: { password },
		secrets: [password],
		idempotent: true,
	});
	// Only a password the node made up is output: the user asked for it, and nobody else knows it.
	return generate ? { ...envelope, sipPassword: password } : envelope;
}
