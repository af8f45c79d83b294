import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { listDataOf, metadataOf } from '../helpers/envelope';
import { exotelApiRequest, MAX_PAGE_SIZE } from '../transport';

function label(user: IDataObject): string {
	const name = [user.first_name, user.last_name].filter(Boolean).join(' ');
	return user.email ? `${name} (${String(user.email)})` : name;
}

/**
 * The User field's "From List": the account's users a page at a time. Exotel filters by
 * exact email only, so a search with an @ asks Exotel; any other search matches names and
 * emails within the page.
 */
export async function searchUsers(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const offset = Number(paginationToken ?? 0) || 0;
	const search = filter?.trim() ?? '';
	const qs: IDataObject = { offset, limit: MAX_PAGE_SIZE };
	if (search.includes('@')) qs.email = search;
	const envelope = await exotelApiRequest.call(this, 0, { method: 'GET', path: ['users'], qs });
	const users = listDataOf(envelope);
	const needle = search.toLowerCase();
	const results = users
		.filter((user) => !needle || qs.email || label(user).toLowerCase().includes(needle))
		.map((user) => ({ name: label(user), value: String(user.id) }));
	const total = metadataOf(envelope)?.total ?? offset + users.length;
	const next = offset + users.length;
	return { results, paginationToken: users.length > 0 && next < total ? String(next) : undefined };
}
