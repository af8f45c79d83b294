import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { ItemInput } from '../../helpers/validation';
import type { ExotelClient } from '../../transport/client';
import { getUser, readUser, resolveUserId, userLocator } from '../common/user';

/**
 * Get a user, with their devices.
 * GET /v2/accounts/{sid}/users/{user_id}
 */
export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['get'] } }, [userLocator]);

export async function execute(this: IExecuteFunctions, itemIndex: number, client: ExotelClient): Promise<IDataObject> {
	const input = new ItemInput(this, itemIndex);
	const user = readUser(this, itemIndex, input);
	input.done();
	return await getUser.call(this, itemIndex, client, await resolveUserId.call(this, itemIndex, client, user));
}
