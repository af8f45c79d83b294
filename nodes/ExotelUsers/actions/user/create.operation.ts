import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	e164Problems,
	EMAIL_CODE_HINTS,
	emailProblems,
	nameProblems,
	NAME_DESCRIPTION_FIRST,
	NAME_DESCRIPTION_LAST,
	NAME_RULE,
	ROLES,
} from '../../helpers/userFields';
import { ItemInput } from '../../helpers/validation';
import { listDataOf } from '../../../shared/envelope';
import { modelFilled } from '../common/modelFilled';
import type { ItemScope } from '../router';

/**
 * Create a user.
 * POST /v2/accounts/{sid}/users  {first_name, last_name, email?, device_contact_uri?, role?, device_name?}
 * When the account has VoIP, Exotel creates a SIP device with the user; otherwise a phone
 * number (device_contact_uri) is required. Answers with the user and its devices.
 */
const properties: INodeProperties[] = [
	...modelFilled(
		{
			displayName: 'First Name',
			name: 'firstName',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. Asha',
			description: NAME_DESCRIPTION_FIRST,
			hint: NAME_RULE,
		},
		'First_Name',
	),
	...modelFilled(
		{
			displayName: 'Last Name',
			name: 'lastName',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. Rao',
			description: NAME_DESCRIPTION_LAST,
			hint: NAME_RULE,
		},
		'Last_Name',
	),
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Device Name',
				name: 'deviceName',
				type: 'string',
				default: '',
				placeholder: 'e.g. Asha mobile',
				description: 'A name for the phone device created with the user',
			},
			{
				displayName: 'Email',
				name: 'email',
				type: 'string',
				placeholder: 'e.g. name@email.com',
				default: '',
				description:
					'The user’s email, unique in the account. It can only be set once (here or by a later update), and makes a retried create safe.',
			},
			{
				displayName: 'Phone Number',
				name: 'deviceContactUri',
				type: 'string',
				default: '',
				placeholder: 'e.g. +919876543210',
				description:
					'A phone number in E.164 format for a telephone device. Required unless the account has VoIP enabled (then a SIP device is created).',
			},
			{
				displayName: 'Role',
				name: 'role',
				type: 'options',
				options: [
					{ name: 'Admin', value: 'admin' },
					{ name: 'Supervisor', value: 'supervisor' },
					{ name: 'User', value: 'user' },
				],
				default: 'user',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['create'] } },
	properties,
);

/** What to do after a failure that leaves open whether the user was created. */
const UNSURE_IF_CREATED =
	'It may or may not have created the user: check with Get Many before running it again. With an Email set, the node checks by itself before repeating a create.';

export async function execute({ context, itemIndex, client }: ItemScope): Promise<IDataObject> {
	const input = new ItemInput(context, itemIndex);
	const firstName = input.text(
		'firstName',
		'First Name',
		context.getNodeParameter('firstName', itemIndex, ''),
		nameProblems,
	);
	const lastName = input.text(
		'lastName',
		'Last Name',
		context.getNodeParameter('lastName', itemIndex, ''),
		nameProblems,
	);
	const extra = context.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const body: IDataObject = { first_name: firstName, last_name: lastName };
	if (extra.email) body.email = input.text('email', 'Email', extra.email, emailProblems);
	if (extra.deviceContactUri) {
		body.device_contact_uri = input.text(
			'deviceContactUri',
			'Phone Number',
			extra.deviceContactUri,
			e164Problems,
		);
	}
	if (extra.role) {
		input.check(
			'role',
			'Role',
			ROLES.includes(extra.role as (typeof ROLES)[number])
				? []
				: [`must be one of ${ROLES.join(', ')}`],
		);
		body.role = extra.role;
	}
	if (extra.deviceName)
		body.device_name = input.text('deviceName', 'Device Name', extra.deviceName, () => []);
	input.done();

	const email = typeof body.email === 'string' ? body.email : undefined;
	return await client.request(itemIndex, {
		method: 'POST',
		path: ['users'],
		body,
		// A create is not safe to repeat. If it failed without a clear answer, a user with this
		// email exists only if the create went through: then that user is the result.
		idempotent: false,
		hints: { codes: EMAIL_CODE_HINTS, unsure: UNSURE_IF_CREATED },
		recover: email
			? async () => {
					const lookup = await client.request(itemIndex, {
						method: 'GET',
						path: ['users'],
						qs: { email, fields: 'devices', limit: 1 },
						idempotent: true,
					});
					const [found] = listDataOf(lookup);
					if (!found) return undefined;
					return {
						...lookup,
						response: { code: 200, error_data: null, status: 'success', data: found },
						recovered: true,
					};
				}
			: undefined,
	});
}
