/**
 * Webhook-triggered workflows for the queue-mode tier, shaped as the editor saves them. They run
 * in production (mode `webhook`): the main process receives the call and a worker executes it.
 * Successful executions are not saved (`saveDataSuccessExecution: 'none'`), as the README advises
 * for every workflow whose items carry a generated password.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from '../n8n/n8n';
import type { WorkflowImport } from './cluster';

type Json = Record<string, unknown>;
type Node = Json & {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Json;
};

export const NODE_TYPE = 'n8n-nodes-exotel-users.exotelUsers';

const NOT_SAVED = { executionOrder: 'v1', saveDataSuccessExecution: 'none' };

let sequence = 0;
function node(
	name: string,
	type: string,
	typeVersion: number,
	parameters: Json,
	extra: Json = {},
): Node {
	sequence += 1;
	return {
		id: `9e0e0000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
		name,
		type,
		typeVersion,
		position: [sequence * 220, 0],
		parameters,
		...extra,
	};
}

function chain(
	nodes: Node[],
): Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }> {
	return Object.fromEntries(
		nodes
			.slice(0, -1)
			.map((n, i) => [n.name, { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] }]),
	);
}

function webhook(
	path: string,
	responseMode: 'lastNode' | 'onReceived',
	responseData?: 'allEntries' | 'firstEntryJson',
): Node {
	return node(
		'Webhook',
		'n8n-nodes-base.webhook',
		2,
		{ httpMethod: 'POST', path, responseMode, ...(responseData && { responseData }), options: {} },
		{
			webhookId: `9e0e0000-aaaa-4000-8000-${path
				.replace(/[^a-z0-9]/g, '')
				.slice(-12)
				.padStart(12, '0')}`,
		},
	);
}

function exotel(
	name: string,
	credential: { id: string; name: string },
	parameters: Json,
	continueOnFail = false,
): Node {
	return node(
		name,
		NODE_TYPE,
		1,
		{ resource: 'user', ...parameters },
		{
			credentials: { exotelUsersApi: credential },
			...(continueOnFail && { onError: 'continueRegularOutput' }),
		},
	);
}

/**
 * An example from examples/ as a user imports it (webhook trigger and all), with the given
 * Exotel credential; other credentials (the Send Email node's SMTP) stay as the example names them.
 */
export function example(file: string, credential: { id: string; name: string }): WorkflowImport {
	const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as WorkflowImport;
	return {
		...workflow,
		nodes: workflow.nodes.map((n) => {
			const credentials = n.credentials as Record<string, unknown> | undefined;
			return credentials && 'exotelUsersApi' in credentials
				? { ...n, credentials: { ...credentials, exotelUsersApi: credential } }
				: n;
		}),
	};
}

/**
 * POST {users: [{id, device}]} → one item per user → Update SIP Password (generated, Continue On
 * Fail, the given options) → a report item per output item, without the password: the user it is
 * paired with, whether it succeeded, the error, and whether a password was generated. The webhook
 * answers with every report item once the run is over.
 */
export function rotationWorkflow(
	id: string,
	path: string,
	credential: { id: string; name: string },
	options: Json,
): WorkflowImport {
	const nodes = [
		webhook(path, 'lastNode', 'allEntries'),
		node('Users', 'n8n-nodes-base.code', 2, {
			jsCode: 'return $json.body.users.map((user) => ({ json: user }));',
		}),
		exotel(
			'Rotate SIP password',
			credential,
			{
				operation: 'updateSipPassword',
				userId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
				deviceId: '={{ $json.device }}',
				passwordMode: 'generate',
				passwordLength: 16,
				options,
			},
			true,
		),
		node('Report', 'n8n-nodes-base.code', 2, {
			jsCode: [
				'// One report per output item, paired back to its user; the password itself is left out.',
				'return $input.all().map((item, index) => ({',
				'  json: {',
				'    index,',
				"    user: $('Users').itemMatching(index).json.id,",
				'    ok: !item.json.error,',
				'    error: item.json.error ?? null,',
				'    http_code: item.json.http_code ?? null,',
				"    generated: typeof item.json.sipPassword === 'string' && item.json.sipPassword.length > 0,",
				'  },',
				'}));',
			].join('\n'),
		}),
	];
	return {
		id,
		name: `Queue e2e: rotation ${id}`,
		active: false,
		settings: NOT_SAVED,
		nodes,
		connections: chain(nodes),
	};
}

/** POST {} → Update SIP Password of one user's device with a password read from the environment (`$env[envName]`) → Exotel's envelope as the answer. */
export function envPasswordWorkflow(
	id: string,
	path: string,
	credential: { id: string; name: string },
	userId: string,
	deviceId: string,
	envName: string,
): WorkflowImport {
	const nodes = [
		webhook(path, 'lastNode', 'firstEntryJson'),
		exotel('Set SIP password', credential, {
			operation: 'updateSipPassword',
			userId: { __rl: true, mode: 'id', value: userId },
			deviceId,
			passwordMode: 'manual',
			password: `={{ $env.${envName} }}`,
		}),
	];
	return {
		id,
		name: `Queue e2e: password from $env ${id}`,
		active: false,
		settings: NOT_SAVED,
		nodes,
		connections: chain(nodes),
	};
}
