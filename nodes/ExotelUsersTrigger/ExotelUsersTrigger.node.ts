import { createHash } from 'node:crypto';
import type { IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { dataOf } from '../ExotelUsers/helpers/envelope';
import { readSendOptions } from '../ExotelUsers/transport/sendOptions';
import { baseUrlFor } from '../ExotelUsers/helpers/url';
import { ExotelClient } from '../ExotelUsers/transport/client';
import { transportFor, type Transport, type TransportSetup } from '../ExotelUsers/transport/pacing/registry';
import { pollCost, requestsPerPoll, type PollTime } from './helpers/pollCost';
import {
	baseline,
	dedupeUsers,
	diffUsers,
	missingUsers,
	newestUser,
	sipDevices,
	type EventName,
	type UserEvent,
	type UsersState,
} from './helpers/userDiff';

/** Where the trigger keeps its state in the node's static data. */
const STATE_KEY = 'exotelUsers';

const COST_NOTICE =
	'Each check reads every user of the account with their devices: 1 request per 50 users (e.g. 237 users: 5 requests). ' +
	'Exotel allows 50 user-management requests a minute per account, shared by every workflow that uses it: keep this trigger under a tenth of that ' +
	'(5 requests a minute) — every minute up to 250 users, every 2 minutes up to 500, every 10 minutes up to 2,500.';

const EVERY_MINUTE_WARNING =
	'Polling every minute costs 1 request per 50 users each minute: above 250 users that is more than a tenth of Exotel’s 50 requests a minute for the account, ' +
	'and the workflows that act on users get fewer. Poll less often for a large account (the note above gives the intervals).';

type Client = ExotelClient;
type ClientContext = ConstructorParameters<typeof ExotelClient>[0];

export class ExotelUsersTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Exotel Users Trigger',
		name: 'exotelUsersTrigger',
		icon: { light: 'file:../ExotelUsers/exotel.svg', dark: 'file:../ExotelUsers/exotel.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).join(", ") }}',
		// n8n's nodes panel merges a node named X and its trigger XTrigger into one app shown with the
		// trigger's description: it leads with the action node's own, then says what this one adds.
		description:
			'Reset SIP passwords and manage Exotel users (agents) and their devices, and start workflows when a user is added or removed or gets a new SIP device',
		defaults: { name: 'Exotel Users Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'exotelUsersApi', required: true }],
		hints: [
			{
				message: EVERY_MINUTE_WARNING,
				type: 'warning',
				location: 'ndv',
				whenToDisplay: 'always',
				displayCondition: '={{ JSON.stringify($parameter["pollTimes"] || {}).includes("everyMinute") }}',
			},
		],
		properties: [
			{
				displayName: COST_NOTICE,
				name: 'pollCostNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: ['userAdded'],
				options: [
					{
						name: 'SIP Device Added',
						value: 'sipDeviceAdded',
						description: 'A user who was already there gets a new SIP device (one item per device)',
					},
					{ name: 'User Added', value: 'userAdded', description: 'A user was added, e.g. a co-worker in the Exotel dashboard, with their devices' },
					{ name: 'User Removed', value: 'userRemoved', description: 'A user was deleted; the item is the user as last seen' },
				],
				description:
					'What starts the workflow. The first activation only records the account as it is: users already there start nothing. A test run returns the newest user.',
			},
			{
				displayName: 'Only When a SIP Device Exists',
				name: 'sipDeviceRequired',
				type: 'boolean',
				default: false,
				displayOptions: { show: { events: ['userAdded'] } },
				description:
					'Whether User Added waits until the new user has a SIP device (then it fires once, when the device appears) — for workflows that set a SIP password',
			},
		],
	};

	poll: (this: IPollFunctions) => Promise<INodeExecutionData[][] | null>;

	/**
	 * n8n creates the node with no argument: Exotel's minute, the system clock and the
	 * process's shared window per account — the same window as the Exotel Users node's —
	 * and the action node's default retries. Tests pass a scaled window and faster retries.
	 */
	constructor(setup: TransportSetup = {}, send: IDataObject = {}) {
		const transport = transportFor(setup);
		const settings = readSendOptions(send);
		this.poll = async function (this: IPollFunctions) {
			return await pollAccount.call(this, transport, settings);
		};
	}
}

async function pollAccount(this: IPollFunctions, transport: Transport, settings: ReturnType<typeof readSendOptions>): Promise<INodeExecutionData[][] | null> {
	const wanted = new Set(this.getNodeParameter('events', ['userAdded']) as EventName[]);
	const sipRequired = wanted.has('userAdded') && (this.getNodeParameter('sipDeviceRequired', false) as boolean);
	// The poll context does what the client needs (credentials, the authenticated request helper, the node).
	const client = new ExotelClient(this as unknown as ClientContext, settings, transport);
	try {
		const current = dedupeUsers(await listUsers(client));

		if (this.getMode() === 'manual') {
			const newest = newestUser(current, sipRequired);
			if (!newest) {
				throw new NodeOperationError(this.getNode(), sipRequired ? 'No user of this account has a SIP device yet' : 'This Exotel account has no users yet', {
					description: 'A test run returns the newest user so that later nodes can map its fields. Add a user in Exotel, then test again.',
				});
			}
			return [[toItem({ event: 'userAdded', user: newest })]];
		}

		const account = await accountFingerprint(this);
		const stored = this.getWorkflowStaticData('node');
		const previous = readState(stored[STATE_KEY], account);
		warnAboutCost(this, current.size);
		if (!previous) {
			// The first activation (or another account): the users already there are the baseline.
			stored[STATE_KEY] = baseline(account, current) as unknown as IDataObject;
			return null;
		}
		await confirmMissing(client, previous, current);
		const { events, next } = diffUsers(previous, current, { sipRequired });
		// Written only now, with the events it accounts for: a poll that failed above saved nothing.
		stored[STATE_KEY] = next as unknown as IDataObject;
		const items = events.filter((e) => wanted.has(e.event)).map(toItem);
		return items.length > 0 ? [items] : null;
	} finally {
		client.close();
	}
}

/** GET /users?fields=devices, 50 at a time: ⌈users ÷ 50⌉ requests, each retried as the action node retries. */
async function listUsers(client: Client): Promise<IDataObject[]> {
	return await client.requestAllPages(0, { path: ['users'], qs: { fields: 'devices' } });
}

/**
 * Users the listing did not show are confirmed gone before "User removed" fires: a page shift
 * while the account changed can skip a user. Few missing: one GET each (404 = gone); more
 * than a listing costs: the account is listed once more, and gone means missing from both.
 * A confirmed user is put back into `current` as Exotel now shows them.
 */
async function confirmMissing(client: Client, previous: UsersState, current: Map<string, Record<string, unknown>>): Promise<void> {
	const missing = missingUsers(previous, current);
	if (missing.length === 0) return;
	if (missing.length <= requestsPerPoll(current.size)) {
		for (const id of missing) {
			const answer = await client.request(0, { method: 'GET', path: ['users', id], idempotent: true }).then(
				(envelope) => ({ ok: true as const, envelope }),
				(error: unknown) => ({ ok: false as const, error }),
			);
			if (!answer.ok) {
				if (answer.error instanceof NodeApiError && String(answer.error.httpCode) === '404') continue; // gone
				throw answer.error;
			}
			const data = dataOf(answer.envelope);
			if (data) current.set(id, data);
		}
		return;
	}
	const again = dedupeUsers(await listUsers(client));
	for (const id of missing) {
		const user = again.get(id);
		if (user) current.set(id, user);
	}
}

function readState(raw: unknown, account: string): UsersState | undefined {
	if (typeof raw !== 'object' || raw === null) return undefined;
	const state = raw as Partial<UsersState>;
	if (state.version !== 1 || state.account !== account || typeof state.users !== 'object' || state.users === null) return undefined;
	return state as UsersState;
}

/** Which account the state describes: the API host and the Account SID, hashed (the state is no place for either). */
async function accountFingerprint(context: IPollFunctions): Promise<string> {
	const credentials = await context.getCredentials('exotelUsersApi');
	const base = baseUrlFor(credentials);
	const host = base.ok ? base.url : '';
	return createHash('sha256').update(`${host} ${String(credentials.accountSid ?? '')}`).digest('hex').slice(0, 16);
}

/** The log says so when the chosen interval spends more than the trigger's share of Exotel's limit. */
function warnAboutCost(context: IPollFunctions, users: number): void {
	const pollTimes = context.getNodeParameter('pollTimes', {}) as { item?: PollTime[] };
	const cost = pollCost(users, pollTimes.item ?? []);
	if (!cost.overBudget) return;
	context.logger.warn(
		`Exotel Users Trigger: ${users} users cost ${cost.requestsPerPoll} requests a poll, ${cost.requestsPerMinute?.toFixed(1)} a minute at this interval — ` +
			`more than a tenth of Exotel's 50 a minute for the account. Poll every ${cost.minimumMinutes} minutes or less often.`,
	);
}

/** One event as an item: the user's fields (never a secret: Exotel's user and device models hold none) and what happened. */
function toItem(event: UserEvent): INodeExecutionData {
	const user: IDataObject = { ...(event.user as unknown as IDataObject) };
	delete user.announced;
	const json: IDataObject = {
		event: event.event,
		event_id: [event.event, event.user.id, event.device?.id].filter((p) => p !== undefined).join(':'),
		user_id: event.user.id,
		...user,
	};
	const sip = event.device ? [event.device] : sipDevices(event.user);
	if (event.device) {
		json.device_id = String(event.device.id);
		json.device = event.device as unknown as IDataObject;
	}
	if (sip.length > 0 && typeof sip[0].contact_uri === 'string') json.sip_username = sip[0].contact_uri.replace(/^sip:/, '');
	return { json };
}

