import type { INodeProperties } from 'n8n-workflow';

import * as getAll from './getAll.operation';
import * as setActive from './setActive.operation';
import * as update from './update.operation';

export const operations = { getAll, setActive, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['device'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'Get the devices of a user',
				action: 'Get many devices',
			},
			{
				name: 'Set Active Device',
				value: 'setActive',
				description:
					'Make this device the one that takes the user’s calls: the other device is turned off first, then this one on',
				action: 'Set the active device of a user',
			},
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
	...setActive.description,
	...update.description,
];
