import type { INodeProperties } from 'n8n-workflow';

import * as getAll from './getAll.operation';
import * as update from './update.operation';

export const operations = { getAll, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['device'] } },
		options: [
			{ name: 'Get Many', value: 'getAll', description: 'Get the devices of a user', action: 'Get many devices' },
			{
				name: 'Update',
				value: 'update',
				description: 'Turn a device on or off, or change a telephone device’s number',
				action: 'Update a device',
			},
		],
		default: 'getAll',
	},
	...getAll.description,
	...update.description,
];
