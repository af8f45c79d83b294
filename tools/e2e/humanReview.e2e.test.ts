/**
 * Human review of the Exotel tool's destructive calls, with n8n 2.41.1's "Human in the Loop"
 * tools: the AI Agent's Delete and Update SIP Password tools reach it only through a Send Email
 * "Human review" node, so each call waits for a person to click Approve or Decline in an email.
 * A real n8n (`n8n start`: a waiting execution resumes through its webhook), the workflow
 * published and started from its production Webhook, the scripted model (tools/dev/model), the
 * local mailbox (tools/dev/smtp) and the Exotel sandbox.
 *
 * Checked: nothing reaches Exotel before the reviewer answers; Approve runs the call (one PUT);
 * Decline sends nothing, and the model is told the call was rejected.
 */
import { randomBytes } from 'node:crypto';

import { startModelServer, type ModelServer, type ScriptedConversation } from '../dev/model/server';
import { freePort, N8nFolder, NODE_TYPE } from '../dev/n8n/n8n';
import { startN8n, type RunningN8n } from '../dev/n8n/server';
import {
	openAiCredential,
	reviewedAgentWorkflow,
	savedToolParameters,
	type AgentTool,
} from '../dev/n8n/toolWorkflows';
import {
	activateWorkflow,
	builtNode,
	sandboxCredential,
	smtpCredential,
} from '../dev/n8n/workflows';
import { seedUsers, startSandbox, type ExotelSandbox } from '../dev/sandbox/server';
import { smtpCredentialData, startMailbox, type Mail, type Mailbox } from '../dev/smtp/mailbox';

const [ASHA, VIKRAM] = seedUsers();
const MODEL_KEY = 'sk-scripted-e2e';
const TOOL_TYPE = `${NODE_TYPE.custom}Tool`;
const REVIEWER = 'reviewer@example.com';
const PATH = 'exotel-reviewed-agent';
const BROWSER =
	'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

const ASK = {
	reset: `Please reset the softphone password of ${ASHA.email}.`,
	remove: `Delete the Exotel user ${VIKRAM.email}, they left.`,
};
const ANSWER = {
	reset: 'The password was reset after approval.',
	remove: 'The deletion was declined by the reviewer.',
};

const exotelTool = (name: string, changed: Record<string, string | boolean>): AgentTool => ({
	name,
	type: TOOL_TYPE,
	typeVersion: builtNode().version,
	parameters: savedToolParameters(changed),
});

/** A guarded tool's schema: the tool's own parameters under toolParameters, the review layer's under hitlParameters. */
const reviewedCall = (toolParameters: Record<string, unknown>) => ({
	toolParameters,
	hitlParameters: {},
});

describe('human review of Delete and Update SIP Password (n8n 2.41.1 Human in the Loop, Send Email)', () => {
	const secrets = {
		apiKey: `hitl-key-${randomBytes(3).toString('hex')}`,
		apiToken: `hitl-token-${randomBytes(12).toString('hex')}`,
		accountSid: `hitl${randomBytes(3).toString('hex')}`,
	};
	const script: ScriptedConversation[] = [
		{
			name: 'reset',
			when: ASK.reset,
			turns: [
				{
					call: {
						tool: 'Reset_SIP_password',
						arguments: reviewedCall({ User: ASHA.email, Device: '' }),
					},
				},
				{ say: ANSWER.reset },
			],
		},
		{
			name: 'remove',
			when: ASK.remove,
			turns: [
				{ call: { tool: 'Delete_Exotel_user', arguments: reviewedCall({ User: VIKRAM.email }) } },
				{ say: ANSWER.remove },
			],
		},
	];
	const workflow = reviewedAgentWorkflow('exoReviewed', PATH, REVIEWER, [
		exotelTool('Reset SIP password', { operation: 'updateSipPassword' }),
		exotelTool('Delete Exotel user', { operation: 'delete' }),
	]);

	let sandbox: ExotelSandbox;
	let model: ModelServer;
	let mailbox: Mailbox;
	let folder: N8nFolder;
	let n8n: RunningN8n;

	const writes = () => sandbox.requests.filter((r) => r.method !== 'GET');
	/** Starts the agent from the production webhook (n8n registers it a moment after Publish: a 404 until then). */
	const ask = async (chatInput: string) => {
		for (const started = Date.now(); ; ) {
			const response = await fetch(`${n8n.url}/webhook/${PATH}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ chatInput }),
			});
			if (response.status !== 404 || Date.now() - started > 60_000) {
				expect(response.status).toBe(200);
				return;
			}
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	};
	/** The approval email about `tool`, and its button link that says `approved`. */
	const button = (mail: Mail, approved: boolean): string => {
		const links = [...mail.html.matchAll(/href="([^"]+)"/g)].map((m) =>
			m[1].replace(/&amp;/g, '&'),
		);
		const link = links.find((l) => l.includes(`approved=${approved}`));
		if (!link)
			throw new Error(`no ${approved ? 'approve' : 'decline'} link in: ${links.join(' ')}`);
		return link;
	};
	/**
	 * Clicks an email button. The email leaves a moment before n8n has put the execution to wait,
	 * and a click in between is answered 409 ("running already"): a person clicks again. A
	 * browser's user agent: n8n ignores approval links opened by bots (link scanners), and takes
	 * Node's `fetch` for one.
	 */
	const click = async (link: string): Promise<number> => {
		for (const started = Date.now(); ; ) {
			const response = await fetch(link, { headers: { 'user-agent': BROWSER } });
			if (response.status !== 409 || Date.now() - started > 30_000) return response.status;
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	};
	const waitUntil = async (done: () => boolean, what: string, timeoutMs = 60_000) => {
		for (const started = Date.now(); !done(); ) {
			if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	};

	beforeAll(async () => {
		sandbox = await startSandbox({ ...secrets, users: seedUsers() });
		model = await startModelServer({ script, apiKey: MODEL_KEY });
		mailbox = await startMailbox();
		folder = await N8nFolder.create('v2', 'custom', {
			N8N_DISABLED_MODULES: 'mcp-registry,instance-ai',
		});
		await folder.importCredentials([
			...sandboxCredential(secrets, sandbox.url),
			...openAiCredential(MODEL_KEY, model.baseUrl),
			...smtpCredential(smtpCredentialData(mailbox)),
		]);
		await folder.importWorkflows([workflow]);
		n8n = await startN8n(folder, await freePort());
		await activateWorkflow(n8n.rest, workflow.id);
	}, 300_000);

	afterAll(async () => {
		await n8n?.stop();
		await mailbox?.close();
		await model?.stop();
		await sandbox?.stop();
		folder?.remove();
	});

	it('Update SIP Password waits for the reviewer: nothing sent before Approve, one PUT after it', async () => {
		await ask(ASK.reset);
		const [mail] = await mailbox.waitFor(1, 60_000);
		expect(mail.to).toEqual([REVIEWER]);
		expect(mail.subject).toBe('Approve an Exotel change');
		expect(mail.html).toContain('Reset_SIP_password');
		expect(mail.html).toContain(ASHA.email);
		expect(sandbox.requests).toEqual([]); // the tool has not run at all

		expect(await click(button(mail, true))).toBe(200);
		await waitUntil(() => model.requestsOf('reset').length >= 2, 'the model’s second turn');
		expect(writes().map((r) => `${r.method} ${r.url} ${r.status}`)).toEqual([
			`PUT /v2/accounts/${secrets.accountSid}/users/${ASHA.id}/devices/101/password 200`,
		]);
		const [result] = model.requestsOf('reset')[1].conversation.toolResults;
		expect(result.output).toContain('"device_id":"101"');
		expect(result.output).not.toContain('sipPassword');
	});

	it('Delete declined: nothing sent to Exotel, and the model hears the call was rejected', async () => {
		const before = sandbox.requests.length;
		mailbox.clear();
		await ask(ASK.remove);
		const [mail] = await mailbox.waitFor(1, 60_000);
		expect(mail.html).toContain('Delete_Exotel_user');
		expect(mail.html).toContain(VIKRAM.email);
		expect(await click(button(mail, false))).toBe(200);
		await waitUntil(() => model.requestsOf('remove').length >= 2, 'the model’s second turn');
		expect(sandbox.requests.slice(before)).toEqual([]);
		expect(sandbox.users.has(VIKRAM.id)).toBe(true);
		const [result] = model.requestsOf('remove')[1].conversation.toolResults;
		expect(result.output).toMatch(/rejected the tool call/);
	});

	it('the API token reaches neither the reviewer’s email nor the model', () => {
		const everything = [
			...mailbox.messages().map((m) => m.html + m.text),
			...model.requests.map((r) => JSON.stringify(r.body)),
		].join('\n');
		expect(everything).not.toContain(secrets.apiToken);
	});
});
