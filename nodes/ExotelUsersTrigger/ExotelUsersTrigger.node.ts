import type {
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
	NodeHint,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../shared/transport/send';
import { readSendOptions } from '../shared/transport/sendOptions';
import { processPacing } from '../shared/transport/pacing/processPacing';
import {
	HINTED_INTERVALS,
	POLL_SEND_OPTIONS,
	POLLS_PER_MINUTE_EXPRESSION,
	SHORTEST_INTERVAL_EXPRESSION,
	passTimeMessage,
} from './helpers/pollCost';
import { PollGuard } from './helpers/pollGuard';
import { UnsavedStates } from './helpers/unsavedState';
import { pollUsers, type TriggerProcess } from './pollUsers';

const COST_NOTICE =
	'A poll reads the users, 50 a request, from where the last one stopped: at most 25 requests (1,250 users) and 30 seconds. ' +
	'Exotel allows 50 user-management requests a minute per account, shared by every workflow using it: keep this trigger under a tenth — ' +
	'every minute up to 250 users, every 2 minutes up to 500, every 5 minutes for any size.';

const EVERY_MINUTE_WARNING =
	'Polling every minute costs 1 request per 50 users a minute (up to 25): above 250 users, more than a tenth of the account’s 50 a minute, leaving less to the workflows that act. Poll less often.';

const EVENT_LABELS = {
	userAdded: 'User Added',
	userRemoved: 'User Removed',
	sipDeviceAdded: 'SIP Device Added',
} as const;

/**
 * What this process keeps for its triggers (n8n loads the node once per process): the account
 * pacers it shares with the Exotel Users node, retries that fit a poll, the polls under way.
 */
const perProcess: TriggerProcess = {
	processPacing,
	settings: readSendOptions(POLL_SEND_OPTIONS),
	guard: new PollGuard(),
	unsaved: new UnsavedStates(),
};

/** An n8n expression over the node's parameters, for a hint's displayCondition. */
const when = (condition: string) => `={{ ${condition} }}`;

/** What the panel says about the chosen Poll Times: how long a full pass takes, and whether they can work. */
function scheduleHints(): NodeHint[] {
	const hinted = HINTED_INTERVALS.join(', ');
	return [
		{
			message: EVERY_MINUTE_WARNING,
			type: 'warning',
			location: 'ndv',
			whenToDisplay: 'always',
			displayCondition: when(`${SHORTEST_INTERVAL_EXPRESSION} <= 1`),
		},
		{
			message:
				'These Poll Times add up to more than one poll a minute, so publishing is refused: keep one entry, or space them further apart.',
			type: 'danger',
			location: 'ndv',
			whenToDisplay: 'always',
			displayCondition: when(`${POLLS_PER_MINUTE_EXPRESSION} > 1.000001`),
		},
		...HINTED_INTERVALS.map(
			(minutes): NodeHint => ({
				message: passTimeMessage(minutes),
				type: 'info',
				location: 'ndv',
				whenToDisplay: 'always',
				displayCondition: when(`${SHORTEST_INTERVAL_EXPRESSION} === ${minutes}`),
			}),
		),
		{
			message:
				'A full pass over the account (which User Removed waits for) takes one poll per 1,250 users at these Poll Times.',
			type: 'info',
			location: 'ndv',
			whenToDisplay: 'always',
			displayCondition: when(`![${hinted}].includes(${SHORTEST_INTERVAL_EXPRESSION})`),
		},
	];
}

export class ExotelUsersTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Exotel Users Trigger',
		name: 'exotelUsersTrigger',
		icon: { light: 'file:../shared/exotel.svg', dark: 'file:../shared/exotel.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: `={{ ($parameter["events"] || []).map((e) => (${JSON.stringify(EVENT_LABELS)})[e] || e).join(", ") }}`,
		// n8n's nodes panel merges a node named X and its trigger XTrigger into one app shown with the
		// trigger's description: it leads with the action node's own, then says what this one adds.
		description:
			'Reset SIP passwords and manage Exotel users (agents) and their devices, and start workflows when a user is added or removed or gets a new SIP device',
		defaults: { name: 'Exotel Users Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		hints: scheduleHints(),
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
					{
						name: 'User Added',
						value: 'userAdded',
						description:
							'A user was added, e.g. a co-worker in the Exotel dashboard, with their devices',
					},
					{
						name: 'User Removed',
						value: 'userRemoved',
						description: 'A user was deleted (confirmed with Exotel); the item has the user’s ID',
					},
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

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollUsers.call(this, perProcess);
	}
}
