import { readConversation } from '../../../../tools/dev/model/conversation';
import { nextReply, type ScriptedConversation } from '../../../../tools/dev/model/script';

const SCHEMA = { type: 'object', properties: { User: { type: 'string' } } };
const TOOLS = [
	{ type: 'function', function: { name: 'Calculator', description: '', parameters: {} } },
	{
		type: 'function',
		function: { name: 'Exotel_Users', description: 'Exotel', parameters: SCHEMA },
	},
];

const SCRIPT: ScriptedConversation[] = [
	{
		name: 'reset',
		when: /reset .*softphone/i,
		turns: [
			{
				call: {
					tool: /exotel/i,
					arguments: (tool) => ({
						[Object.keys(tool.parameters.properties ?? {})[0]]: 'asha.rao@example.com',
					}),
				},
			},
			{ say: (conversation) => `Done (${conversation.toolResults.length} result)` },
		],
	},
	{ name: 'hello', when: 'hello', turns: [{ say: 'Hi' }] },
	{ name: 'missing tool', when: 'weather', turns: [{ call: { tool: 'Weather', arguments: {} } }] },
];

const chat = (messages: unknown[]) =>
	readConversation('chat', { model: 'm', messages, tools: TOOLS });

describe('nextReply', () => {
	it('calls the tool the pattern picks, with arguments built from its schema, on the first turn', () => {
		const step = nextReply(
			SCRIPT,
			chat([{ role: 'user', content: 'Please reset my softphone' }]),
			7,
		);
		expect(step).toEqual({
			conversation: 'reset',
			turn: 0,
			reply: {
				kind: 'toolCall',
				callId: 'call_scripted_7',
				name: 'Exotel_Users',
				arguments: '{"User":"asha.rao@example.com"}',
			},
		});
	});

	it('answers the next turn once the conversation holds the model’s earlier reply', () => {
		const step = nextReply(
			SCRIPT,
			chat([
				{ role: 'user', content: 'Please reset my softphone' },
				{
					role: 'assistant',
					content: null,
					tool_calls: [
						{ id: 'c1', type: 'function', function: { name: 'Exotel_Users', arguments: '{}' } },
					],
				},
				{ role: 'tool', tool_call_id: 'c1', content: 'ok' },
			]),
			8,
		);
		expect(step).toEqual({
			conversation: 'reset',
			turn: 1,
			reply: { kind: 'text', text: 'Done (1 result)' },
		});
	});

	it('matches a conversation by a part of the user’s first message', () => {
		expect(nextReply(SCRIPT, chat([{ role: 'user', content: 'hello there' }]), 1).reply).toEqual({
			kind: 'text',
			text: 'Hi',
		});
	});

	it.each([
		[
			'no conversation matches',
			[{ role: 'user', content: 'something else' }],
			/no conversation matches the user message "something else"/,
		],
		[
			'the script has no further turn',
			[
				{ role: 'user', content: 'hello' },
				{ role: 'assistant', content: 'Hi' },
				{ role: 'user', content: 'again' },
			],
			/conversation "hello" has no turn 2 \(it has 1\)/,
		],
		[
			'the tool is not offered',
			[{ role: 'user', content: 'weather?' }],
			/calls Weather, but the tools offered are: Calculator, Exotel_Users/,
		],
	])('answers an error (400) when %s', (_case, messages, message) => {
		const { reply } = nextReply(SCRIPT, chat(messages), 1);
		expect(reply).toEqual({ kind: 'error', status: 400, message: expect.stringMatching(message) });
	});
});
