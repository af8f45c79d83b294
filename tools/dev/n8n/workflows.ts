/**
 * Workflows for the end-to-end tier, built the way the editor saves them: a Manual Trigger,
 * a Code node that makes the input items, and Exotel nodes (the node as an AI tool:
 * toolWorkflows.ts). Passwords never appear in a workflow or an item: parameters read them from
 * the environment (`$env`), so a search of n8n's database for them means something.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeTypeDescription } from 'n8n-workflow';

import { ROOT } from './n8n';

export const CREDENTIAL = { id: 'exotelSandbox01', name: 'Exotel sandbox' };

type Json = Record<string, unknown>;
export type WorkflowNode = Json & { name: string; type: string; parameters: Json };
type Connection = { node: string; type: string; index: number };
export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	/** Per source node and connection type (`main`, `ai_languageModel`, `ai_tool`, …). */
	connections: Record<string, Record<string, Connection[][]>>;
	[key: string]: unknown;
}

let sequence = 0;
/** A node id unique in this process, so that the workflows' nodes never clash. */
export function nodeId(): string {
	sequence += 1;
	return `e2e00000-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
}

/** A workflow the tests import: named `e2e <id>`, inactive until a test publishes it. */
export function testWorkflow(
	id: string,
	nodes: WorkflowNode[],
	connections: Workflow['connections'],
): Workflow {
	return {
		id,
		name: `e2e ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes,
		connections,
	};
}

/** The Manual Trigger that starts a test workflow, named Start. */
export function manualStart(): WorkflowNode {
	return {
		id: nodeId(),
		name: 'Start',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
}

/**
 * The SIP Password Key of credentials made without one: 256 random bits, new for each process
 * (never a fixed value in the repo), so derived passwords stay the same within one test run.
 */
const RUN_PASSWORD_KEY = randomBytes(32).toString('base64');

/** n8n's credential import format; `baseUrl` is the sandbox. Derived passwords need a SIP Password Key: `secrets.passwordKey`, or one made for this run. */
export function sandboxCredential(
	secrets: { apiKey: string; apiToken: string; accountSid: string; passwordKey?: string },
	baseUrl: string,
) {
	return [
		{
			...CREDENTIAL,
			type: 'exotelUsersApi',
			data: { passwordKey: RUN_PASSWORD_KEY, ...secrets, region: 'custom', baseUrl },
		},
	];
}

export interface ExotelStep {
	name: string;
	parameters: Json;
	continueOnFail?: boolean;
}

/**
 * Start → Items (one item per entry of `items`) → each Exotel step in turn.
 * @param id 16 characters or fewer, unique per test run
 */
export function exotelWorkflow(
	id: string,
	nodeType: string,
	items: Json[],
	steps: ExotelStep[],
): Workflow {
	const nodes: WorkflowNode[] = [
		manualStart(),
		{
			id: nodeId(),
			name: 'Items',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [220, 0],
			parameters: { jsCode: `return ${JSON.stringify(items.map((json) => ({ json })))};` },
		},
	];
	steps.forEach((step, i) =>
		nodes.push({
			id: nodeId(),
			name: step.name,
			type: nodeType,
			typeVersion: 1,
			position: [440 + 220 * i, 0],
			parameters: step.parameters,
			credentials: { exotelUsersApi: CREDENTIAL },
			...(step.continueOnFail ? { onError: 'continueRegularOutput' } : {}),
		}),
	);
	const connections: Workflow['connections'] = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return testWorkflow(id, nodes, connections);
}

/**
 * An example from examples/, made runnable by the CLI: the package's node type as loaded,
 * the trigger replaced by a Manual Trigger and a Code node emitting what the trigger would
 * (a webhook's `{ body }`), and a Respond to Webhook node — which needs a live webhook
 * request — replaced by a Set node computing the same response body. The Exotel nodes run
 * unchanged.
 */
export function runnableExample(
	file: string,
	id: string,
	nodeType: string,
	triggerOutput: Json[],
): Workflow {
	const example = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as Workflow;
	const trigger = example.nodes.find((n) => /trigger|webhook/i.test(n.type))!;
	const nodes = example.nodes.flatMap((node): WorkflowNode[] => {
		if (node === trigger) {
			// A polling trigger's credential has no use on the Code node that stands in for it.
			const { credentials: _unused, ...standIn } = node;
			return [
				{
					id: nodeId(),
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [-220, 0],
					parameters: {},
				},
				{
					...standIn,
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					parameters: {
						jsCode: `return ${JSON.stringify(triggerOutput.map((json) => ({ json })))};`,
					},
				},
			];
		}
		if (node.type === 'n8n-nodes-exotel-users.exotelUsers') return [{ ...node, type: nodeType }];
		if (node.type === 'n8n-nodes-base.respondToWebhook') {
			return [
				{
					...node,
					type: 'n8n-nodes-base.set',
					typeVersion: 3.4,
					parameters: { mode: 'raw', jsonOutput: node.parameters.responseBody, options: {} },
				},
			];
		}
		return [node];
	});
	return {
		...example,
		id,
		nodes,
		connections: {
			...example.connections,
			Start: { main: [[{ node: trigger.name, type: 'main', index: 0 }]] },
		},
	};
}

/** The built node's description (from dist/: run `npm run build` first) and its newest version, which the editor adds. */
export function builtNode(): { description: INodeTypeDescription; version: number } {
	const { ExotelUsers } = require(
		join(ROOT, 'dist', 'nodes', 'ExotelUsers', 'ExotelUsers.node.js'),
	);
	const description = new ExotelUsers().description as INodeTypeDescription;
	return { description, version: Math.max(...[description.version].flat()) };
}

/**
 * Publishes (activates) an imported workflow through n8n's REST API, as the editor's Publish
 * button does: its production triggers (webhooks, MCP endpoints, polls) go live.
 */
export async function activateWorkflow(
	rest: (method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>,
	id: string,
): Promise<void> {
	const current = await rest('GET', `/rest/workflows/${id}`);
	if (current.status !== 200)
		throw new Error(
			`reading workflow ${id} failed: ${current.status} ${JSON.stringify(current.json)}`,
		);
	const activated = await rest('POST', `/rest/workflows/${id}/activate`, {
		versionId: current.json.data.versionId,
	});
	if (activated.status !== 200)
		throw new Error(
			`activating workflow ${id} failed: ${activated.status} ${JSON.stringify(activated.json)}`,
		);
}

/**
 * A trigger → an HTTP Request node that posts every item it gets, with the execution's id, to
 * `collectorUrl` (tools/dev/n8n/collector.ts): what each execution of an active workflow received,
 * without reading n8n's execution records.
 * @param id 16 characters or fewer, unique per test run
 */
export function collectingTriggerWorkflow(
	id: string,
	trigger: { name: string; type: string; typeVersion: number; parameters: Json },
	collectorUrl: string,
): Workflow {
	const post = 'Collect';
	const nodes: WorkflowNode[] = [
		{ id: nodeId(), ...trigger, position: [0, 0], credentials: { exotelUsersApi: CREDENTIAL } },
		{
			id: nodeId(),
			name: post,
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [260, 0],
			parameters: {
				method: 'POST',
				url: collectorUrl,
				sendBody: true,
				specifyBody: 'json',
				jsonBody: '={{ JSON.stringify({ execution: $execution.id, item: $json }) }}',
				options: {},
			},
		},
	];
	return testWorkflow(id, nodes, {
		[trigger.name]: { main: [[{ node: post, type: 'main', index: 0 }]] },
	});
}

/** The SMTP credential of the workflows that send email (tools/dev/smtp/mailbox.ts smtpCredentialData). */
export const SMTP_CREDENTIAL = { id: 'smtpMailbox00001', name: 'Local mailbox' };

/** n8n's credential import format for `smtp` (by default SMTP_CREDENTIAL; an example's own id and name otherwise). */
export function smtpCredential(
	data: Record<string, unknown>,
	credential: { id: string; name: string } = SMTP_CREDENTIAL,
) {
	return [{ ...credential, type: 'smtp', data }];
}
