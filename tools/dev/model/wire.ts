/**
 * A scripted reply as OpenAI's two APIs send it: a Chat Completions `chat.completion` (or its
 * `chat.completion.chunk` stream) and a Responses `response` (or its event stream). Only the
 * fields clients read are filled; token counts are estimates (4 characters a token).
 */
import type { ModelApi } from './conversation';
import type { Reply } from './script';

type Json = Record<string, unknown>;
type SuccessReply = Exclude<Reply, { kind: 'error' }>;

const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));
const now = () => Math.floor(Date.now() / 1000);

function replyText(reply: SuccessReply): string {
	return reply.kind === 'text' ? reply.text : reply.name + reply.arguments;
}

export function chatCompletion(
	id: string,
	model: string,
	reply: SuccessReply,
	promptTokens: number,
): Json {
	const message =
		reply.kind === 'text'
			? { role: 'assistant', content: reply.text, refusal: null }
			: {
					role: 'assistant',
					content: null,
					refusal: null,
					tool_calls: [
						{
							id: reply.callId,
							type: 'function',
							function: { name: reply.name, arguments: reply.arguments },
						},
					],
				};
	const completionTokens = tokens(replyText(reply));
	return {
		id,
		object: 'chat.completion',
		created: now(),
		model,
		choices: [
			{
				index: 0,
				message,
				logprobs: null,
				finish_reason: reply.kind === 'text' ? 'stop' : 'tool_calls',
			},
		],
		usage: {
			prompt_tokens: promptTokens,
			completion_tokens: completionTokens,
			total_tokens: promptTokens + completionTokens,
		},
	};
}

/** The `data:` payloads of a streamed Chat Completions answer (without the final `[DONE]`). */
export function chatCompletionChunks(
	id: string,
	model: string,
	reply: SuccessReply,
	promptTokens: number,
	includeUsage: boolean,
): Json[] {
	const base = { id, object: 'chat.completion.chunk', created: now(), model };
	const chunk = (delta: Json, finish: string | null) => ({
		...base,
		choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
	});
	const chunks: Json[] = [
		chunk({ role: 'assistant', content: reply.kind === 'text' ? '' : null }, null),
	];
	if (reply.kind === 'text') {
		chunks.push(chunk({ content: reply.text }, null), chunk({}, 'stop'));
	} else {
		chunks.push(
			chunk(
				{
					tool_calls: [
						{
							index: 0,
							id: reply.callId,
							type: 'function',
							function: { name: reply.name, arguments: '' },
						},
					],
				},
				null,
			),
			chunk({ tool_calls: [{ index: 0, function: { arguments: reply.arguments } }] }, null),
			chunk({}, 'tool_calls'),
		);
	}
	if (includeUsage) {
		const completionTokens = tokens(replyText(reply));
		chunks.push({
			...base,
			choices: [],
			usage: {
				prompt_tokens: promptTokens,
				completion_tokens: completionTokens,
				total_tokens: promptTokens + completionTokens,
			},
		});
	}
	return chunks;
}

function outputItem(id: string, reply: SuccessReply): Json {
	return reply.kind === 'text'
		? {
				type: 'message',
				id: `msg_${id}`,
				role: 'assistant',
				status: 'completed',
				content: [{ type: 'output_text', text: reply.text, annotations: [], logprobs: [] }],
			}
		: {
				type: 'function_call',
				id: `fc_${id}`,
				call_id: reply.callId,
				name: reply.name,
				arguments: reply.arguments,
				status: 'completed',
			};
}

export function response(
	id: string,
	model: string,
	reply: SuccessReply,
	inputTokens: number,
	status: 'completed' | 'in_progress' = 'completed',
): Json {
	const outputTokens = tokens(replyText(reply));
	return {
		id: `resp_${id}`,
		object: 'response',
		created_at: now(),
		status,
		error: null,
		incomplete_details: null,
		instructions: null,
		model,
		output: status === 'completed' ? [outputItem(id, reply)] : [],
		parallel_tool_calls: true,
		tool_choice: 'auto',
		tools: [],
		text: { format: { type: 'text' } },
		usage:
			status === 'completed'
				? {
						input_tokens: inputTokens,
						input_tokens_details: { cached_tokens: 0 },
						output_tokens: outputTokens,
						output_tokens_details: { reasoning_tokens: 0 },
						total_tokens: inputTokens + outputTokens,
					}
				: null,
	};
}

/** The events of a streamed Responses answer, in order, each with its `type` and `sequence_number`. */
export function responseEvents(
	id: string,
	model: string,
	reply: SuccessReply,
	inputTokens: number,
): Json[] {
	const item = outputItem(id, reply);
	const events: Json[] = [
		{ type: 'response.created', response: response(id, model, reply, inputTokens, 'in_progress') },
		{
			type: 'response.in_progress',
			response: response(id, model, reply, inputTokens, 'in_progress'),
		},
	];
	if (reply.kind === 'text') {
		const part = { type: 'output_text', text: '', annotations: [] };
		events.push(
			{
				type: 'response.output_item.added',
				output_index: 0,
				item: { ...item, status: 'in_progress', content: [] },
			},
			{
				type: 'response.content_part.added',
				item_id: item.id,
				output_index: 0,
				content_index: 0,
				part,
			},
			{
				type: 'response.output_text.delta',
				item_id: item.id,
				output_index: 0,
				content_index: 0,
				delta: reply.text,
				logprobs: [],
			},
			{
				type: 'response.output_text.done',
				item_id: item.id,
				output_index: 0,
				content_index: 0,
				text: reply.text,
				logprobs: [],
			},
			{
				type: 'response.content_part.done',
				item_id: item.id,
				output_index: 0,
				content_index: 0,
				part: { ...part, text: reply.text },
			},
		);
	} else {
		events.push(
			{
				type: 'response.output_item.added',
				output_index: 0,
				item: { ...item, arguments: '', status: 'in_progress' },
			},
			{
				type: 'response.function_call_arguments.delta',
				item_id: item.id,
				output_index: 0,
				delta: reply.arguments,
			},
			{
				type: 'response.function_call_arguments.done',
				item_id: item.id,
				output_index: 0,
				arguments: reply.arguments,
			},
		);
	}
	events.push(
		{ type: 'response.output_item.done', output_index: 0, item },
		{ type: 'response.completed', response: response(id, model, reply, inputTokens) },
	);
	return events.map((event, sequence) => ({ ...event, sequence_number: sequence }));
}

/** OpenAI's error body. */
export function errorBody(message: string, status: number): Json {
	return {
		error: {
			message,
			type: status === 401 ? 'authentication_error' : 'invalid_request_error',
			param: null,
			code: null,
		},
	};
}

export function modelList(models: string[]): Json {
	return {
		object: 'list',
		data: models.map((id) => ({
			id,
			object: 'model',
			created: 1_700_000_000,
			owned_by: 'scripted',
		})),
	};
}

export function streamPayloads(
	api: ModelApi,
	id: string,
	model: string,
	reply: SuccessReply,
	promptTokens: number,
	includeUsage: boolean,
): Json[] {
	return api === 'chat'
		? chatCompletionChunks(id, model, reply, promptTokens, includeUsage)
		: responseEvents(id, model, reply, promptTokens);
}
