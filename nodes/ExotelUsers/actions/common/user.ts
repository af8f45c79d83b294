import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { devicesOf, type UserRef } from '../../../shared/userDirectory';
import { emailProblems, isEmail } from '../../helpers/userFields';
import type { ItemInput } from '../../helpers/validation';
import { describeDevice } from './device';
import { modelFilled } from './modelFilled';

/** Written for a person and for an AI model alike: what the value is, its format, an example. */
export const USER_DESCRIPTION =
	'The Exotel user: their email address (e.g. asha.rao@example.com) or their user ID, 32 hexadecimal characters (e.g. a3f1c2d4e5b60718293a4b5c6d7e8f90)';

/** What a By Email lookup does and costs, shown under the field. */
export const EMAIL_LOOKUP_HINT =
	'Looked up when the workflow runs, ignoring upper and lower case: 1 request when Exotel has the address as typed or in lower case; otherwise the node reads the account’s users, 1 request per 50 users. Many items share one read of the account when that takes fewer requests';

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
			hint: 'The user_id, as Get or Get Many return it — or Create, in response.data.id, e.g. {{ $json.response.data.id }}. An email address here is looked up as with By Email.',
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

/**
 * Reads and checks the User field; reports problems through `input`. An email address in
 * By ID — what an AI model often has, or an expression that sometimes holds one — is
 * looked up as By Email: Exotel's user_ids are hexadecimal.
 */
export function readUser(context: IExecuteFunctions, itemIndex: number, input: ItemInput): UserRef {
	const locator = context.getNodeParameter('userId', itemIndex, {}) as {
		mode?: string;
		value?: unknown;
	};
	const value = typeof locator.value === 'string' ? locator.value.trim() : locator.value;
	if (locator.mode === 'email' || (typeof value === 'string' && isEmail(value))) {
		const email = typeof value === 'string' ? value : '';
		const label = locator.mode === 'email' ? 'User (by email)' : 'User';
		input.check('userId', label, email ? emailProblems(email) : ['is empty']);
		return { by: 'email', email };
	}
	// A name typed where an id belongs would only come back as Exotel's "no such user".
	if (typeof value === 'string' && /^[\p{L}.'-]+( [\p{L}.'-]+)+$/u.test(value)) {
		input.check('userId', 'User', [
			`"${value}" looks like a name, not a user ID: choose By Email, or From List to search by name`,
		]);
		return { by: 'id', id: '' };
	}
	return { by: 'id', id: input.id('userId', 'User', locator.value) };
}

/** The user's one SIP device; none, or several, is the item's error listing what was found. */
export function onlySipDevice(
	this: IExecuteFunctions,
	itemIndex: number,
	user: IDataObject,
): IDataObject {
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
