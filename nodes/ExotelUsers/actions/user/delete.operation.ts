import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { ItemInput } from '../../helpers/validation';
import type { ExotelClient } from '../../transport/client';
import { readUser, resolveUserId, userLocator } from '../common/user';

/**
 * Delete a user. Irreversible: the user and their devices are gone.
 * DELETE /v2/accounts/{sid}/users/{user_id}
 */
export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['delete'] } }, [
	{ ...userLocator, description: 'The Exotel user to delete. This cannot be undone.' },
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, client: ExotelClient): Promise<IDataObject> {
	const input = new ItemInput(this, itemIndex);
	const user = readUser(this, itemIndex, input);
	input.done();
	return await client.request(itemIndex, {
		method: 'DELETE',
		path: ['users', await resolveUserId.call(this, itemIndex, client, user)],
		idempotent: true,
	});
}
