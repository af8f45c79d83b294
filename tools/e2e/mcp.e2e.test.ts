/**
 * The Exotel Users node behind n8n's MCP Server Trigger, in a real n8n 2.41.1 (Node 24) with
 * the package installed as the README says (n8n-nodes-exotel-users.exotelUsersTool), called by the official MCP TypeScript
 * client (@modelcontextprotocol/sdk) over streamable HTTP with a bearer token, against the
 * Exotel sandbox. The workflow is published (active), so the client uses its production URL,
 * as Claude Desktop (through mcp-remote) or an IDE would.
 *
 * Checked: what tools/list offers a client (the tools and their model-facing descriptions),
 * what tools/call sends to Exotel and returns to the client — and that neither the generated
 * password (unless the workflow's author opted in) nor the API token reaches the client.
 */
import { randomBytes } from 'node:crypto';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { seedUsers, startSandbox, type ExotelSandbox } from '../dev/sandbox/server';
import { containsPassword } from './support/passwords';
import { freePort, N8nFolder, NODE_TYPE } from '../dev/n8n/n8n';
import { startN8n, type RunningN8n } from '../dev/n8n/server';
import {
	mcpBearerCredential,
	mcpServerWorkflow,
	savedToolParameters,
	type AgentTool,
} from '../dev/n8n/toolWorkflows';
import { activateWorkflow, builtNode, sandboxCredential } from '../dev/n8n/workflows';

const [ASHA, VIKRAM] = seedUsers();
/** The tool variant n8n makes of the installed package's node. */
const TOOL_TYPE = `${NODE_TYPE.package}Tool`;
const MCP_PATH = 'exotel-e2e';

/** An Exotel Users tool as the editor saves it when the author changed only `changed`. */
const exotelTool = (name: string, changed: Record<string, string | boolean>): AgentTool => ({
	name,
	type: TOOL_TYPE,
	typeVersion: builtNode().version,
	parameters: savedToolParameters(changed),
});

/** Until the production URL answers something other than "not registered" (404), at most 60 s. */
async function waitForWebhook(url: string): Promise<void> {
	for (const started = Date.now(); Date.now() - started < 60_000; ) {
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		});
		if (response.status !== 404) return;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`${url} was not registered within 60 s`);
}

type ToolResult = { content: Array<{ type: string; text?: string }>; isError?: boolean };

describe('the Exotel Users node behind n8n’s MCP Server Trigger (n8n 2.41.1, MCP TypeScript client, the Exotel sandbox)', () => {
	const secrets = {
		apiKey: `mcp-key-${randomBytes(3).toString('hex')}`,
		apiToken: `mcp-token-${randomBytes(12).toString('hex')}`,
		accountSid: `mcp${randomBytes(3).toString('hex')}`,
	};
	const bearer = `mcp-bearer-${randomBytes(16).toString('hex')}`;
	// Lower case and digits only: 2 of Exotel's 4 classes, so the policy refuses it.
	const weakPassword = `weak${randomBytes(3).toString('hex')}`.replace(/[a-f]/g, '7');
	const workflow = mcpServerWorkflow('mcpExotel', MCP_PATH, [
		// Update SIP Password, nothing else changed: a generated password, withheld from the model.
		exotelTool('Reset SIP Password', { operation: 'updateSipPassword' }),
		// The author turned on Return Password to the AI Model.
		exotelTool('Reset And Reveal', { operation: 'updateSipPassword', returnPasswordToModel: true }),
		// The author chose Enter a Password: the client supplies it.
		exotelTool('Set SIP Password', { operation: 'updateSipPassword', passwordMode: 'manual' }),
		// The tool as it comes (User → Get).
		exotelTool('Exotel Users', {}),
	]);

	let sandbox: ExotelSandbox;
	let folder: N8nFolder;
	let n8n: RunningN8n;
	let client: Client;
	let url: string;
	/** Everything the client received, as text, for the secret searches. */
	const received: string[] = [];
	let tools: Awaited<ReturnType<Client['listTools']>>['tools'];

	const call = async (name: string, args: Record<string, unknown>) => {
		const before = sandbox.requests.length;
		const result = (await client.callTool({ name, arguments: args })) as ToolResult;
		received.push(JSON.stringify(result));
		const text = result.content.map((c) => c.text ?? '').join('\n');
		return { result, text, exotel: sandbox.requests.slice(before) };
	};

	beforeAll(async () => {
		sandbox = await startSandbox({ ...secrets, users: seedUsers() });
		// Installed as the README says (a community package in ~/.n8n/nodes), with no setting about tools.
		folder = await N8nFolder.create('v2', 'package', {
			N8N_DISABLED_MODULES: 'mcp-registry,instance-ai',
		});
		await folder.importCredentials([
			...sandboxCredential(secrets, sandbox.url),
			...mcpBearerCredential(bearer),
		]);
		await folder.importWorkflows([workflow]);
		n8n = await startN8n(folder, await freePort());
		await activateWorkflow(n8n.rest, workflow.id);
		// n8n registers a published workflow's webhooks a moment after the Publish call answers.
		await waitForWebhook(`${n8n.url}/mcp/${MCP_PATH}`);
		url = `${n8n.url}/mcp/${MCP_PATH}`;
		client = new Client({ name: 'exotel-e2e', version: '1.0.0' });
		await client.connect(
			new StreamableHTTPClientTransport(new URL(url), {
				requestInit: { headers: { Authorization: `Bearer ${bearer}` } },
			}),
		);
		const listed = await client.listTools();
		received.push(JSON.stringify(listed));
		tools = listed.tools;
	}, 300_000);

	afterAll(async () => {
		await client?.close().catch(() => undefined);
		await n8n?.stop();
		await sandbox?.stop();
		folder?.remove();
	});

	it('refuses a client without the bearer token', async () => {
		const response = await fetch(url, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				accept: 'application/json, text/event-stream',
			},
			body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
		});
		expect(response.status).toBe(403);
		expect(await response.text()).not.toContain('Exotel');
	});

	it('tools/list offers each Exotel tool under its node name, with the descriptions written for a model', () => {
		expect(tools.map((t) => t.name).sort()).toEqual([
			'Exotel_Users',
			'Reset_And_Reveal',
			'Reset_SIP_Password',
			'Set_SIP_Password',
		]);
		const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
		expect(byName.Reset_SIP_Password.description).toMatch(/SIP password/i);
		expect(byName.Exotel_Users.description).toMatch(/^Get a user/);
		const reset = byName.Reset_SIP_Password.inputSchema.properties as Record<
			string,
			{ description?: string }
		>;
		expect(Object.keys(reset).sort()).toEqual(['Device', 'User']);
		expect(reset.User.description).toMatch(/email/i);
		expect(reset.User.description).toMatch(/[0-9a-f]{32}/);
		expect(reset.Device.description).toMatch(/empty/i);
		const manual = byName.Set_SIP_Password.inputSchema.properties as Record<
			string,
			{ description?: string }
		>;
		expect(Object.keys(manual).sort()).toEqual(['Device', 'New_SIP_Password', 'User']);
		expect(manual.New_SIP_Password.description).toMatch(/8 characters/);
	});

	it('tools/call resets a password with one PUT, and the client hears that it was set — not the password', async () => {
		const { text, exotel } = await call('Reset_SIP_Password', { User: ASHA.email, Device: '' });
		const writes = exotel.filter((r) => r.method !== 'GET');
		expect(writes.map((r) => `${r.method} ${r.url} ${r.status}`)).toEqual([
			`PUT /v2/accounts/${secrets.accountSid}/users/${ASHA.id}/devices/101/password 200`,
		]);
		expect(text).toContain('"device_id":"101"');
		expect(text).not.toContain('sipPassword');
		const fingerprint = (writes[0].body as { password: string }).password;
		expect(containsPassword(sandbox, received.join('\n'), fingerprint)).toBe(false);
	});

	it('with Return Password to the AI Model on, the client gets the generated password — the one Exotel received', async () => {
		const { text, exotel } = await call('Reset_And_Reveal', { User: VIKRAM.email, Device: '' });
		const writes = exotel.filter((r) => r.method !== 'GET');
		expect(writes).toHaveLength(1);
		const [answer] = JSON.parse(text) as Array<Record<string, unknown>>;
		expect(answer).toMatchObject({ device_id: '201', sipPassword: expect.any(String) });
		expect(sandbox.fingerprint(answer.sipPassword as string)).toBe(
			(writes[0].body as { password: string }).password,
		);
	});

	it('refuses a weak password from the client before anything is sent, and names the rule, not the password', async () => {
		const { text, exotel } = await call('Set_SIP_Password', {
			User: ASHA.email,
			Device: '',
			New_SIP_Password: weakPassword,
		});
		expect(exotel).toEqual([]);
		expect(text).toMatch(/password policy/);
		expect(text).not.toContain(weakPassword);
	});

	it('no Exotel key or token, in clear or base64, in anything the client received', () => {
		const everything = received.join('\n');
		const basic = Buffer.from(`${secrets.apiKey}:${secrets.apiToken}`).toString('base64');
		for (const secret of [
			secrets.apiToken,
			secrets.apiKey,
			basic,
			Buffer.from(secrets.apiToken).toString('base64').slice(0, 12),
		]) {
			expect(everything).not.toContain(secret);
		}
	});
});
