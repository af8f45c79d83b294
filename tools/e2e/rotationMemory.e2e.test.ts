/**
 * What the workflow remembers about its Rotation IDs, in a real n8n 2.41: the node writes it to
 * the workflow's static data, and n8n must save it after a production run (a webhook, an
 * Execute Workflow sub-run) so that the next run reads it — or a reused Rotation ID would set
 * the same password again and report success. A manual run is not saved, as n8n documents.
 * Every workflow here saves no execution (as the examples), so this also shows that static data
 * is saved with execution saving off. And n8n's own credential test judges the SIP Password Key.
 */
import { randomBytes } from 'node:crypto';

import { WEAK_KEY_MESSAGE } from '../../credentials/ExotelUsersApi.credentials';
import { runManually, postWebhook } from '../dev/n8n/examples';
import { freePort, N8nFolder } from '../dev/n8n/n8n';
import { startN8n, type RunningN8n } from '../dev/n8n/server';
import { activateWorkflow, CREDENTIAL, type Workflow } from '../dev/n8n/workflows';
import { seedUsers, startSandbox, type ExotelSandbox } from '../dev/sandbox/server';

const [ASHA, VIKRAM] = seedUsers();
const SAVES_NOTHING = {
	executionOrder: 'v1',
	saveManualExecutions: false,
	saveDataSuccessExecution: 'none',
	saveDataErrorExecution: 'none',
	saveExecutionProgress: false,
};

let sequence = 0;
const node = (
	name: string,
	type: string,
	typeVersion: number,
	parameters: Record<string, unknown>,
	extra: Record<string, unknown> = {},
) => ({
	id: `e2e0000a-0000-4000-8000-${String(++sequence).padStart(12, '0')}`,
	name,
	type,
	typeVersion,
	position: [sequence * 200, 0],
	parameters,
	...extra,
});
const reset = (nodeType: string, userId: string) =>
	node(
		'Reset',
		nodeType,
		2,
		{
			resource: 'user',
			operation: 'updateSipPassword',
			userId: { __rl: true, mode: 'id', value: userId },
			deviceId: { __rl: true, mode: 'id', value: '' },
			passwordMode: 'generate',
			rotationId: '={{ $json.body.ticket }}',
		},
		{ credentials: { exotelUsersApi: CREDENTIAL } },
	);
const webhook = (path: string) =>
	node(
		'Webhook',
		'n8n-nodes-base.webhook',
		2,
		{ httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
		{ webhookId: randomBytes(16).toString('hex') },
	);
const link = (from: string, to: string) => ({
	[from]: { main: [[{ node: to, type: 'main', index: 0 }]] },
});

/** Webhook → Reset; and by hand, Start → Ticket m-1 → Reset. */
function direct(nodeType: string): Workflow {
	return {
		id: 'memDirect',
		name: 'e2e memDirect',
		active: false,
		settings: SAVES_NOTHING,
		nodes: [
			webhook('mem-direct'),
			node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			node('Ticket', 'n8n-nodes-base.code', 2, {
				jsCode: "return [{ json: { body: { ticket: 'm-1' } } }];",
			}),
			reset(nodeType, ASHA.id),
		],
		connections: {
			...link('Webhook', 'Reset'),
			...link('Start', 'Ticket'),
			...link('Ticket', 'Reset'),
		},
	};
}

/** Webhook → Execute Workflow (memChild, waiting); memChild: its trigger → Reset. */
function parentAndChild(nodeType: string): Workflow[] {
	return [
		{
			id: 'memParent',
			name: 'e2e memParent',
			active: false,
			settings: SAVES_NOTHING,
			nodes: [
				webhook('mem-sub'),
				node('Run child', 'n8n-nodes-base.executeWorkflow', 1.2, {
					source: 'database',
					workflowId: { __rl: true, mode: 'id', value: 'memChild' },
					mode: 'once',
					options: { waitForSubWorkflow: true },
				}),
			],
			connections: link('Webhook', 'Run child'),
		},
		{
			id: 'memChild',
			name: 'e2e memChild',
			active: false,
			settings: SAVES_NOTHING,
			nodes: [
				node('When run', 'n8n-nodes-base.executeWorkflowTrigger', 1.1, {
					inputSource: 'passthrough',
				}),
				reset(nodeType, VIKRAM.id),
			],
			connections: link('When run', 'Reset'),
		},
	];
}

describe('n8n 2.41: a completed Rotation ID is remembered by production runs', () => {
	const secrets = {
		apiKey: `e2e-key-${randomBytes(3).toString('hex')}`,
		apiToken: `e2e-token-${randomBytes(12).toString('hex')}`,
		accountSid: `e2e${randomBytes(3).toString('hex')}`,
	};
	let sandbox: ExotelSandbox;
	let folder: N8nFolder;
	let n8n: RunningN8n;
	const puts = () => sandbox.requests.filter((r) => r.method === 'PUT').length;

	beforeAll(async () => {
		sandbox = await startSandbox({ ...secrets, users: seedUsers() });
		folder = await N8nFolder.create('v2', 'custom');
		await folder.importCredentials([
			{
				...CREDENTIAL,
				type: 'exotelUsersApi',
				data: {
					...secrets,
					passwordKey: randomBytes(32).toString('base64'),
					region: 'custom',
					baseUrl: sandbox.url,
				},
			},
		]);
		await folder.importWorkflows([direct(folder.nodeType), ...parentAndChild(folder.nodeType)]);
		n8n = await startN8n(folder, await freePort());
		await activateWorkflow(n8n.rest, 'memDirect');
		// n8n 2.x publishes a workflow only after the sub-workflows it calls.
		await activateWorkflow(n8n.rest, 'memChild');
		await activateWorkflow(n8n.rest, 'memParent');
	}, 180_000);

	afterAll(async () => {
		await n8n?.stop();
		await sandbox?.stop();
		folder?.remove();
	});

	it('a webhook run saves it: the same ticket again is refused before any PUT; a new ticket sets a new password', async () => {
		const first = await postWebhook(`${n8n.url}/webhook/mem-direct`, { ticket: 't-100' });
		expect(first).toMatchObject({
			status: 200,
			json: { user_id: ASHA.id, rotation_id: 't-100', password_set: true },
		});
		expect(puts()).toBe(1);
		const stored = await n8n.rest('GET', '/rest/workflows/memDirect');
		expect(JSON.stringify(stored.json.data.staticData)).toContain('t-100');

		const again = await postWebhook(`${n8n.url}/webhook/mem-direct`, { ticket: 't-100' });
		// n8n 2.x answers a failed webhook run with 500 and no detail (the refusal's wording is unit-tested).
		expect(again.status).toBe(500);
		expect(puts()).toBe(1);

		const next = await postWebhook(`${n8n.url}/webhook/mem-direct`, { ticket: 't-101' });
		expect(next).toMatchObject({ status: 200, json: { rotation_id: 't-101', password_set: true } });
		expect((next.json as { sipPassword: string }).sipPassword).not.toBe(
			(first.json as { sipPassword: string }).sipPassword,
		);
		expect(puts()).toBe(2);
	}, 60_000);

	it('an Execute Workflow sub-run saves it in the sub-workflow', async () => {
		const before = puts();
		const first = await postWebhook(`${n8n.url}/webhook/mem-sub`, { ticket: 's-1' });
		expect(first).toMatchObject({
			status: 200,
			json: { user_id: VIKRAM.id, rotation_id: 's-1', password_set: true },
		});
		const again = await postWebhook(`${n8n.url}/webhook/mem-sub`, { ticket: 's-1' });
		expect(again.status).toBe(500);
		expect(puts()).toBe(before + 1);
		const stored = await n8n.rest('GET', '/rest/workflows/memChild');
		expect(JSON.stringify(stored.json.data.staticData)).toContain('s-1');
	}, 60_000);

	it('a manual run is not remembered: the same Rotation ID then still sets in production', async () => {
		const before = puts();
		await runManually(n8n, 'memDirect', 'Start');
		for (let waited = 0; puts() === before && waited < 20_000; waited += 250)
			await new Promise((resolve) => setTimeout(resolve, 250));
		expect(puts()).toBe(before + 1);
		const stored = await n8n.rest('GET', '/rest/workflows/memDirect');
		expect(JSON.stringify(stored.json.data.staticData)).not.toContain('m-1');
		const production = await postWebhook(`${n8n.url}/webhook/mem-direct`, { ticket: 'm-1' });
		expect(production).toMatchObject({
			status: 200,
			json: { rotation_id: 'm-1', password_set: true },
		});
	}, 60_000);

	it('n8n’s credential test refuses a weak SIP Password Key and passes a strong one (the expression runs in n8n’s engine)', async () => {
		const credential = { ...CREDENTIAL, type: 'exotelUsersApi' };
		const data = { ...secrets, region: 'custom', baseUrl: sandbox.url };
		const weak = await n8n.rest('POST', '/rest/credentials/test', {
			credentials: {
				...credential,
				data: { ...data, passwordKey: 'a-long-random-secret-of-the-team' },
			},
		});
		expect(weak.json.data).toEqual({ status: 'Error', message: WEAK_KEY_MESSAGE });
		expect(sandbox.requests.at(-1)?.url).toBe(`/v2/accounts/${secrets.accountSid}/users?limit=2`);
		const strong = await n8n.rest('POST', '/rest/credentials/test', {
			credentials: {
				...credential,
				data: { ...data, passwordKey: randomBytes(32).toString('base64') },
			},
		});
		expect(strong.json.data).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(sandbox.requests.at(-1)?.url).toBe(`/v2/accounts/${secrets.accountSid}/users?limit=1`);
	}, 60_000);
});
