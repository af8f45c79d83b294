import type { IDataObject } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { ItemInput } from '../../helpers/validation';
import { readUser, USER_DESCRIPTION, userLocators } from '../common/user';
import type { ItemScope } from '../router';

/**
 * Delete a user. Irreversible: the user and their devices are gone.
 * DELETE /v2/accounts/{sid}/users/{user_id}
 */
export const description = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['delete'] } },
	userLocators(
		`${USER_DESCRIPTION}. The user and their devices are deleted; this cannot be undone.`,
	),
);

export async function execute({
	context,
	itemIndex,
	client,
	users,
}: ItemScope): Promise<IDataObject> {
	const input = new ItemInput(context, itemIndex);
	const user = readUser(context, itemIndex, input);
	input.done();
	const userId = await users.resolveId(itemIndex, user);
	const envelope = await client.request(itemIndex, {
		method: 'DELETE',
		path: ['users', userId],
		idempotent: true,
	});
	users.forget(userId);
	return envelope;
}
