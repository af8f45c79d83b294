import type { IExecuteFunctions, ILoadOptionsFunctions, INodeExecutionData, INodeListSearchResult, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { optionsDescription } from './actions/options.description';
import { router } from './actions/router';
import * as device from './actions/device/Device.resource';
import * as user from './actions/user/User.resource';
import { searchUsersWith } from './methods/listSearch';
import { transportFor, type TransportSetup } from './transport/pacing';

export class ExotelUsers implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Exotel Users',
		name: 'exotelUsers',
		icon: { light: 'file:exotel.svg', dark: 'file:exotel.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Manage Exotel contact-centre users, their devices and SIP passwords',
		defaults: { name: 'Exotel Users' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'exotelUsersApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Device', value: 'device' },
					{ name: 'User', value: 'user' },
				],
				default: 'user',
			},
			...user.description,
			...device.description,
			optionsDescription,
		],
	};

	methods: {
		listSearch: { searchUsers: (this: ILoadOptionsFunctions, filter?: string, token?: string) => Promise<INodeListSearchResult> };
	};

	execute: (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;

	/**
	 * n8n creates the node with no argument: Exotel's minute, the system clock, and the
	 * process's shared window per account. Tests and the benchmark pass a scaled window.
	 */
	constructor(setup: TransportSetup = {}) {
		const transport = transportFor(setup);
		this.methods = { listSearch: { searchUsers: searchUsersWith(transport) } };
		this.execute = async function (this: IExecuteFunctions) {
			return await router.call(this, transport);
		};
	}
}
