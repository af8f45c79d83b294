import type { IDataObject } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { ItemInput } from '../../helpers/validation';
import { readUser, userLocators } from '../common/user';
import type { ItemScope } from '../router';

/**
 * Get a user, with their devices.
 * GET /v2/accounts/{sid}/users/{user_id} — or, by email, the list filtered by email with
 * the devices (one request either way).
 */
export const description = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['get'] } },
	userLocators(),
);

export async function execute({ context, itemIndex, users }: ItemScope): Promise<IDataObject> {
	const input = new ItemInput(context, itemIndex);
	const user = readUser(context, itemIndex, input);
	input.done();
	return await users.find(itemIndex, user);
}
