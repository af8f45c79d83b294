import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { listDataOf, metadataOf } from '../helpers/envelope';
import { ExotelClient, MAX_PAGE_SIZE, PICKER_SETTINGS } from '../transport/client';
import type { Transport } from '../transport/pacing';

function label(user: IDataObject): string {
	const name = [user.first_name, user.last_name].filter(Boolean).join(' ');
	return user.email ? `${name} (${String(user.email)})` : name;
}

type SearchUsers = (this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) => Promise<INodeListSearchResult>;

/**
 * The User field's "From List": the account's users a page at a time. Exotel filters by
 * exact email only, so a search with an @ asks Exotel; any other search matches names and
 * emails within the page. A person is waiting: the client has the picker's short settings,
 * and its requests count in the account's window without waiting in it.
 */
export function searchUsersWith(transport: Transport): SearchUsers {
	return async function searchUsers(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
		const offset = Number(paginationToken ?? 0) || 0;
		const search = filter?.trim() ?? '';
		const qs: IDataObject = { offset, limit: MAX_PAGE_SIZE };
		if (search.includes('@')) qs.email = search;
		const client = new ExotelClient(this, PICKER_SETTINGS, transport);
		let envelope: IDataObject;
		try {
			envelope = await client.request(0, { method: 'GET', path: ['users'], qs, idempotent: true });
		} finally {
			client.close();
		}
		const users = listDataOf(envelope);
		const needle = search.toLowerCase();
		const results = users
			.filter((user) => !needle || qs.email || label(user).toLowerCase().includes(needle))
			.map((user) => ({ name: label(user), value: String(user.id) }));
		const total = metadataOf(envelope)?.total ?? offset + users.length;
		const next = offset + users.length;
		return { results, paginationToken: users.length > 0 && next < total ? String(next) : undefined };
	};
}
