import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { contactUriProblems, emailProblems, splitList } from '../../helpers/userFields';
import { ItemInput } from '../../helpers/validation';
import { inVersions } from '../versions';
import type { ItemScope } from '../router';

/**
 * Get many users, one output item each.
 * GET /v2/accounts/{sid}/users?fields=&email=&devices.contact_uri=&offset=&limit=
 * Pages of at most 50; `metadata.total` says when the last page is reached.
 */
const paging: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

const include: INodeProperties = {
	displayName: 'Include',
	name: 'include',
	type: 'multiOptions',
	options: [
		{ name: 'Active Call', value: 'active_call' },
		{ name: 'Devices', value: 'devices' },
		{ name: 'Last Login', value: 'last_login' },
	],
	default: [],
	description: 'Extra details to include with each user; Exotel adds devices only when asked',
};

const filterOptions: INodeProperties[] = [
	{
		displayName: 'Device Contact URIs',
		name: 'contactUris',
		type: 'string',
		default: '',
		placeholder: 'e.g. +919876543210, sip:asharao101',
		description:
			'Only users with a device of one of these numbers or SIP URIs, comma-separated: E.164 numbers (+ and the country code, e.g. +919876543210) or sip: URIs (e.g. sip:asharao101).',
	},
	{
		displayName: 'Emails',
		name: 'emails',
		type: 'string',
		default: '',
		placeholder: 'e.g. name@email.com, other@email.com',
		description:
			'Only users with one of these exact email addresses, comma-separated, e.g. asha.rao@example.com, vikram.iyer@example.com',
	},
];

const filters: INodeProperties = {
	displayName: 'Filters',
	name: 'filters',
	type: 'collection',
	placeholder: 'Add Filter',
	default: {},
	options: filterOptions,
};

const properties: INodeProperties[] = [
	...paging,
	// Version 1 kept Include among the filters, where it is easy to miss; from version 2 it is its own option.
	inVersions([1], { ...filters, options: [...filterOptions, { ...include, name: 'fields' }] }),
	inVersions([2], filters),
	inVersions([2], include),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['getAll'] } },
	properties,
);

export async function execute({ context, itemIndex, client }: ItemScope): Promise<IDataObject[]> {
	const input = new ItemInput(context, itemIndex);
	const returnAll = context.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll
		? Number.POSITIVE_INFINITY
		: (context.getNodeParameter('limit', itemIndex, 50) as number);
	const filterValues = context.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const qs: IDataObject = {};

	const emails = splitList(String(filterValues.emails ?? ''));
	input.check(
		'emails',
		'Emails',
		emails.flatMap((e) => emailProblems(e).map((p) => `"${e}" ${p}`)),
	);
	if (emails.length) qs.email = emails.join(',');

	const uris = splitList(String(filterValues.contactUris ?? ''));
	input.check(
		'contactUris',
		'Device Contact URIs',
		uris.flatMap((u) => contactUriProblems(u).map((p) => `"${u}" ${p}`)),
	);
	if (uris.length) qs['devices.contact_uri'] = uris.join(',');

	// Version 1 has Include among the filters; version 2 has it of its own.
	const include = context.getNodeParameter('include', itemIndex, null) as string[] | null;
	const fields = include ?? (filterValues.fields as string[] | undefined) ?? [];
	if (fields.length) qs.fields = fields.join(',');
	if (!returnAll)
		input.check(
			'limit',
			'Limit',
			Number.isInteger(limit) && limit >= 1 ? [] : ['must be a whole number of at least 1'],
		);
	input.done();

	return await client.requestAllPages(itemIndex, { path: ['users'], qs }, limit);
}
