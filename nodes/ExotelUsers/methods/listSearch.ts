import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { walkPages } from '../../shared/envelope';
import { checkId } from '../../shared/ids';
import {
	emailSpellings,
	hasEmail,
	EXACT_EMAIL_LIMIT,
	readToken,
	userLabel,
	userMatchesSearch,
} from '../../shared/userSearch';
import { devicesOf, UserDirectory } from '../../shared/userDirectory';
import { isEmail } from '../helpers/userFields';
import { ExotelClient, PICKER_SETTINGS } from '../../shared/transport/client';
import type { ProcessPacing } from '../../shared/transport/pacing/processPacing';

/**
 * n8n's editor asks for the next answer only when the list is scrolled to its end, so an
 * answer must hold matches when any exist, and enough of them to scroll.
 */
export const SCREENFUL = 20;

/** The most pages one answer reads (1,000 users), so a search never ties up the account's rate limit for long. */
export const MAX_PAGES_PER_ANSWER = 20;

type ListSearch = (
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
) => Promise<INodeListSearchResult>;

/**
 * A person is waiting: the client has the picker's short settings, and its requests count in
 * the account's window without waiting in it; the directory reads at most MAX_PAGES_PER_ANSWER
 * pages per answer, which bounds them.
 */
async function withPickerDirectory<T>(
	context: ILoadOptionsFunctions,
	processPacing: ProcessPacing,
	use: (users: UserDirectory) => Promise<T>,
): Promise<T> {
	const client = new ExotelClient(context, PICKER_SETTINGS, processPacing);
	try {
		return await use(new UserDirectory(client, context.getNode(), MAX_PAGES_PER_ANSWER));
	} finally {
		client.close();
	}
}

const toResult = (user: IDataObject): INodeListSearchItems => ({
	name: userLabel(user),
	value: String(user.id),
});

/**
 * The User field's "From List": the account's users, searched by name and email without
 * regard to case, over the whole account. An answer reads pages until it has a screenful of
 * matches, reaches the end, or has read MAX_PAGES_PER_ANSWER pages; its token is where it
 * stopped. A complete address is first asked of Exotel's own email filter (one request).
 */
export function searchUsersWith(processPacing: ProcessPacing): ListSearch {
	return async function searchUsers(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	) {
		return await withPickerDirectory(
			this,
			processPacing,
			async (users) => await searchUsersIn(users, filter, paginationToken),
		);
	};
}

async function searchUsersIn(
	users: UserDirectory,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const search = filter?.trim() ?? '';
	const offset = readToken(paginationToken);
	const list = users.list(0);

	if (offset === 0 && search && isEmail(search)) {
		const exact = await list({
			email: emailSpellings(search).join(','),
			offset: 0,
			limit: EXACT_EMAIL_LIMIT,
		});
		const found = exact.records.filter((user) => hasEmail(user, search));
		if (found.length > 0) return { results: found.map(toResult) };
	}

	const walk = await walkPages(
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
		results.push({
			name: `Searched ${walk.nextOffset}${of} users so far: scroll down to search on`,
			value: '',
		});
	}
	return {
		results,
		paginationToken: walk.nextOffset !== undefined ? String(walk.nextOffset) : undefined,
	};
}

function deviceLabel(device: IDataObject, owner: IDataObject): string {
	const type =
		device.type === 'sip' ? 'SIP' : device.type === 'tel' ? 'Telephone' : String(device.type);
	const details = [type, device.contact_uri, device.available === true ? 'on' : undefined]
		.filter(Boolean)
		.join(', ');
	return `${String(device.name ?? device.id)} (${details}) · ${userLabel(owner)}`;
}

/**
 * The Device field's "From List": the devices of the user chosen in User. A device's name
 * shows its owner, so a device picked for an earlier user stands out after the user changes.
 */
export function searchDevicesWith(processPacing: ProcessPacing): ListSearch {
	return async function searchDevices(this: ILoadOptionsFunctions) {
		return await withPickerDirectory(
			this,
			processPacing,
			async (users) => await devicesOfChosenUser(this, users),
		);
	};
}

async function devicesOfChosenUser(
	context: ILoadOptionsFunctions,
	users: UserDirectory,
): Promise<INodeListSearchResult> {
	const locator = context.getCurrentNodeParameter('userId') as
		| { mode?: string; value?: unknown }
		| undefined;
	const value = typeof locator?.value === 'string' ? locator.value.trim() : '';
	if (!value) {
		throw new NodeOperationError(context.getNode(), 'Choose the user first', {
			description: 'The list shows the devices of the user chosen in User.',
		});
	}
	if (value.startsWith('=')) {
		throw new NodeOperationError(
			context.getNode(),
			'The device list needs a user chosen here, not an expression',
			{
				description:
					'With the user from an expression, give the device By ID, or leave Device empty for the user’s only SIP device.',
			},
		);
	}
	let owner: IDataObject;
	if (locator?.mode === 'email' || isEmail(value)) {
		owner = await users.byEmail(0, value);
	} else {
		// The same rule a run applies: an id that could leave its path segment is not sent.
		const id = checkId(value);
		if (!id.ok)
			throw new NodeOperationError(context.getNode(), `User ${id.problem}`, {
				description: 'Choose the user again, or give their email.',
			});
		owner = await users.byId(0, id.id);
	}
	let devices = devicesOf(owner);
	// A password can be set on a SIP device only: the others are not offered for one.
	if (context.getCurrentNodeParameter('operation') === 'updateSipPassword') {
		devices = devices.filter((device) => device.type === 'sip');
		if (devices.length === 0) {
			throw new NodeOperationError(context.getNode(), `${userLabel(owner)} has no SIP device`, {
				description:
					'A SIP password needs a SIP device. Exotel creates one with the user when the account has VoIP enabled.',
			});
		}
	}
	return {
		results: devices.map((device) => ({
			name: deviceLabel(device, owner),
			value: String(device.id),
		})),
	};
}
