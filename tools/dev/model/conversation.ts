/**
 * What a chat model is asked, read the same way from both OpenAI APIs: the Chat Completions
 * body (`messages`, `tools: [{ type: 'function', function: {…} }]`) and the Responses body
 * (`input` items, `instructions`, `tools: [{ type: 'function', name, … }]`).
 */

export type ModelApi = 'chat' | 'responses';

/** A function tool the model is offered, with the JSON schema of its arguments. */
export interface OfferedTool {
	name: string;
	description: string;
	parameters: JsonSchema;
}

export interface JsonSchema {
	type?: string;
	description?: string;
	properties?: Record<string, JsonSchema>;
	required?: string[];
	[key: string]: unknown;
}

/** A tool call the model made in an earlier turn, as the client sends it back. */
export interface PastToolCall {
	callId: string;
	name: string;
	/** The arguments as a JSON string, as the model wrote them. */
	arguments: string;
}

/** A tool's answer, as the client sends it back to the model. */
export interface ToolResult {
	callId: string;
	/** The name of the tool that was called (from the matching call). */
	name?: string;
	/** The result as text, exactly as sent. */
	output: string;
}

export interface ModelConversation {
	api: ModelApi;
	model: string;
	stream: boolean;
	/** System and developer messages (and the Responses API's `instructions`). */
	system: string[];
	/** The user's messages, in order. */
	user: string[];
	/** Replies of the model already in the conversation: each text answer or batch of tool calls is one. */
	assistantTurns: number;
	toolCalls: PastToolCall[];
	toolResults: ToolResult[];
	tools: OfferedTool[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** The text of a message's content: a string, or the text parts of a list of parts. */
export function contentText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content
		.map((part) =>
			typeof part === 'string'
				? part
				: isObject(part) && typeof part.text === 'string'
					? part.text
					: '',
		)
		.join('');
}

/** A tool result's output: a string, or (Responses API) a list of parts, or any JSON. */
function outputText(output: unknown): string {
	if (typeof output === 'string') return output;
	if (Array.isArray(output)) return contentText(output);
	return JSON.stringify(output ?? null);
}

function readTools(tools: unknown, api: ModelApi): OfferedTool[] {
	if (!Array.isArray(tools)) return [];
	return tools.filter(isObject).flatMap((tool): OfferedTool[] => {
		const fn = api === 'chat' ? tool.function : tool;
		if (tool.type !== 'function' || !isObject(fn) || typeof fn.name !== 'string') return [];
		return [
			{
				name: fn.name,
				description: typeof fn.description === 'string' ? fn.description : '',
				parameters: isObject(fn.parameters) ? (fn.parameters as JsonSchema) : {},
			},
		];
	});
}

type Messages = Pick<
	ModelConversation,
	'system' | 'user' | 'assistantTurns' | 'toolCalls' | 'toolResults'
>;

/** The conversation, each tool result named after the call it answers. */
function conversationOf(api: ModelApi, body: Json, messages: Messages): ModelConversation {
	const { toolCalls, toolResults } = messages;
	return {
		api,
		model: String(body.model ?? ''),
		stream: body.stream === true,
		...messages,
		toolResults: toolResults.map((result) => ({
			...result,
			name: toolCalls.find((call) => call.callId === result.callId)?.name,
		})),
		tools: readTools(body.tools, api),
	};
}

function readChat(body: Json): ModelConversation {
	const messages = Array.isArray(body.messages) ? body.messages.filter(isObject) : [];
	const system: string[] = [];
	const user: string[] = [];
	const toolCalls: PastToolCall[] = [];
	const toolResults: ToolResult[] = [];
	let assistantTurns = 0;
	for (const message of messages) {
		switch (message.role) {
			case 'system':
			case 'developer':
				system.push(contentText(message.content));
				break;
			case 'user':
				user.push(contentText(message.content));
				break;
			case 'assistant':
				assistantTurns += 1;
				for (const call of Array.isArray(message.tool_calls)
					? message.tool_calls.filter(isObject)
					: []) {
					const fn = isObject(call.function) ? call.function : {};
					toolCalls.push({
						callId: String(call.id),
						name: String(fn.name),
						arguments: String(fn.arguments ?? ''),
					});
				}
				break;
			case 'tool':
				toolResults.push({
					callId: String(message.tool_call_id),
					output: outputText(message.content),
				});
				break;
		}
	}
	return conversationOf('chat', body, { system, user, assistantTurns, toolCalls, toolResults });
}

function readResponses(body: Json): ModelConversation {
	const input =
		typeof body.input === 'string'
			? [{ role: 'user', content: body.input }]
			: Array.isArray(body.input)
				? body.input.filter(isObject)
				: [];
	const system =
		typeof body.instructions === 'string' && body.instructions ? [body.instructions] : [];
	const user: string[] = [];
	const toolCalls: PastToolCall[] = [];
	const toolResults: ToolResult[] = [];
	let assistantTurns = 0;
	// Consecutive assistant items (text and function calls) are one reply of the model.
	let inAssistantTurn = false;
	for (const item of input) {
		const type = item.type ?? 'message';
		const assistantItem =
			type === 'function_call' ||
			type === 'reasoning' ||
			(type === 'message' && item.role === 'assistant');
		if (assistantItem && !inAssistantTurn) assistantTurns += 1;
		inAssistantTurn = assistantItem;
		if (type === 'function_call') {
			toolCalls.push({
				callId: String(item.call_id),
				name: String(item.name),
				arguments: String(item.arguments ?? ''),
			});
		} else if (type === 'function_call_output') {
			toolResults.push({ callId: String(item.call_id), output: outputText(item.output) });
		} else if (type === 'message') {
			if (item.role === 'user') user.push(contentText(item.content));
			else if (item.role === 'system' || item.role === 'developer')
				system.push(contentText(item.content));
		}
	}
	return conversationOf('responses', body, {
		system,
		user,
		assistantTurns,
		toolCalls,
		toolResults,
	});
}

/** Reads a request body of either API. */
export function readConversation(api: ModelApi, body: unknown): ModelConversation {
	const json = isObject(body) ? body : {};
	return api === 'chat' ? readChat(json) : readResponses(json);
}
