import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	DEFAULT_GENERATED_LENGTH,
	generateSipPassword,
	MAX_GENERATED_LENGTH,
	MIN_GENERATED_LENGTH,
} from '../../helpers/passwordGenerator';
import { exotelPolicyProblems, nodeRuleProblems, PASSWORD_RULES_HINT } from '../../helpers/passwordPolicy';
import { runsAsTool } from '../../helpers/tool';
import { ItemInput } from '../../helpers/validation';
import type { ExotelClient } from '../../transport/client';
import { DEVICE_DESCRIPTION, DEVICE_NOT_FOUND_HINTS, deviceLocator, LEAVE_EMPTY_HINT, readDevice } from '../common/device';
import { onlySipDevice, readUser, userLocators, type UserDirectory } from '../common/user';
import { modelFilled } from '../common/modelFilled';
import { inVersions } from '../versions';

/**
 * Create or update a user's SIP password.
 * PUT /v2/accounts/{sid}/users/{user_id}/devices/{device_id}/password  {"password": "…"}
 * The user must have a SIP device. Exotel answers with its envelope; passwords are
 * write-only and never come back.
 */
const passwordModes: INodeProperties = {
	displayName: 'Password',
	name: 'passwordMode',
	type: 'options',
	options: [
		{
			name: 'Enter a Password',
			value: 'manual',
			description: 'Use the password given below, best as an expression from a previous node',
		},
		{
			name: 'Generate a Password',
			value: 'generate',
			description: 'Create a strong random password and output it as sipPassword',
		},
	],
	default: 'generate',
	description: 'Whether to generate the new password or take the one given below',
};

const properties: INodeProperties[] = [
	...userLocators(),
	inVersions([1], {
		displayName: 'Device ID',
		name: 'deviceId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 101',
		description: `${DEVICE_DESCRIPTION}. Leave empty to use the user’s only SIP device.`,
		hint: LEAVE_EMPTY_HINT,
	}),
	...modelFilled(
		inVersions([2], deviceLocator(true)),
		'Device',
		'The id of the user’s SIP device, a whole number such as 101. An empty string uses the user’s only SIP device, which is almost always right.',
	),
	// Version 1 entered a password by default; version 2 generates one, so nothing secret need be typed into the workflow.
	inVersions([1], { ...passwordModes, default: 'manual' }),
	inVersions([2], passwordModes),
	{
		displayName:
			'A password typed into New SIP Password is saved in the workflow in clear text, in every saved version. Use Generate a Password, or an expression that takes it from a previous node, e.g. {{ $json.password }}.',
		name: 'typedPasswordNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { passwordMode: ['manual'] } },
	},
	...modelFilled(
		{
			displayName: 'New SIP Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The new SIP password: at least 8 characters using at least 3 of lower case, upper case, digits and special characters, with no space at either end, e.g. Blue-Kite-42',
			hint: PASSWORD_RULES_HINT,
			displayOptions: { show: { passwordMode: ['manual'] } },
		},
		'New_SIP_Password',
		'The new SIP password the user chose: at least 8 characters using at least 3 of lower case, upper case, digits and special characters, with no space at either end, e.g. Blue-Kite-42. Use the one the user gave; never make one up.',
	),
	{
		displayName: 'Password Length',
		name: 'passwordLength',
		type: 'number',
		typeOptions: { minValue: MIN_GENERATED_LENGTH, maxValue: MAX_GENERATED_LENGTH },
		default: DEFAULT_GENERATED_LENGTH,
		description: `How many characters the generated password has, ${MIN_GENERATED_LENGTH} to ${MAX_GENERATED_LENGTH} (${DEFAULT_GENERATED_LENGTH} if unsure)`,
		hint: `${MIN_GENERATED_LENGTH} to ${MAX_GENERATED_LENGTH} characters. The new password is output as sipPassword for the next node to deliver; n8n keeps it in the execution data, so deliver it at once.`,
		displayOptions: { show: { passwordMode: ['generate'] } },
	},
	{
		displayName: 'Return Password to the AI Model',
		name: 'returnPasswordToModel',
		type: 'boolean',
		default: false,
		description:
			'Whether the tool’s answer to the AI model includes the generated password (sipPassword). Off: the password is set and withheld from the model, so it never reaches the model’s provider or the chat; the user must get it another way.',
		displayOptions: { show: { passwordMode: ['generate'], '@tool': [true] } },
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['updateSipPassword'] } },
	properties,
);

/** What the tool tells the AI model in place of a password it withholds. */
export const PASSWORD_WITHHELD =
	'A new SIP password was generated and set. It is not returned to the AI model (the workflow’s Return Password to the AI Model option is off): do not make one up; the user gets it another way.';

export async function execute(this: IExecuteFunctions, itemIndex: number, client: ExotelClient, users: UserDirectory): Promise<IDataObject> {
	const input = new ItemInput(this, itemIndex);
	const user = readUser(this, itemIndex, input);
	const deviceId = readDevice(this, itemIndex, input);

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
			const exotel = exotelPolicyProblems(given);
			const own = nodeRuleProblems(given);
			input.check('password', 'New SIP Password', [
				...(exotel.length ? [`breaks Exotel’s password policy: ${exotel.join('; ')}`] : []),
				...(own.length ? [`breaks this node’s own rule against white space at either end: ${own.join('; ')}`] : []),
			]);
			password = given;
		}
	}
	input.done();

	// With the device given: the user's id is enough (By ID: no lookup at all). Without it: the
	// user with their devices — by email, the lookup brings them; by id, one GET.
	let userId: string;
	let device: string;
	if (deviceId !== undefined) {
		userId = await users.resolveId(itemIndex, user);
		device = deviceId;
	} else {
		const found = await users.find(itemIndex, user);
		userId = String(found.id);
		device = String(onlySipDevice.call(this, itemIndex, found).id);
	}
	const envelope = await client.request(itemIndex, {
		method: 'PUT',
		path: ['users', userId, 'devices', device, 'password'],
		body: { password },
		secrets: [password],
		idempotent: true,
		hints: { codes: DEVICE_NOT_FOUND_HINTS },
	});
	// A password is set only on a SIP device: Exotel refuses any other.
	const result: IDataObject = { ...envelope, user_id: userId, device_id: device, device_type: 'sip' };
	if (!generate) return result;
	// Only a password the node made up is output: the user asked for it, and nobody else knows it.
	// As an AI Agent tool, the output goes to the model (and its provider): only if the author says so.
	if (runsAsTool(this.getNode().type) && this.getNodeParameter('returnPasswordToModel', itemIndex, false) !== true) {
		return { ...result, passwordReturned: false, note: PASSWORD_WITHHELD };
	}
	return { ...result, sipPassword: password };
}
