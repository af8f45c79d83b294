import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	EMAIL_CODE_HINTS,
	emailProblems,
	nameProblems,
	NAME_DESCRIPTION_FIRST,
	NAME_DESCRIPTION_LAST,
	NAME_RULE,
} from '../../helpers/userFields';
import { ItemInput } from '../../helpers/validation';
import { readUser, userLocators } from '../common/user';
import type { ItemScope } from '../router';

/**
 * Update a user's name, or set their email.
 * PUT /v2/accounts/{sid}/users/{user_id}  {first_name?, last_name?, email?}
 * Exotel accepts an email only for a user who has none yet.
 */
const properties: INodeProperties[] = [
	...userLocators(),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Email',
				name: 'email',
				type: 'string',
				placeholder: 'e.g. name@email.com',
				default: '',
				description:
					'Only for a user who has no email yet: Exotel does not change an email once set',
			},
			{
				displayName: 'First Name',
				name: 'firstName',
				type: 'string',
				default: '',
				description: NAME_DESCRIPTION_FIRST,
				hint: NAME_RULE,
			},
			{
				displayName: 'Last Name',
				name: 'lastName',
				type: 'string',
				default: '',
				description: NAME_DESCRIPTION_LAST,
				hint: NAME_RULE,
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['update'] } },
	properties,
);

export async function execute({
	context,
	itemIndex,
	client,
	users,
}: ItemScope): Promise<IDataObject> {
	const input = new ItemInput(context, itemIndex);
	const user = readUser(context, itemIndex, input);
	const fields = context.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const body: IDataObject = {};
	if (fields.firstName)
		body.first_name = input.text('firstName', 'First Name', fields.firstName, nameProblems);
	if (fields.lastName)
		body.last_name = input.text('lastName', 'Last Name', fields.lastName, nameProblems);
	if (fields.email) body.email = input.text('email', 'Email', fields.email, emailProblems);
	input.check(
		'updateFields',
		'Update Fields',
		Object.keys(body).length ? [] : ['is empty: add First Name, Last Name or Email'],
	);
	input.done();

	const userId = await users.resolveId(itemIndex, user);
	const envelope = await client.request(itemIndex, {
		method: 'PUT',
		path: ['users', userId],
		body,
		idempotent: true,
		hints: {
			codes: {
				...EMAIL_CODE_HINTS,
				'1002':
					'Exotel sets an email only for a user who has none, and never changes one. If this user already has an email, leave Email out; otherwise correct the value Exotel names.',
			},
		},
	});
	users.forget(userId);
	return envelope;
}
