import type { INodeProperties } from 'n8n-workflow';

import { inVersions } from '../versions';
import * as create from './create.operation';
import * as deleteUser from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as rotateSipPasswords from './rotateSipPasswords.operation';
import * as update from './update.operation';
import * as updateSipPassword from './updateSipPassword.operation';

export const operations = {
	create,
	delete: deleteUser,
	get,
	getAll,
	rotateSipPasswords,
	update,
	updateSipPassword,
};

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['user'] } },
	options: [
		{ name: 'Create', value: 'create', description: 'Create a user', action: 'Create a user' },
		{
			name: 'Delete',
			value: 'delete',
			description: 'Delete a user and their devices; this cannot be undone',
			action: 'Delete a user',
		},
		{
			name: 'Get',
			value: 'get',
			description: 'Get a user with their devices',
			action: 'Get a user',
		},
		{ name: 'Get Many', value: 'getAll', description: 'Get many users', action: 'Get many users' },
		{
			name: 'Rotate SIP Passwords',
			value: 'rotateSipPasswords',
			description:
				'Give every chosen agent’s SIP device a new generated password, at the account’s pace',
			action: 'Rotate SIP passwords of many users',
		},
		{
			name: 'Update',
			value: 'update',
			description: 'Update a user’s name or set their email',
			action: 'Update a user',
		},
		{
			name: 'Update SIP Password',
			value: 'updateSipPassword',
			description: 'Create or replace the password of a user’s SIP device',
			action: 'Update SIP password of a user',
		},
	],
	default: 'get',
};

export const description: INodeProperties[] = [
	// A read by default from version 2: what a new node, and an AI Agent tool, does unless told otherwise.
	inVersions([1], { ...operation, default: 'updateSipPassword' }),
	inVersions([2], operation),
	...create.description,
	...deleteUser.description,
	...get.description,
	...getAll.description,
	...rotateSipPasswords.description,
	...update.description,
	...updateSipPassword.description,
];
