import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { dataOf } from '../../helpers/envelope';
import { emailProblems } from '../../helpers/userFields';
import type { ItemInput } from '../../helpers/validation';
import type { ExotelClient } from '../../transport/client';

/** The user an operation acts on: picked from a list, or given by ID or by email. */
export const userLocator: INodeProperties = {
	displayName: 'User',
	name: 'userId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The Exotel user',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a user…',
			typeOptions: { searchListMethod: 'searchUsers', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 5f1a9c0e2b7d4e8f9a3b6c1d0e2f4a6b',
			hint: 'The user_id, as returned by Get or Get Many',
		},
		{
			displayName: 'By Email',
			name: 'email',
			type: 'string',
			placeholder: 'e.g. asha.rao@example.com',
			hint: 'The user is looked up by this email when the workflow runs',
		},
	],
};

export type UserRef = { by: 'id'; id: string } | { by: 'email'; email: string };

/** Reads and checks the User field; reports problems through `input`. */
export function readUser(context: IExecuteFunctions, itemIndex: number, input: ItemInput): UserRef {
	const locator = context.getNodeParameter('userId', itemIndex, {}) as { mode?: string; value?: unknown };
	if (locator.mode === 'email') {
		const email = typeof locator.value === 'string' ? locator.value.trim() : '';
		input.check('userId', 'User (by email)', email ? emailProblems(email) : ['is empty']);
		return { by: 'email', email };
	}
	return { by: 'id', id: input.id('userId', 'User', locator.value) };
}

/** Finds the one user with this email; none, or several, is the item's error. */
export async function findUserByEmail(this: IExecuteFunctions, itemIndex: number, client: ExotelClient, email: string): Promise<IDataObject> {
	const matches = await client.requestAllPages(itemIndex, { path: ['users'], qs: { email } }, 10);
	if (matches.length === 1) return matches[0];
	const message =
		matches.length === 0
			? `No Exotel user has the email ${email}`
			: `${matches.length} Exotel users have the email ${email} (ids ${matches.map((u) => u.id).join(', ')})`;
	throw new NodeOperationError(this.getNode(), message, {
		itemIndex,
		description:
			matches.length === 0
				? 'Check the address (it must match exactly), or that the credential points at the right account and region.'
				: 'Select the user by ID instead.',
	});
}

export async function resolveUserId(this: IExecuteFunctions, itemIndex: number, client: ExotelClient, user: UserRef): Promise<string> {
	if (user.by === 'id') return user.id;
	return String((await findUserByEmail.call(this, itemIndex, client, user.email)).id);
}

/** The user with their devices (GET /users/{user_id}). */
export async function getUser(this: IExecuteFunctions, itemIndex: number, client: ExotelClient, userId: string): Promise<IDataObject> {
	const envelope = await client.request(itemIndex, { method: 'GET', path: ['users', userId], idempotent: true });
	return dataOf(envelope) ?? {};
}

function describeDevice(device: IDataObject): string {
	return `${String(device.id)} (${String(device.type)}${device.name ? `, ${String(device.name)}` : ''})`;
}

/** The user's one SIP device; none, or several, is the item's error listing what was found. */
export async function findSipDeviceId(this: IExecuteFunctions, itemIndex: number, client: ExotelClient, userId: string): Promise<string> {
	const devices = ((await getUser.call(this, itemIndex, client, userId)).devices as IDataObject[] | undefined) ?? [];
	const sip = devices.filter((d) => d.type === 'sip');
	if (sip.length === 1) return String(sip[0].id);
	const found = devices.length ? devices.map(describeDevice).join(', ') : 'none';
	throw new NodeOperationError(
		this.getNode(),
		sip.length === 0
			? `User ${userId} has no SIP device (devices: ${found})`
			: `User ${userId} has ${sip.length} SIP devices (${sip.map(describeDevice).join(', ')}); set Device ID to choose one`,
		{
			itemIndex,
			description:
				sip.length === 0
					? 'A SIP password needs a SIP device. Exotel creates one with the user when the account has VoIP enabled.'
					: 'Set the Device ID field to the SIP device whose password should change.',
		},
	);
}
