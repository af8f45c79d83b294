import {
	startModelServer,
	type ModelServer,
	type ScriptedConversation,
} from '../../../../tools/dev/model/server';

const KEY = 'sk-scripted-test';
const TOOL = {
	name: 'Exotel_Users',
	description: 'Manage Exotel users',
	parameters: {
		type: 'object',
		properties: { User: { type: 'string', description: 'id or email' } },
		required: ['User'],
	},
};
const SCRIPT: ScriptedConversation[] = [
	{
		name: 'reset',
		when: 'reset',
		turns: [
			{ call: { tool: /exotel/i, arguments: { User: 'asha.rao@example.com' } } },
			{ say: 'Your password was reset.' },
		],
	},
];

let model: ModelServer;
beforeAll(async () => {
	model = await startModelServer({ script: SCRIPT, apiKey: KEY });
});
afterAll(async () => await model.stop());
beforeEach(() => model.reset());

async function post(path: string, body: unknown, key = KEY) {
	const res = await fetch(model.baseUrl + path, {
		method: 'POST',
		headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
	return {
		status: res.status,
		contentType: res.headers.get('content-type'),
		text: await res.text(),
	};
}

/** The events of a server-sent event stream: each `data:` payload with the `event:` name before it. */
function events(text: string): Array<{ event?: string; data: string }> {
	return text
		.split('\n\n')
		.filter((block) => block.trim())
		.map((block) => {
			const lines = block.split('\n');
			return {
				event: lines.find((l) => l.startsWith('event: '))?.slice(7),
				data: lines.find((l) => l.startsWith('data: '))!.slice(6),
			};
		});
}

const chatBody = (messages: unknown[], extra: Record<string, unknown> = {}) => ({
	model: 'gpt-4.1-mini',
	messages,
	tools: [{ type: 'function', function: TOOL }],
	...extra,
});
const responsesBody = (input: unknown[], extra: Record<string, unknown> = {}) => ({
	model: 'gpt-4.1-mini',
	input,
	tools: [{ type: 'function', ...TOOL, strict: false }],
	...extra,
});

describe('the scripted model server', () => {
	it('lists its model at GET /v1/models (what n8n’s credential test and model list call)', async () => {
		const res = await fetch(`${model.baseUrl}/models`, {
			headers: { authorization: `Bearer ${KEY}` },
		});
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({
			object: 'list',
			data: [expect.objectContaining({ id: 'scripted-model', object: 'model' })],
		});
	});

	it('refuses a wrong API key with OpenAI’s 401 error and records nothing', async () => {
		const res = await post(
			'/chat/completions',
			chatBody([{ role: 'user', content: 'reset' }]),
			'sk-wrong',
		);
		expect(res.status).toBe(401);
		expect(JSON.parse(res.text)).toEqual({
			error: expect.objectContaining({
				message: 'Incorrect API key provided.',
				type: 'authentication_error',
			}),
		});
		expect(model.requests).toHaveLength(0);
	});

	it('Chat Completions: calls the tool, then answers in text after the tool result, recording both bodies', async () => {
		const first = await post(
			'/chat/completions',
			chatBody([{ role: 'user', content: 'reset my softphone' }]),
		);
		expect(first.status).toBe(200);
		const completion = JSON.parse(first.text);
		expect(completion).toMatchObject({
			object: 'chat.completion',
			model: 'gpt-4.1-mini',
			choices: [
				{
					finish_reason: 'tool_calls',
					message: {
						role: 'assistant',
						content: null,
						tool_calls: [
							{
								type: 'function',
								function: { name: 'Exotel_Users', arguments: '{"User":"asha.rao@example.com"}' },
							},
						],
					},
				},
			],
			usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
		});
		const call = completion.choices[0].message.tool_calls[0];

		const second = await post(
			'/chat/completions',
			chatBody([
				{ role: 'user', content: 'reset my softphone' },
				completion.choices[0].message,
				{ role: 'tool', tool_call_id: call.id, content: '{"status":"success"}' },
			]),
		);
		expect(JSON.parse(second.text).choices[0]).toMatchObject({
			finish_reason: 'stop',
			message: { role: 'assistant', content: 'Your password was reset.' },
		});

		expect(model.requests.map((r) => [r.api, r.scripted, r.turn, r.reply.kind])).toEqual([
			['chat', 'reset', 0, 'toolCall'],
			['chat', 'reset', 1, 'text'],
		]);
		expect(model.requests[1].conversation.toolResults).toEqual([
			{ callId: call.id, name: 'Exotel_Users', output: '{"status":"success"}' },
		]);
		expect(model.requests[0].conversation.tools).toEqual([TOOL]);
		expect(model.requestsOf('reset')).toHaveLength(2);
	});

	it('Responses: calls the tool with a function_call item, then answers with an output_text message', async () => {
		const first = JSON.parse(
			(await post('/responses', responsesBody([{ role: 'user', content: 'reset my softphone' }])))
				.text,
		);
		expect(first).toMatchObject({
			object: 'response',
			status: 'completed',
			output: [
				{
					type: 'function_call',
					name: 'Exotel_Users',
					arguments: '{"User":"asha.rao@example.com"}',
					call_id: expect.any(String),
					status: 'completed',
				},
			],
			usage: {
				input_tokens: expect.any(Number),
				output_tokens: expect.any(Number),
				total_tokens: expect.any(Number),
			},
		});
		const call = first.output[0];
		const second = JSON.parse(
			(
				await post(
					'/responses',
					responsesBody([
						{ role: 'user', content: 'reset my softphone' },
						{
							type: 'function_call',
							call_id: call.call_id,
							name: call.name,
							arguments: call.arguments,
						},
						{ type: 'function_call_output', call_id: call.call_id, output: '{"status":"success"}' },
					]),
				)
			).text,
		);
		expect(second.output).toEqual([
			expect.objectContaining({
				type: 'message',
				role: 'assistant',
				content: [
					expect.objectContaining({ type: 'output_text', text: 'Your password was reset.' }),
				],
			}),
		]);
		expect(model.requests[1].conversation.toolResults).toEqual([
			{ callId: call.call_id, name: 'Exotel_Users', output: '{"status":"success"}' },
		]);
	});

	it('Chat Completions streamed: the tool call arrives in chunks, then usage, then [DONE]', async () => {
		const res = await post(
			'/chat/completions',
			chatBody([{ role: 'user', content: 'reset' }], {
				stream: true,
				stream_options: { include_usage: true },
			}),
		);
		expect(res.contentType).toBe('text/event-stream');
		const stream = events(res.text);
		expect(stream[stream.length - 1].data).toBe('[DONE]');
		const chunks = stream.slice(0, -1).map((e) => JSON.parse(e.data));
		const args = chunks
			.flatMap((c) => c.choices.flatMap((choice: any) => choice.delta.tool_calls ?? []))
			.map((t: any) => t.function.arguments)
			.join('');
		expect(args).toBe('{"User":"asha.rao@example.com"}');
		expect(chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean)).toEqual(['tool_calls']);
		expect(chunks[chunks.length - 1]).toMatchObject({
			choices: [],
			usage: { total_tokens: expect.any(Number) },
		});
	});

	it('Responses streamed: named events in sequence, ending with response.completed holding the output', async () => {
		const res = await post(
			'/responses',
			responsesBody([{ role: 'user', content: 'reset' }], { stream: true }),
		);
		const stream = events(res.text);
		const payloads = stream.map((e) => JSON.parse(e.data));
		expect(stream.map((e) => e.event)).toEqual(payloads.map((p) => p.type));
		expect(payloads.map((p) => p.sequence_number)).toEqual(payloads.map((_p, i) => i));
		expect(payloads.map((p) => p.type)).toEqual([
			'response.created',
			'response.in_progress',
			'response.output_item.added',
			'response.function_call_arguments.delta',
			'response.function_call_arguments.done',
			'response.output_item.done',
			'response.completed',
		]);
		expect(payloads[payloads.length - 1].response.output).toEqual([
			expect.objectContaining({
				type: 'function_call',
				arguments: '{"User":"asha.rao@example.com"}',
			}),
		]);
	});

	it('Responses streamed text: the text arrives as output_text deltas', async () => {
		const res = await post(
			'/responses',
			responsesBody(
				[
					{ role: 'user', content: 'reset' },
					{ type: 'function_call', call_id: 'c', name: 'Exotel_Users', arguments: '{}' },
					{ type: 'function_call_output', call_id: 'c', output: 'ok' },
				],
				{
					stream: true,
				},
			),
		);
		const payloads = events(res.text).map((e) => JSON.parse(e.data));
		expect(
			payloads
				.filter((p) => p.type === 'response.output_text.delta')
				.map((p) => p.delta)
				.join(''),
		).toBe('Your password was reset.');
	});

	it('answers a request off the script with a 400 naming the problem, and records it', async () => {
		const res = await post(
			'/responses',
			responsesBody([{ role: 'user', content: 'what is the weather' }]),
		);
		expect(res.status).toBe(400);
		expect(JSON.parse(res.text).error.message).toMatch(
			/no conversation matches the user message "what is the weather"/,
		);
		expect(model.requests).toEqual([
			expect.objectContaining({
				scripted: undefined,
				reply: expect.objectContaining({ kind: 'error' }),
			}),
		]);
	});

	it('answers a body that is not JSON with a 400, and an unknown route with a 404', async () => {
		expect((await post('/responses', '{not json')).status).toBe(400);
		expect((await post('/embeddings', { input: 'x' })).status).toBe(404);
	});

	it('takes a new script on reset', async () => {
		model.reset([{ name: 'other', when: 'reset', turns: [{ say: 'New script' }] }]);
		const res = JSON.parse(
			(await post('/chat/completions', chatBody([{ role: 'user', content: 'reset' }]))).text,
		);
		expect(res.choices[0].message.content).toBe('New script');
		model.reset(SCRIPT);
	});
});
