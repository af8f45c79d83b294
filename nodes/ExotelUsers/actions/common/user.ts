import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { dataOf, listDataOf, metadataOf } from '../../helpers/envelope';
import { emailProblems } from '../../helpers/userFields';
import type { ItemInput } from '../../helpers/validation';
import { describeDevice } from './device';
import { modelFilled } from './modelFilled';
import { findUsersByEmail, normalise, type ListUsers } from '../../helpers/userSearch';
import type { ExotelClient } from '../../transport/client';

/** Written for a person and for an AI model alike: what the value is, its format, an example. */
export const USER_DESCRIPTION =
	'The Exotel user: their email address (e.g. asha.rao@example.com) or their user ID, 32 hexadecimal characters (e.g. a3f1c2d4e5b60718293a4b5c6d7e8f90)';

/** What a By Email lookup does and costs, shown under the field. */
export const EMAIL_LOOKUP_HINT =
	'Looked up when the workflow runs, ignoring upper and lower case: 1 request when Exotel has the address as typed or in lower case; otherwise the node reads the account’s users, 1 request per 50 users';

/** The user an operation acts on: picked from a list, or given by ID or by email. */
export const userLocator: INodeProperties = {
	displayName: 'User',
	name: 'userId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: USER_DESCRIPTION,
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Search by name or email…',
			typeOptions: { searchListMethod: 'searchUsers', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. a3f1c2d4e5b60718293a4b5c6d7e8f90',
			hint: 'The user_id, as returned by Get or Get Many. An email address here is looked up as with By Email.',
		},
		{
			displayName: 'By Email',
			name: 'email',
			type: 'string',
			placeholder: 'e.g. asha.rao@example.com',
			hint: EMAIL_LOOKUP_HINT,
		},
	],
};

/** The User field, filled by the AI model when the node runs as a tool (see modelFilled). */
export function userLocators(description = USER_DESCRIPTION): INodeProperties[] {
	return modelFilled({ ...userLocator, description }, 'User', USER_DESCRIPTION);
}

export type UserRef = { by: 'id'; id: string } | { by: 'email'; email: string };

/**
 * Reads and checks the User field; reports problems through `input`. An email address in
 * By ID — what an AI model often has, or an expression that sometimes holds one — is
 * looked up as By Email: Exotel's user_ids are hexadecimal.
 */
export function readUser(context: IExecuteFunctions, itemIndex: number, input: ItemInput): UserRef {
	const locator = context.getNodeParameter('userId', itemIndex, {}) as { mode?: string; value?: unknown };
	const value = typeof locator.value === 'string' ? locator.value.trim() : locator.value;
	if (locator.mode === 'email' || (typeof value === 'string' && emailProblems(value).length === 0)) {
		const email = typeof value === 'string' ? value : '';
		const label = locator.mode === 'email' ? 'User (by email)' : 'User';
		input.check('userId', label, email ? emailProblems(email) : ['is empty']);
		return { by: 'email', email };
	}
	return { by: 'id', id: input.id('userId', 'User', locator.value) };
}

/** GET /users, a page at a time, through the execution's client. */
export function listUsersWith(client: ExotelClient, itemIndex: number): ListUsers {
	return async (qs) => {
		const envelope = await client.request(itemIndex, { method: 'GET', path: ['users'], qs, idempotent: true });
		return { users: listDataOf(envelope), total: metadataOf(envelope)?.total };
	};
}

export const userKey = (id: string) => `user:${id}`;
const emailKey = (email: string) => `email:${normalise(email)}`;

/**
 * The one user with this email, ignoring case, with their devices: one request when Exotel
 * holds the address as typed or in lower case, otherwise one per 50 users of the account.
 * None, or several, is the item's error. Remembered for the execution, by email and by id.
 */
export async function findUserByEmail(this: IExecuteFunctions, itemIndex: number, client: ExotelClient, email: string): Promise<IDataObject> {
	const user = await client.remember(emailKey(email), async () => {
		const matches = await findUsersByEmail(listUsersWith(client, itemIndex), email, 'devices');
		if (matches.length === 1) return matches[0];
		const message =
			matches.length === 0
				? `No Exotel user has the email ${email}`
				: `${matches.length} Exotel users have the email ${email} (ids ${matches.map((u) => u.id).join(', ')})`;
		throw new NodeOperationError(this.getNode(), message, {
			itemIndex,
			description:
				matches.length === 0
					? 'No user of this account has this address, in any capitals. Check the address, or that the credential points at the right account and region.'
					: 'Select the user by ID instead.',
		});
	});
	client.keep(userKey(String(user.id)), user);
	return user;
}

export async function resolveUserId(this: IExecuteFunctions, itemIndex: number, client: ExotelClient, user: UserRef): Promise<string> {
	if (user.by === 'id') return user.id;
	return String((await findUserByEmail.call(this, itemIndex, client, user.email)).id);
}

/** The user with their devices (GET /users/{user_id}), asked once per execution. */
export async function getUser(this: IExecuteFunctions, itemIndex: number, client: ExotelClient, userId: string): Promise<IDataObject> {
	return await client.remember(userKey(userId), async () => {
		const envelope = await client.request(itemIndex, { method: 'GET', path: ['users', userId], idempotent: true });
		return dataOf(envelope) ?? {};
	});
}

/**
 * The user with their devices, however the User field gave them: by email, the lookup
 * already brought the devices; by id, one GET (unless this execution asked already).
 */
export async function findUser(this: IExecuteFunctions, itemIndex: number, client: ExotelClient, user: UserRef): Promise<IDataObject> {
	if (user.by === 'email') return await findUserByEmail.call(this, itemIndex, client, user.email);
	return await getUser.call(this, itemIndex, client, user.id);
}

/** After a change to a user or their devices: later items of the execution ask Exotel again. */
export function forgetUser(client: ExotelClient, userId: string): void {
	client.forget((key, value) => key === userKey(userId) || (key.startsWith('email:') && (value as IDataObject | undefined)?.id === userId));
}

/** The user's devices, as Exotel lists them with the user. */
export function devicesOf(user: IDataObject): IDataObject[] {
	return Array.isArray(user.devices) ? (user.devices as IDataObject[]) : [];
}

/** The user's one SIP device; none, or several, is the item's error listing what was found. */
export function onlySipDevice(this: IExecuteFunctions, itemIndex: number, user: IDataObject): IDataObject {
	const devices = devicesOf(user);
	const sip = devices.filter((d) => d.type === 'sip');
	if (sip.length === 1) return sip[0];
	const userId = String(user.id);
	const found = devices.length ? devices.map(describeDevice).join(', ') : 'none';
	throw new NodeOperationError(
		this.getNode(),
		sip.length === 0
			? `User ${userId} has no SIP device (devices: ${found})`
			: `User ${userId} has ${sip.length} SIP devices (${sip.map(describeDevice).join(', ')}); pick one in Device`,
		{
			itemIndex,
			description:
				sip.length === 0
					? 'A SIP password needs a SIP device. Exotel creates one with the user when the account has VoIP enabled.'
					: 'Pick the SIP device whose password should change in the Device field (or give its ID).',
		},
	);
}
