/**
 * The examples (examples/*.json) as the delivery and lock-out tiers run them: imported as a user
 * imports them, published so their production webhooks answer, run by hand through the REST
 * API as the editor's "Execute workflow" button does, and their emails read back from the
 * local mailbox (tools/dev/smtp/mailbox.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Mail } from '../smtp/mailbox';
import { ROOT } from './n8n';
import type { Workflow } from './workflows';

/** The node type the examples are written with (the package installed from npm). */
export const PACKAGE_NODE_TYPE = 'n8n-nodes-exotel-users.exotelUsers';

/** The SMTP credential the examples' Send Email nodes use (id and name as in the files). */
export const SMTP_CREDENTIAL = { id: 'smtpMailbox0001', name: 'SMTP (your mail server)' };

/** The address the examples send from, and mail an agent's password to when Exotel has no email for them. */
export const IT_DESK = 'it-desk@example.com';

export const EXAMPLE_IDS = {
	onboarding: 'exoExampleOnboard',
	ticket: 'exoExampleTicket',
	rotation: 'exoExampleRotate',
	recovery: 'exoExampleRecover',
	coworker: 'exoExampleCoworker',
} as const;

/** The Header Auth credential the examples' webhooks check (n8n's `httpHeaderAuth`), and the header callers send. */
export const WEBHOOK_AUTH = {
	id: 'exoWebhookAuth01',
	name: 'Webhook callers (Header Auth)',
	header: 'X-Exotel-Webhook-Key',
};

/** The examples' Header Auth credential in n8n's import format, accepting `value` in WEBHOOK_AUTH.header. */
export function webhookAuthCredential(value: string) {
	return [
		{
			id: WEBHOOK_AUTH.id,
			name: WEBHOOK_AUTH.name,
			type: 'httpHeaderAuth',
			data: { name: WEBHOOK_AUTH.header, value },
		},
	];
}

/** A SIP Password Key as the README says to make one (`openssl rand -base64 32`): 256 random bits. */
export function newPasswordKey(): string {
	return randomBytes(32).toString('base64');
}

/**
 * A copy of an example for one test case: another id and name, its Exotel and SMTP nodes on the
 * given credentials, its error workflow kept. Lets cases run side by side on separate accounts
 * and mailboxes (workflow static data, which remembers finished rotations, is per workflow).
 */
export function exampleCopy(
	workflow: Workflow,
	id: string,
	credentials: { exotel?: { id: string; name: string }; smtp?: { id: string; name: string } },
): Workflow {
	return {
		...workflow,
		id,
		name: `${workflow.name} (${id})`,
		nodes: workflow.nodes.map((node) => {
			const refs = node.credentials as Record<string, { id: string; name: string }> | undefined;
			if (!refs) return node;
			return {
				...node,
				credentials: {
					...refs,
					...(refs.exotelUsersApi && credentials.exotel
						? { exotelUsersApi: credentials.exotel }
						: {}),
					...(refs.smtp && credentials.smtp ? { smtp: credentials.smtp } : {}),
				},
			};
		}),
	};
}

/** The recovery example with its wait before the re-run set to `seconds` (the file waits 5 minutes). */
export function recoveryWaiting(workflow: Workflow, seconds: number): Workflow {
	const wait = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.wait');
	if (!wait) throw new Error(`${workflow.name} has no Wait node`);
	return {
		...workflow,
		nodes: workflow.nodes.map((node) =>
			node === wait
				? { ...node, parameters: { ...node.parameters, amount: seconds, unit: 'seconds' } }
				: node,
		),
	};
}

/** An example from examples/, as stored, its Exotel nodes typed for the node as n8n loads it. */
export function loadExample(file: string, nodeType = PACKAGE_NODE_TYPE): Workflow {
	const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as Workflow;
	// The package's prefix (n8n-nodes-exotel-users.) becomes the load's (CUSTOM. for N8N_CUSTOM_EXTENSIONS), for the trigger too.
	const from = PACKAGE_NODE_TYPE.slice(0, PACKAGE_NODE_TYPE.lastIndexOf('.') + 1);
	const to = nodeType.slice(0, nodeType.lastIndexOf('.') + 1);
	return {
		...workflow,
		nodes: workflow.nodes.map((node) =>
			node.type.startsWith(from) ? { ...node, type: to + node.type.slice(from.length) } : node,
		),
	};
}

/**
 * The quarterly rotation with its schedule replaced by a production webhook (POST `path`,
 * answering at once), so a test can start a production run when it wants; everything else —
 * the re-run trigger, the settings, the error workflow — as in the file.
 */
export function rotationOnWebhook(workflow: Workflow, path: string, id = workflow.id): Workflow {
	const schedule = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.scheduleTrigger');
	if (!schedule) throw new Error(`${workflow.name} has no Schedule Trigger`);
	const hex = createHash('sha256').update(path).digest('hex');
	const webhookId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
	return {
		...workflow,
		id,
		nodes: workflow.nodes.map((node) =>
			node === schedule
				? {
						...node,
						type: 'n8n-nodes-base.webhook',
						typeVersion: 2,
						webhookId,
						parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
					}
				: node,
		),
	};
}

interface Rest {
	rest: (method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>;
}

/** Publishes (activates) a workflow as the editor does: n8n 2.x has an activate route, 1.x a PATCH of `active`. */
export async function activateWorkflow(n8n: Rest, id: string): Promise<void> {
	const current = await n8n.rest('GET', `/rest/workflows/${id}`);
	if (current.status !== 200)
		throw new Error(`workflow ${id}: ${current.status} ${JSON.stringify(current.json)}`);
	const { versionId } = current.json.data;
	let answer = await n8n.rest('POST', `/rest/workflows/${id}/activate`, { versionId });
	if (answer.status === 404)
		answer = await n8n.rest('PATCH', `/rest/workflows/${id}`, { active: true, versionId });
	if (answer.status !== 200)
		throw new Error(`activating ${id} failed: ${answer.status} ${JSON.stringify(answer.json)}`);
}

/**
 * Runs a workflow by hand from its trigger `trigger`, as the editor's "Execute workflow" does
 * (execution mode `manual`). Resolves once n8n has accepted the run; it goes on in the background.
 */
export async function runManually(n8n: Rest, id: string, trigger = 'Start'): Promise<void> {
	const current = await n8n.rest('GET', `/rest/workflows/${id}`);
	if (current.status !== 200)
		throw new Error(`workflow ${id}: ${current.status} ${JSON.stringify(current.json)}`);
	// n8n 2.x reads the workflow from its database and starts from `triggerToStartFrom`; 1.x takes the workflow from the body.
	const answer = await n8n.rest('POST', `/rest/workflows/${id}/run`, {
		workflowData: current.json.data,
		triggerToStartFrom: { name: trigger },
	});
	if (answer.status !== 200 || answer.json?.data?.waitingForWebhook)
		throw new Error(
			`running ${id} by hand failed: ${answer.status} ${JSON.stringify(answer.json)}`,
		);
}

export interface MailedLogin {
	sipUsername: string;
	password: string;
	/** The user a mail to the IT desk is about. */
	userId?: string;
}

/**
 * What an example's email hands on: the SIP username and the password (from its plain text),
 * or undefined for a mail that carries no login (the IT desk told that a mail was refused).
 */
export function loginIn(mail: Mail): MailedLogin | undefined {
	const sipUsername = /^SIP user ?name: (\S+)$/m.exec(mail.text)?.[1];
	const password = /^(?:SIP )?[Pp]assword: (\S+)$/m.exec(mail.text)?.[1];
	if (!sipUsername || !password) return undefined;
	const userId = /\(user ([0-9a-f]+)[,)]/.exec(mail.text)?.[1];
	return { sipUsername, password, ...(userId ? { userId } : {}) };
}

/** loginIn for a mail that must carry a login. */
export function mailedLogin(mail: Mail): MailedLogin {
	const login = loginIn(mail);
	if (!login) throw new Error(`no login in the mail "${mail.subject}" to ${mail.to.join(', ')}`);
	return login;
}

/** The SMTP credential of the examples, in n8n's import format, for a mailbox's `smtpCredentialData`. */
export function smtpCredential(data: Record<string, unknown>) {
	return [{ ...SMTP_CREDENTIAL, type: 'smtp', data }];
}

/**
 * POSTs JSON to a production webhook. A webhook that was just published can answer 404 ("not
 * registered", nothing run) for a moment: that answer is retried for up to `registerMs`. `headers`
 * go with it (the examples' Header Auth: `{ [WEBHOOK_AUTH.header]: value }`).
 */
export async function postWebhook(
	url: string,
	body: unknown,
	registerMs = 15_000,
	headers: Record<string, string> = {},
): Promise<{ status: number; json: any }> {
	const started = Date.now();
	for (;;) {
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...headers },
			body: JSON.stringify(body),
		});
		const text = await response.text();
		let json: unknown = text;
		try {
			json = JSON.parse(text);
		} catch {
			/* not JSON */
		}
		if (
			response.status !== 404 ||
			!/not registered/.test(text) ||
			Date.now() - started > registerMs
		)
			return { status: response.status, json };
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/**
 * The workflow with Requests per Minute 0 (no pacing) on every Exotel node: the sandbox has no
 * limit, and a test should not wait out the example's 50 a minute. Pacing is measured by the
 * benchmark and the pacing test, not here.
 */
export function withoutPacing(workflow: Workflow, nodeType = PACKAGE_NODE_TYPE): Workflow {
	return {
		...workflow,
		nodes: workflow.nodes.map((node) =>
			node.type === nodeType
				? {
						...node,
						parameters: {
							...node.parameters,
							options: { ...((node.parameters.options as object) ?? {}), requestsPerMinute: 0 },
						},
					}
				: node,
		),
	};
}
