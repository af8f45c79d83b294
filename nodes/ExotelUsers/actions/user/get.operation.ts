import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { ItemInput } from '../../helpers/validation';
import type { ExotelClient } from '../../../shared/transport/client';
import { readUser, userLocators } from '../common/user';
import type { UserDirectory } from '../../../shared/userDirectory';

/**
 * Get a user, with their devices.
 * GET /v2/accounts/{sid}/users/{user_id} — or, by email, the list filtered by email with
 * the devices (one request either way).
 */
export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['get'] } }, userLocators());

export async function execute(this: IExecuteFunctions, itemIndex: number, _client: ExotelClient, users: UserDirectory): Promise<IDataObject> {
	const input = new ItemInput(this, itemIndex);
	const user = readUser(this, itemIndex, input);
	input.done();
	return await users.find(itemIndex, user);
}
