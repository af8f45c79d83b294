import { readConversation } from '../../../../tools/dev/model/conversation';

const TOOL_SCHEMA = {
	type: 'object',
	properties: { User: { type: 'string', description: 'The user id or email' } },
	required: ['User'],
};

describe('readConversation', () => {
	it('reads a Chat Completions body: system, user, offered tools, past calls and named tool results', () => {
		const conversation = readConversation('chat', {
			model: 'gpt-4.1-mini',
			stream: true,
			messages: [
				{ role: 'system', content: 'You are a helpful assistant' },
				{
					role: 'user',
					content: [
						{ type: 'text', text: 'Reset ' },
						{ type: 'text', text: 'my password' },
					],
				},
				{
					role: 'assistant',
					content: null,
					tool_calls: [
						{
							id: 'call_1',
							type: 'function',
							function: { name: 'Exotel', arguments: '{"User":"a"}' },
						},
					],
				},
				{ role: 'tool', tool_call_id: 'call_1', content: '{"ok":true}' },
			],
			tools: [
				{
					type: 'function',
					function: { name: 'Exotel', description: 'Manage Exotel users', parameters: TOOL_SCHEMA },
				},
			],
		});
		expect(conversation).toEqual({
			api: 'chat',
			model: 'gpt-4.1-mini',
			stream: true,
			system: ['You are a helpful assistant'],
			user: ['Reset my password'],
			assistantTurns: 1,
			toolCalls: [{ callId: 'call_1', name: 'Exotel', arguments: '{"User":"a"}' }],
			toolResults: [{ callId: 'call_1', name: 'Exotel', output: '{"ok":true}' }],
			tools: [{ name: 'Exotel', description: 'Manage Exotel users', parameters: TOOL_SCHEMA }],
		});
	});

	it('reads a Responses body: instructions, input items, and consecutive assistant items as one turn', () => {
		const conversation = readConversation('responses', {
			model: 'gpt-4.1-mini',
			instructions: 'Be brief',
			input: [
				{ role: 'system', content: 'You are a helpful assistant' },
				{
					type: 'message',
					role: 'user',
					content: [{ type: 'input_text', text: 'Reset my password' }],
				},
				{
					type: 'message',
					role: 'assistant',
					content: [{ type: 'output_text', text: 'Looking.' }],
				},
				{ type: 'function_call', call_id: 'call_1', name: 'Exotel', arguments: '{}' },
				{ type: 'function_call', call_id: 'call_2', name: 'Other', arguments: '{}' },
				{ type: 'function_call_output', call_id: 'call_2', output: 'two' },
				{
					type: 'function_call_output',
					call_id: 'call_1',
					output: [{ type: 'input_text', text: 'one' }],
				},
				{ type: 'function_call', call_id: 'call_3', name: 'Exotel', arguments: '{"a":1}' },
				{ type: 'function_call_output', call_id: 'call_3', output: { structured: true } },
			],
			tools: [
				{
					type: 'function',
					name: 'Exotel',
					description: 'Manage Exotel users',
					parameters: TOOL_SCHEMA,
					strict: false,
				},
			],
		});
		expect(conversation.api).toBe('responses');
		expect(conversation.stream).toBe(false);
		expect(conversation.system).toEqual(['Be brief', 'You are a helpful assistant']);
		expect(conversation.user).toEqual(['Reset my password']);
		expect(conversation.assistantTurns).toBe(2);
		expect(conversation.toolResults).toEqual([
			{ callId: 'call_2', name: 'Other', output: 'two' },
			{ callId: 'call_1', name: 'Exotel', output: 'one' },
			{ callId: 'call_3', name: 'Exotel', output: '{"structured":true}' },
		]);
		expect(conversation.tools).toEqual([
			{ name: 'Exotel', description: 'Manage Exotel users', parameters: TOOL_SCHEMA },
		]);
	});

	it('takes a Responses input given as a plain string as the user’s message', () => {
		const conversation = readConversation('responses', { model: 'm', input: 'hello' });
		expect(conversation.user).toEqual(['hello']);
		expect(conversation.assistantTurns).toBe(0);
	});

	it('ignores tools that are not functions and bodies that are not objects', () => {
		expect(
			readConversation('chat', {
				messages: [],
				tools: [{ type: 'web_search' }, { type: 'function' }],
			}).tools,
		).toEqual([]);
		expect(readConversation('responses', 'nonsense')).toMatchObject({
			user: [],
			tools: [],
			assistantTurns: 0,
		});
	});
});
