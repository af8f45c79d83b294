/**
 * Workflows in which the Exotel node is an AI tool, as the editor saves them: under n8n's AI
 * Agent (its tools called by a model), behind n8n's MCP Server Trigger, and behind a human
 * review; with the tool's parameters as the editor saves them and the credentials they use.
 */
import { NodeHelpers, type INode, type INodeParameters } from 'n8n-workflow';

import {
	builtNode,
	CREDENTIAL,
	manualStart,
	nodeId,
	SMTP_CREDENTIAL,
	testWorkflow,
	type Workflow,
	type WorkflowNode,
} from './workflows';

/** The OpenAI credential of the agent workflows: any OpenAI-compatible server, e.g. tools/dev/model's. */
export const OPENAI_CREDENTIAL = { id: 'openAiScripted01', name: 'Scripted model' };

/** n8n's credential import format for `openAiApi` with a custom base URL (`…/v1`). */
export function openAiCredential(apiKey: string, baseUrl: string) {
	return [{ ...OPENAI_CREDENTIAL, type: 'openAiApi', data: { apiKey, url: baseUrl } }];
}

/**
 * The parameters n8n's editor saves for the node added as an AI Agent tool (`<type>Tool`,
 * where '@tool' display options apply) when the user changed only `changed`: n8n's own
 * NodeHelpers fill in every default, mark resource locators as the editor does (`__rl`), and
 * drop what equals its default. So a tool's `$fromAI` resource-locator defaults are saved, with
 * their descriptions. The browser tier checks this against what the real editor saves.
 */
export function savedToolParameters(changed: INodeParameters, node = builtNode()): INodeParameters {
	const tool = { ...node.description, name: `${node.description.name}Tool` };
	const asNode = (parameters: INodeParameters): INode => ({
		id: 'tool',
		name: 'tool',
		type: tool.name,
		typeVersion: node.version,
		position: [0, 0],
		parameters,
	});
	const full =
		NodeHelpers.getNodeParameters(tool.properties, changed, true, false, asNode(changed), tool) ??
		{};
	for (const property of tool.properties) {
		const value = full[property.name];
		if (property.type === 'resourceLocator' && value && typeof value === 'object')
			full[property.name] = { __rl: true, ...value };
	}
	return (
		NodeHelpers.getNodeParameters(tool.properties, full, false, false, asNode(full), tool) ?? {}
	);
}

/** A tool node of an agent: an Exotel Users tool (`<node type>Tool`) as the editor saves it. */
export interface AgentTool {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
}

/** n8n's AI Agent (3.1, the prompt from `prompt`) at `x`, and its OpenAI Chat Model (1.3, Responses API) on OPENAI_CREDENTIAL below it. */
function agentWithModel(
	agent: string,
	chatModel: string,
	prompt: string,
	model: string,
	x: number,
): WorkflowNode[] {
	return [
		{
			id: nodeId(),
			name: agent,
			type: '@n8n/n8n-nodes-langchain.agent',
			typeVersion: 3.1,
			position: [x, 0],
			parameters: { promptType: 'define', text: prompt, options: {} },
		},
		{
			id: nodeId(),
			name: chatModel,
			type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
			typeVersion: 1.3,
			position: [x - 60, 220],
			parameters: { model: { __rl: true, mode: 'list', value: model }, options: {} },
			credentials: { openAiApi: OPENAI_CREDENTIAL },
		},
	];
}

/**
 * Start → "Chat input" (one item per message, as `chatInput`) → n8n's AI Agent (3.1, the
 * prompt from `chatInput`), with the OpenAI Chat Model (1.3, Responses API on by default) on
 * OPENAI_CREDENTIAL and the given tools, each with the Exotel credential.
 * @param id 16 characters or fewer, unique per test run
 */
export function agentWorkflow(
	id: string,
	messages: string[],
	tools: AgentTool[],
	model = 'gpt-4.1-mini',
): Workflow {
	const agent = 'AI Agent';
	const chatModel = 'OpenAI Chat Model';
	const nodes: WorkflowNode[] = [
		manualStart(),
		{
			id: nodeId(),
			name: 'Chat input',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [220, 0],
			parameters: {
				jsCode: `return ${JSON.stringify(messages.map((chatInput) => ({ json: { chatInput } })))};`,
			},
		},
		...agentWithModel(agent, chatModel, '={{ $json.chatInput }}', model, 440),
		...tools.map((tool, i) => ({
			id: nodeId(),
			...tool,
			position: [560 + 160 * i, 220],
			credentials: { exotelUsersApi: CREDENTIAL },
		})),
	];
	const connections: Workflow['connections'] = {
		Start: { main: [[{ node: 'Chat input', type: 'main', index: 0 }]] },
		'Chat input': { main: [[{ node: agent, type: 'main', index: 0 }]] },
		[chatModel]: { ai_languageModel: [[{ node: agent, type: 'ai_languageModel', index: 0 }]] },
	};
	for (const tool of tools)
		connections[tool.name] = { ai_tool: [[{ node: agent, type: 'ai_tool', index: 0 }]] };
	return testWorkflow(id, nodes, connections);
}

/** The bearer credential of the MCP Server Trigger workflows (n8n's httpBearerAuth). */
export const MCP_BEARER_CREDENTIAL = { id: 'mcpBearer0000001', name: 'MCP clients' };

/** n8n's credential import format for `httpBearerAuth`: the token MCP clients send. */
export function mcpBearerCredential(token: string) {
	return [{ ...MCP_BEARER_CREDENTIAL, type: 'httpBearerAuth', data: { token } }];
}

/**
 * n8n's MCP Server Trigger (2.1: streamable HTTP and SSE at /mcp/<path>), bearer auth with
 * MCP_BEARER_CREDENTIAL, and the given tools — each exposed to MCP clients under its node
 * name, each with the Exotel credential. Active: its production URL is live once n8n runs it.
 * @param id 16 characters or fewer, unique per test run
 */
export function mcpServerWorkflow(id: string, path: string, tools: AgentTool[]): Workflow {
	const trigger = 'MCP Server Trigger';
	const nodes: WorkflowNode[] = [
		{
			id: nodeId(),
			name: trigger,
			type: '@n8n/n8n-nodes-langchain.mcpTrigger',
			typeVersion: 2.1,
			position: [0, 0],
			webhookId: `${id}-mcp`,
			parameters: { authentication: 'bearerAuth', path },
			credentials: { httpBearerAuth: MCP_BEARER_CREDENTIAL },
		},
		...tools.map((tool, i) => ({
			id: nodeId(),
			...tool,
			position: [160 * i, 220],
			credentials: { exotelUsersApi: CREDENTIAL },
		})),
	];
	const connections: Workflow['connections'] = {};
	for (const tool of tools)
		connections[tool.name] = { ai_tool: [[{ node: trigger, type: 'ai_tool', index: 0 }]] };
	return testWorkflow(id, nodes, connections);
}

/**
 * Human review of tool calls (n8n 2.x "Human in the Loop"): a production Webhook (POST
 * `path`, `{ chatInput }`, answered at once) → n8n's AI Agent (3.1) with the OpenAI Chat Model
 * on OPENAI_CREDENTIAL, whose `reviewed` tools reach it only through a Send Email
 * "Human review" node (`n8n-nodes-base.emailSendHitlTool`: an approval email with Approve and
 * Decline buttons to `reviewer`, SMTP_CREDENTIAL); `direct` tools connect to the agent as usual.
 * @param id 16 characters or fewer, unique per test run
 */
export function reviewedAgentWorkflow(
	id: string,
	path: string,
	reviewer: string,
	reviewed: AgentTool[],
	direct: AgentTool[] = [],
	model = 'gpt-4.1-mini',
): Workflow {
	const agent = 'AI Agent';
	const chatModel = 'OpenAI Chat Model';
	const review = 'Human review';
	const withExotel = (tool: AgentTool, i: number, y: number) => ({
		id: nodeId(),
		...tool,
		position: [560 + 180 * i, y],
		credentials: { exotelUsersApi: CREDENTIAL },
	});
	const nodes: WorkflowNode[] = [
		{
			id: nodeId(),
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: `${id}-hook`,
			parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
		},
		...agentWithModel(agent, chatModel, '={{ $json.body.chatInput }}', model, 260),
		{
			id: nodeId(),
			name: review,
			type: 'n8n-nodes-base.emailSendHitlTool',
			typeVersion: 2.1,
			position: [400, 220],
			webhookId: `${id}-review`,
			parameters: {
				fromEmail: 'n8n@example.com',
				toEmail: reviewer,
				subject: 'Approve an Exotel change',
				message:
					'=The agent wants to run {{ $tool.name }} with {{ JSON.stringify($tool.parameters) }}',
				approvalOptions: { values: { approvalType: 'double' } },
				options: {},
			},
			credentials: { smtp: SMTP_CREDENTIAL },
		},
		...reviewed.map((tool, i) => withExotel(tool, i, 440)),
		...direct.map((tool, i) => withExotel(tool, reviewed.length + i, 220)),
	];
	const connections: Workflow['connections'] = {
		Webhook: { main: [[{ node: agent, type: 'main', index: 0 }]] },
		[chatModel]: { ai_languageModel: [[{ node: agent, type: 'ai_languageModel', index: 0 }]] },
		[review]: { ai_tool: [[{ node: agent, type: 'ai_tool', index: 0 }]] },
	};
	for (const tool of reviewed)
		connections[tool.name] = { ai_tool: [[{ node: review, type: 'ai_tool', index: 0 }]] };
	for (const tool of direct)
		connections[tool.name] = { ai_tool: [[{ node: agent, type: 'ai_tool', index: 0 }]] };
	return testWorkflow(id, nodes, connections);
}
