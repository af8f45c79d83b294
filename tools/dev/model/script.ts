/**
 * The model's script: which conversation a request belongs to (by the user's first message)
 * and what the model says at each of its turns in it (a tool call, or a text answer).
 */
import type { ModelConversation, OfferedTool } from './conversation';

/** Call one of the offered tools. */
export interface CallTurn {
	call: {
		/** The tool's name, or a pattern that picks one of the offered tools (n8n names a tool after its node). */
		tool: string | RegExp;
		/** The arguments, or a function of the offered tool (e.g. to read its schema) and the conversation. */
		arguments:
			| Record<string, unknown>
			| ((tool: OfferedTool, conversation: ModelConversation) => Record<string, unknown>);
	};
}

/** Answer in text. */
export interface SayTurn {
	say: string | ((conversation: ModelConversation) => string);
}

export type Turn = CallTurn | SayTurn;

export interface ScriptedConversation {
	/** A name for the request log and error messages. */
	name: string;
	/** Picks the conversation: a part of, or a pattern for, the user's first message. */
	when: string | RegExp;
	/** The model's replies in order: turn n answers a conversation that already holds n replies of the model. */
	turns: Turn[];
}

/** What the model answers to one request. */
export type Reply =
	| { kind: 'text'; text: string }
	| { kind: 'toolCall'; callId: string; name: string; arguments: string }
	| { kind: 'error'; status: number; message: string };

const matches = (pattern: string | RegExp, text: string) =>
	typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);

function pickTool(pattern: string | RegExp, tools: OfferedTool[]): OfferedTool | undefined {
	return tools.find((tool) =>
		typeof pattern === 'string' ? tool.name === pattern : pattern.test(tool.name),
	);
}

export interface ScriptStep {
	conversation?: string;
	turn: number;
	reply: Reply;
}

/**
 * The scripted reply to a request. A request no conversation matches, a turn past the end
 * of the script, or a call of a tool that was not offered is answered with an error that
 * says so (status 400, which OpenAI clients do not retry), so a test sees it.
 */
export function nextReply(
	script: ScriptedConversation[],
	conversation: ModelConversation,
	callNumber: number,
): ScriptStep {
	const first = conversation.user[0] ?? '';
	const scripted = script.find((candidate) => matches(candidate.when, first));
	const turn = conversation.assistantTurns;
	if (!scripted) {
		return {
			turn,
			reply: {
				kind: 'error',
				status: 400,
				message: `scripted model: no conversation matches the user message ${JSON.stringify(first.slice(0, 200))}`,
			},
		};
	}
	const step = scripted.turns[turn];
	if (!step) {
		return {
			conversation: scripted.name,
			turn,
			reply: {
				kind: 'error',
				status: 400,
				message: `scripted model: conversation "${scripted.name}" has no turn ${turn + 1} (it has ${scripted.turns.length})`,
			},
		};
	}
	if ('say' in step) {
		return {
			conversation: scripted.name,
			turn,
			reply: {
				kind: 'text',
				text: typeof step.say === 'function' ? step.say(conversation) : step.say,
			},
		};
	}
	const tool = pickTool(step.call.tool, conversation.tools);
	if (!tool) {
		const offered = conversation.tools.map((t) => t.name).join(', ') || 'none';
		return {
			conversation: scripted.name,
			turn,
			reply: {
				kind: 'error',
				status: 400,
				message: `scripted model: conversation "${scripted.name}" turn ${turn + 1} calls ${String(step.call.tool)}, but the tools offered are: ${offered}`,
			},
		};
	}
	const args =
		typeof step.call.arguments === 'function'
			? step.call.arguments(tool, conversation)
			: step.call.arguments;
	return {
		conversation: scripted.name,
		turn,
		reply: {
			kind: 'toolCall',
			callId: `call_scripted_${callNumber}`,
			name: tool.name,
			arguments: JSON.stringify(args),
		},
	};
}
