/**
 * Workflows for the end-to-end tier, built the way the editor saves them: a Manual Trigger,
 * a Code node that makes the input items, and Exotel nodes. Passwords never appear in a
 * workflow or an item: parameters read them from the environment (`$env`), so a search of
 * n8n's database for them means something.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from './n8n';

export const CREDENTIAL = { id: 'exotelSandbox01', name: 'Exotel sandbox' };

type Json = Record<string, unknown>;
type WorkflowNode = Json & { name: string; type: string; parameters: Json };
export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }>;
	[key: string]: unknown;
}

let sequence = 0;
function nodeId(): string {
	sequence += 1;
	return `e2e00000-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
}

/** n8n's credential import format; `baseUrl` is the sandbox. */
export function sandboxCredential(secrets: { apiKey: string; apiToken: string; accountSid: string }, baseUrl: string) {
	return [{ ...CREDENTIAL, type: 'exotelUsersApi', data: { ...secrets, region: 'custom', baseUrl } }];
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
export function exotelWorkflow(id: string, nodeType: string, items: Json[], steps: ExotelStep[]): Workflow {
	const nodes: WorkflowNode[] = [
		{ id: nodeId(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
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
	return { id, name: `e2e ${id}`, active: false, settings: { executionOrder: 'v1' }, nodes, connections };
}

/**
 * An example from examples/, made runnable by the CLI: the package's node type as loaded,
 * the trigger replaced by a Manual Trigger and a Code node emitting what the trigger would
 * (a webhook's `{ body }`), and a Respond to Webhook node — which needs a live webhook
 * request — replaced by a Set node computing the same response body. The Exotel nodes run
 * unchanged.
 */
export function runnableExample(file: string, id: string, nodeType: string, triggerOutput: Json[]): Workflow {
	const example = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as Workflow;
	const trigger = example.nodes.find((n) => /trigger|webhook/i.test(n.type))!;
	const nodes = example.nodes.flatMap((node): WorkflowNode[] => {
		if (node === trigger) {
			return [
				{ id: nodeId(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [-220, 0], parameters: {} },
				{
					...node,
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					parameters: { jsCode: `return ${JSON.stringify(triggerOutput.map((json) => ({ json })))};` },
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
		connections: { ...example.connections, Start: { main: [[{ node: trigger.name, type: 'main', index: 0 }]] } },
	};
}
