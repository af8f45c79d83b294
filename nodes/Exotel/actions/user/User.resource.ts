import type { INodeProperties } from 'n8n-workflow';

import * as updateSipPassword from './updateSipPassword.operation';

export const operations = { updateSipPassword };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['user'] } },
		options: [
			{
				name: 'Update SIP Password',
				value: 'updateSipPassword',
				description: 'Create or replace the password of a user’s SIP device',
				action: 'Update SIP password of a user',
			},
		],
		default: 'updateSipPassword',
	},
	...updateSipPassword.description,
];
