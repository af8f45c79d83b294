import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { optionsDescription } from './actions/options.description';
import { CUSTOM_API_CALL, router } from './actions/router';
import * as device from './actions/device/Device.resource';
import * as user from './actions/user/User.resource';
import { NODE_VERSIONS } from './actions/versions';
import { searchDevicesWith, searchUsersWith } from './methods/listSearch';
import { CREDENTIAL_TYPE } from '../shared/transport/send';
import { processPacing } from '../shared/transport/pacing/processPacing';

/**
 * The canvas shows the operation as its action reads ("Update SIP password of a user"),
 * not its internal names; an operation n8n adds itself (Custom API Call) shows its own value.
 */
const ACTIONS: Record<string, string> = Object.fromEntries(
	[user.description, device.description].flatMap((properties) =>
		properties
			.filter((p) => p.name === 'operation')
			.flatMap((p) =>
				(p.options ?? []).flatMap((o) =>
					'action' in o && typeof o.action === 'string'
						? [[`${String(p.displayOptions?.show?.resource?.[0])}:${String(o.value)}`, o.action]]
						: [],
				),
			),
	),
);
const SUBTITLE =
	`={{ ${JSON.stringify(ACTIONS)}[$parameter["resource"] + ":" + $parameter["operation"]]` +
	` || ([$parameter["resource"], $parameter["operation"]].includes("${CUSTOM_API_CALL}") ? "Custom API Call" : $parameter["operation"]) }}`;

export class ExotelUsers implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Exotel Users',
		name: 'exotelUsers',
		icon: { light: 'file:../shared/exotel.svg', dark: 'file:../shared/exotel.dark.svg' },
		group: ['transform'],
		version: NODE_VERSIONS,
		subtitle: SUBTITLE,
		// n8n's nodes panel shows this node and its trigger as one app, under the trigger's
		// description: that one starts with these words, so the panel reads as this node does.
		description: 'Reset SIP passwords and manage Exotel users (agents) and their devices',
		defaults: { name: 'Exotel Users' },
		usableAsTool: true,
		// The generated password is for the next node to deliver, not for logs or the execution view.
		sensitiveOutputFields: ['sipPassword'],
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					// Users first: the nodes panel lists actions in this order, and most work starts from a user.
					{ name: 'User', value: 'user' },
					{ name: 'Device', value: 'device' },
				],
				default: 'user',
			},
			...user.description,
			...device.description,
			optionsDescription,
		],
	};

	methods = {
		listSearch: {
			searchUsers: searchUsersWith(processPacing),
			searchDevices: searchDevicesWith(processPacing),
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this, processPacing);
	}
}
