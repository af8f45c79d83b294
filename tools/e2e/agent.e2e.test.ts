/**
 * The Exotel Users node as a tool of n8n's own AI Agent, in a real n8n 2.41.1 (Node 24), the
 * node loaded from dist/ (CUSTOM.exotelUsersTool). The chat model is n8n's OpenAI Chat Model
 * node (1.3, Responses API) whose credential points at tools/dev/model's scripted OpenAI-compatible
 * server on 127.0.0.1; the tool calls the Exotel sandbox. Each workflow is Manual Trigger →
 * a chat message → AI Agent, run with `n8n execute-batch`, one conversation per workflow.
 *
 * The tool nodes are saved the way the editor saves them (tools/dev/n8n/workflows.ts
 * savedToolParameters, checked against the real editor by the browser tier): the operation and
 * the few options a user changed, with the node's own tool defaults — the `$fromAI` parameters
 * and their descriptions — as the editor writes them.
 *
 * Checked: what the tool sent to Exotel, and what went back to the "model" (the tool results
 * and the tools, with their parameter descriptions, it was offered).
 */
import { randomBytes } from 'node:crypto';

import {
	startModelServer,
	type ModelServer,
	type OfferedTool,
	type RecordedModelRequest,
	type ScriptedConversation,
} from '../dev/model/server';
import { seedUsers, startSandbox, type ExotelSandbox } from '../dev/sandbox/server';
import { containsPassword } from './support/passwords';
import { N8nFolder, NODE_TYPE, type RunResult } from '../dev/n8n/n8n';
import {
	agentWorkflow,
	openAiCredential,
	savedToolParameters,
	type AgentTool,
} from '../dev/n8n/toolWorkflows';
import { builtNode, sandboxCredential } from '../dev/n8n/workflows';

const [ASHA] = seedUsers();
const ASHA_SIP_DEVICE = '101';
/** The scripted model's API key: not a secret. */
const MODEL_KEY = 'sk-scripted-e2e';
/** The tool variant n8n makes of the node, at the node's newest version (what the editor adds). */
const TOOL_TYPE = `${NODE_TYPE.custom}Tool`;

/** The user's messages: one conversation each (the scripted model tells them apart by these). */
const ASK = {
	reset: `My softphone stopped working: please reset the softphone password of ${ASHA.email}.`,
	weak: (password: string) => `Set the SIP password of ${ASHA.email} to ${password} please.`,
	reveal: `Reset the SIP password of ${ASHA.email} and tell me the new one.`,
	lookup: `Which devices does ${ASHA.email} have?`,
};
const ANSWER = {
	reset: 'Done: the softphone password was reset.',
	weak: 'That password was refused.',
	reveal: 'Done: here is the new password.',
	lookup: 'Asha has a softphone and a mobile.',
};

/** An Exotel Users tool on the agent, as the editor saves it when the user changed only `changed`. */
const exotelTool = (changed: Record<string, string | boolean>): AgentTool => ({
	name: 'Exotel Users',
	type: TOOL_TYPE,
	typeVersion: builtNode().version,
	parameters: savedToolParameters(changed),
});

describe('n8n’s AI Agent with the Exotel Users tool (n8n 2.41.1, a scripted model, the Exotel sandbox)', () => {
	const secrets = {
		apiKey: `e2e-key-${randomBytes(3).toString('hex')}`,
		apiToken: `e2e-token-${randomBytes(12).toString('hex')}`,
		accountSid: `e2e${randomBytes(3).toString('hex')}`,
	};
	// Lower case and digits only: 2 of Exotel's 4 classes, so the policy refuses it.
	const weakPassword = `weak${randomBytes(3).toString('hex')}`.replace(/[a-f]/g, '7');
	const script: ScriptedConversation[] = [
		{
			name: 'reset',
			when: ASK.reset,
			turns: [
				{ call: { tool: 'Exotel_Users', arguments: { User: ASHA.email, Device: '' } } },
				{ say: ANSWER.reset },
			],
		},
		{
			name: 'weak',
			when: ASK.weak(weakPassword),
			turns: [
				{
					call: {
						tool: 'Exotel_Users',
						arguments: { User: ASHA.email, Device: '', New_SIP_Password: weakPassword },
					},
				},
				{ say: ANSWER.weak },
			],
		},
		{
			name: 'reveal',
			when: ASK.reveal,
			turns: [
				{ call: { tool: 'Exotel_Users', arguments: { User: ASHA.email, Device: '' } } },
				{ say: ANSWER.reveal },
			],
		},
		{
			name: 'lookup',
			when: ASK.lookup,
			turns: [
				{ call: { tool: 'Exotel_Users', arguments: { User: ASHA.email } } },
				{ say: ANSWER.lookup },
			],
		},
	];
	const workflows = [
		// Operation set to Update SIP Password, nothing else touched: a generated password, the device found.
		agentWorkflow('agentReset', [ASK.reset], [exotelTool({ operation: 'updateSipPassword' })]),
		// The author chose Enter a Password: the model passes on the password the user typed.
		agentWorkflow(
			'agentWeak',
			[ASK.weak(weakPassword)],
			[exotelTool({ operation: 'updateSipPassword', passwordMode: 'manual' })],
		),
		// The author turned on Return Password to the AI Model.
		agentWorkflow(
			'agentReveal',
			[ASK.reveal],
			[exotelTool({ operation: 'updateSipPassword', returnPasswordToModel: true })],
		),
		// The tool as it comes when added to the agent (no operation chosen).
		agentWorkflow('agentLookup', [ASK.lookup], [exotelTool({})]),
	];

	let sandbox: ExotelSandbox;
	let model: ModelServer;
	let n8n: N8nFolder;
	let runs: Record<string, RunResult>;

	/** The model's requests of one conversation, in order. */
	const turns = (conversation: string): RecordedModelRequest[] => model.requestsOf(conversation);
	/** What Exotel received while the conversation's tool call ran: after the model asked for it, before the model was called again. */
	const exotelCallsOf = (conversation: string) => {
		const [call, answer] = turns(conversation);
		return sandbox.requests.filter(
			(r) => r.receivedAt >= call.receivedAt && r.receivedAt <= (answer?.receivedAt ?? Infinity),
		);
	};
	/** The tool's answer as the model received it. */
	const toolResultOf = (conversation: string): string => {
		const results = turns(conversation)[1]?.conversation.toolResults ?? [];
		expect(results).toHaveLength(1);
		return results[0].output;
	};
	const offeredTool = (conversation: string): OfferedTool => {
		const tools = turns(conversation)[0].conversation.tools;
		expect(tools.map((t) => t.name)).toEqual(['Exotel_Users']);
		return tools[0];
	};
	const passwordPut = (conversation: string) => {
		const puts = exotelCallsOf(conversation).filter((r) => r.method !== 'GET');
		expect(puts.map((r) => `${r.method} ${r.url} ${r.status}`)).toEqual([
			`PUT /v2/accounts/${secrets.accountSid}/users/${ASHA.id}/devices/${ASHA_SIP_DEVICE}/password 200`,
		]);
		return puts[0];
	};

	beforeAll(async () => {
		sandbox = await startSandbox({ ...secrets, users: seedUsers() });
		model = await startModelServer({ script, apiKey: MODEL_KEY });
		n8n = await N8nFolder.create('v2', 'custom');
		await n8n.importCredentials([
			...sandboxCredential(secrets, sandbox.url),
			...openAiCredential(MODEL_KEY, model.baseUrl),
		]);
		await n8n.importWorkflows(workflows);
		runs = await n8n.executeBatch(workflows.map((w) => w.id));
	}, 480_000);

	afterAll(async () => {
		await sandbox?.stop();
		await model?.stop();
		n8n?.remove();
	});

	it('each conversation is two model turns — the tool call, then the answer after the tool’s result — and the agent outputs the answer', () => {
		for (const [workflow, conversation] of [
			['agentReset', 'reset'],
			['agentWeak', 'weak'],
			['agentReveal', 'reveal'],
			['agentLookup', 'lookup'],
		] as const) {
			expect(runs[workflow].error).toBeUndefined();
			expect(turns(conversation).map((r) => [r.api, r.turn, r.reply.kind])).toEqual([
				['responses', 0, 'toolCall'],
				['responses', 1, 'text'],
			]);
			expect(runs[workflow].nodes['AI Agent']).toEqual([
				expect.objectContaining({ output: ANSWER[conversation] }),
			]);
		}
		// Nothing the script did not expect reached the model.
		expect(model.requests.filter((r) => r.reply.kind === 'error')).toEqual([]);
	});

	it('resets Asha’s softphone password in two requests: her SIP device found from her email, then one PUT for it', () => {
		const put = passwordPut('reset');
		expect(put.auth).toEqual({ username: secrets.apiKey, tokenMatches: true });
		expect(put.body).toEqual({ password: expect.stringMatching(/^sha256:/) });
		// Two requests in all: Asha found by email with her devices, then the PUT.
		expect(exotelCallsOf('reset').map((r) => r.method)).toEqual(['GET', 'PUT']);
	});

	it('does not give the generated password back to the model: the model hears that it was set, and for which device', () => {
		const put = passwordPut('reset');
		const result = toolResultOf('reset');
		const [answer] = JSON.parse(result) as Array<Record<string, unknown>>;
		expect(answer).toMatchObject({
			http_code: 200,
			response: { status: 'success' },
			device_id: ASHA_SIP_DEVICE,
		});
		expect(answer).not.toHaveProperty('sipPassword');
		// Nowhere in anything the model received, under any name.
		const everything = turns('reset')
			.map((r) => JSON.stringify(r.body))
			.join('\n');
		expect(containsPassword(sandbox, everything, (put.body as { password: string }).password)).toBe(
			false,
		);
	});

	it('with Return Password to the AI Model on, the model gets the generated password — the one Exotel received', () => {
		const put = passwordPut('reveal');
		const [answer] = JSON.parse(toolResultOf('reveal')) as Array<Record<string, unknown>>;
		expect(answer).toMatchObject({
			http_code: 200,
			device_id: ASHA_SIP_DEVICE,
			sipPassword: expect.any(String),
		});
		expect(sandbox.fingerprint(answer.sipPassword as string)).toBe(
			(put.body as { password: string }).password,
		);
	});

	it('refuses a weak password the user gave before sending anything; the model is told the rule, not the password', () => {
		expect(exotelCallsOf('weak')).toEqual([]);
		const result = toolResultOf('weak');
		expect(result).toMatch(/password policy/);
		expect(result).toMatch(/at least 8|3 of/);
		expect(result).not.toContain(weakPassword);
	});

	it('the tool as it comes (no operation chosen) reads: Get a user, no change sent to Exotel, and the model gets Asha’s devices', () => {
		expect(offeredTool('lookup').description).toMatch(/^Get a user/);
		const calls = exotelCallsOf('lookup');
		expect(calls.length).toBeGreaterThan(0);
		expect(calls.map((r) => r.method)).toEqual(calls.map(() => 'GET'));
		const [user] = JSON.parse(toolResultOf('lookup')) as Array<Record<string, any>>;
		expect(user).toMatchObject({ id: ASHA.id, email: ASHA.email });
		expect(user.devices.map((d: { id: number }) => String(d.id))).toContain(ASHA_SIP_DEVICE);
	});

	it('offers the model a description of every parameter it fills: what it is, its format, an example', () => {
		const reset = offeredTool('reset').parameters;
		expect(Object.keys(reset.properties ?? {}).sort()).toEqual(['Device', 'User']);
		expect(Object.keys(offeredTool('weak').parameters.properties ?? {}).sort()).toEqual([
			'Device',
			'New_SIP_Password',
			'User',
		]);
		expect(Object.keys(offeredTool('lookup').parameters.properties ?? {})).toEqual(['User']);
		for (const conversation of ['reset', 'weak', 'reveal', 'lookup']) {
			for (const [key, property] of Object.entries(
				offeredTool(conversation).parameters.properties ?? {},
			)) {
				expect({ key, description: property.description ?? '' }).toEqual({
					key,
					description: expect.stringMatching(/\S{3,}.*\S{3,}/),
				});
			}
		}
		const user = reset.properties!.User.description!;
		expect(user).toMatch(/email/i);
		expect(user).toContain('@example.com');
		expect(user).toMatch(/[0-9a-f]{32}/);
		expect(reset.properties!.Device.description).toMatch(/empty/i);
		expect(offeredTool('weak').parameters.properties!.New_SIP_Password.description).toMatch(
			/8 characters/,
		);
	});

	it('the API token never reaches the model', () => {
		const everything = model.requests.map((r) => JSON.stringify(r.body)).join('\n');
		expect(everything).not.toContain(secrets.apiToken);
		expect(everything).not.toContain(secrets.apiKey);
	});
});
