import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { dataOf, listDataOf, metadataOf } from '../helpers/envelope';
import { emailProblems } from '../helpers/userFields';
import {
	emailSpellings,
	findUsersByEmail,
	hasEmail,
	EXACT_EMAIL_LIMIT,
	readToken,
	userLabel,
	userMatchesSearch,
	walkUsers,
	type ListUsers,
} from '../helpers/userSearch';
import { ExotelClient, PICKER_SETTINGS } from '../transport/client';
import type { Transport } from '../transport/pacing/registry';

/**
 * n8n's editor asks for the next answer only when the list is scrolled to its end, so an
 * answer must hold matches when any exist, and enough of them to scroll.
 */
export const SCREENFUL = 20;

/** The most pages one answer reads (1,000 users), so a search never ties up the account's rate limit for long. */
export const MAX_PAGES_PER_ANSWER = 20;

function listUsers(client: ExotelClient): ListUsers {
	return async (qs) => {
		const envelope = await client.request(0, { method: 'GET', path: ['users'], qs, idempotent: true });
		return { users: listDataOf(envelope), total: metadataOf(envelope)?.total };
	};
}

type ListSearch = (this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) => Promise<INodeListSearchResult>;

/**
 * A person is waiting: the client has the picker's short settings, and its requests count in
 * the account's window without waiting in it (the page limit per answer bounds them).
 */
async function withPickerClient<T>(context: ILoadOptionsFunctions, transport: Transport, use: (client: ExotelClient) => Promise<T>): Promise<T> {
	const client = new ExotelClient(context, PICKER_SETTINGS, transport);
	try {
		return await use(client);
	} finally {
		client.close();
	}
}

const toResult = (user: IDataObject): INodeListSearchItems => ({ name: userLabel(user), value: String(user.id) });

/**
 * The User field's "From List": the account's users, searched by name and email without
 * regard to case, over the whole account. An answer reads pages until it has a screenful of
 * matches, reaches the end, or has read MAX_PAGES_PER_ANSWER pages; its token is where it
 * stopped. A complete address is first asked of Exotel's own email filter (one request).
 */
export function searchUsersWith(transport: Transport): ListSearch {
	return async function searchUsers(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) {
		return await withPickerClient(this, transport, async (client) => await searchUsersIn(client, filter, paginationToken));
	};
}

async function searchUsersIn(client: ExotelClient, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const search = filter?.trim() ?? '';
	const offset = readToken(paginationToken);
	const list = listUsers(client);

	if (offset === 0 && search && emailProblems(search).length === 0) {
		const exact = await list({ email: emailSpellings(search).join(','), offset: 0, limit: EXACT_EMAIL_LIMIT });
		const found = exact.users.filter((user) => hasEmail(user, search));
		if (found.length > 0) return { results: found.map(toResult) };
	}

	const walk = await walkUsers(
		async (from, limit) => await list({ offset: from, limit }),
		(user) => userMatchesSearch(user, search),
		offset,
		{ enough: SCREENFUL, maxPages: MAX_PAGES_PER_ANSWER },
	);
	const results = walk.matches.map(toResult);
	if (walk.nextOffset !== undefined && results.length < SCREENFUL) {
		// Stopped by the page limit: a row that says so keeps the list scrollable, so the next
		// answer can be asked for. Choosing it leaves User empty.
		const of = walk.total !== undefined ? ` of ${walk.total}` : '';
		results.push({ name: `Searched ${walk.nextOffset}${of} users so far: scroll down to search on`, value: '' });
	}
	return { results, paginationToken: walk.nextOffset !== undefined ? String(walk.nextOffset) : undefined };
}

function deviceLabel(device: IDataObject, owner: IDataObject): string {
	const type = device.type === 'sip' ? 'SIP' : device.type === 'tel' ? 'Telephone' : String(device.type);
	const details = [type, device.contact_uri, device.available === true ? 'on' : undefined].filter(Boolean).join(', ');
	return `${String(device.name ?? device.id)} (${details}) · ${userLabel(owner)}`;
}

/**
 * The Device field's "From List": the devices of the user chosen in User. A device's name
 * shows its owner, so a device picked for an earlier user stands out after the user changes.
 */
export function searchDevicesWith(transport: Transport): ListSearch {
	return async function searchDevices(this: ILoadOptionsFunctions) {
		return await withPickerClient(this, transport, async (client) => await devicesOfChosenUser(this, client));
	};
}

async function devicesOfChosenUser(context: ILoadOptionsFunctions, client: ExotelClient): Promise<INodeListSearchResult> {
	const locator = context.getCurrentNodeParameter('userId') as { mode?: string; value?: unknown } | undefined;
	const value = typeof locator?.value === 'string' ? locator.value.trim() : '';
	if (!value) {
		throw new NodeOperationError(context.getNode(), 'Choose the user first', { description: 'The list shows the devices of the user chosen in User.' });
	}
	if (value.startsWith('=')) {
		throw new NodeOperationError(context.getNode(), 'The device list needs a user chosen here, not an expression', {
			description: 'With the user from an expression, give the device By ID, or leave Device empty for the user’s only SIP device.',
		});
	}
	let owner: IDataObject | undefined;
	if (locator?.mode === 'email' || value.includes('@')) {
		const found = await findUsersByEmail(listUsers(client), value, 'devices');
		if (found.length !== 1) {
			throw new NodeOperationError(context.getNode(), found.length ? `${found.length} users have the email ${value}` : `No Exotel user has the email ${value}`);
		}
		owner = found[0];
	} else {
		owner = dataOf(await client.request(0, { method: 'GET', path: ['users', value], idempotent: true })) ?? {};
	}
	const devices = (owner.devices as IDataObject[] | undefined) ?? [];
	return { results: devices.map((device) => ({ name: deviceLabel(device, owner), value: String(device.id) })) };
}
