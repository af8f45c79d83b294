/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error, @typescript-eslint/no-explicit-any -- not shipped: linted by eslint.support.config.mjs */
/**
 * The editor in a real browser: `npm start`'s setup (scripts/start.ts → prepareSandboxN8n) on
 * its own port and a throw-away folder, with a sandbox the size of a small contact centre
 * (237 users), driven by Debian's Chromium through playwright-core (no browser download).
 * Signs in with the login `npm start` prints, finds the Exotel Users node in the nodes panel
 * (with the action node's description, first for "SIP password" and "reset password"), restarts
 * the setup and finds the browser still signed in and the published workflows still published,
 * opens the "Exotel sandbox" credential and its Region choices, runs "Exotel: try it" from
 * the canvas until the output panel shows Exotel's envelope; searches the users for a name
 * found only on later pages, picks a device from the chosen user's list and runs the node;
 * adds the node as a tool to n8n's AI Agent and reads what the model will be told (and what
 * the editor saves); and tests a credential with a wrong token.
 *
 * Run with `npm run test:browser`. Screenshots go to test-results/editor/; with
 * UPDATE_SCREENSHOTS=1 also to docs/ (the README's pictures).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, selectors, type BrowserContext, type Locator, type Page } from 'playwright-core';

import { prepareSandboxN8n, TRY_IT, type SandboxN8n } from '../dev/n8n/sandboxN8n';
import { freePort, ROOT } from '../dev/n8n/n8n';
import { activateWorkflow, EXAMPLE_IDS } from '../dev/n8n/examples';
import { ExotelUsers } from '../nodes/ExotelUsers/ExotelUsers.node';
import { OWNER } from '../dev/n8n/server';
import { CREDENTIAL, savedToolParameters } from '../dev/n8n/workflows';
import { SANDBOX_CREDENTIALS } from '../dev/sandbox/cli';
import { seedUsers } from '../dev/sandbox/server';

/** A small contact centre: more users than Exotel lists on one page (50). */
const USERS = 237;
const ASHA = seedUsers()[0];
/** What the user list shows for a user. */
const label = (user: { first_name: string; last_name: string; email: string | null }) =>
	`${user.first_name} ${user.last_name}${user.email ? ` (${user.email})` : ''}`;
/** The action node's own description. */
const ACTION_DESCRIPTION = new ExotelUsers().description.description as string;
const CHROMIUM = '/usr/bin/chromium';
/** Required on these machines: without the background-networking flags Chromium's connections are refused. */
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
const RESULTS = join(ROOT, 'test-results', 'editor');
const DOCS = join(ROOT, 'docs');
const UPDATE_DOCS = process.env.UPDATE_SCREENSHOTS === '1';

selectors.setTestIdAttribute('data-test-id'); // n8n's attribute

let setup: SandboxN8n;
let port: number;
let folder: string;
let profile: string;
let context: BrowserContext;
let page: Page;

/** `hide`: what must never be in a picture (a generated password), painted over. */
async function screenshot(name: string, hide: Locator[] = []): Promise<void> {
	// Wait for running transitions (a dropdown opening, a panel sliding in) to finish.
	await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 5000 }).catch(() => undefined);
	const file = join(RESULTS, name);
	await page.screenshot({ path: file, mask: hide });
	if (UPDATE_DOCS) copyFileSync(file, join(DOCS, name));
}

/** Runs a step; when it fails, a screenshot of the page is kept beside the others. */
async function step(name: string, body: () => Promise<void>): Promise<void> {
	try {
		await body();
	} catch (error) {
		await page.screenshot({ path: join(RESULTS, `failed-${name}.png`) }).catch(() => undefined);
		throw error;
	}
}

/** A new, empty workflow: Overview → Create workflow. */
async function newWorkflow(): Promise<void> {
	await page.goto(`${setup.editorUrl}/workflow/new`);
	await page.getByTestId('canvas-plus-button').waitFor();
}

/**
 * The nodes panel: search, then click the node (and the action, if given). n8n shows Exotel Users
 * and its trigger as one app; on an empty canvas its Actions section starts folded: open it.
 */
async function addNode(search: string, name: RegExp, action?: string): Promise<void> {
	await page.getByTestId('node-creator-search-bar').fill(search);
	await page.getByTestId('node-creator-item-name').filter({ hasText: name }).first().click();
	if (action) {
		const target = page.getByTestId('node-creator-item-name').filter({ hasText: action });
		const actions = page.getByTestId('node-creator').getByText(/^Actions \(\d+\)$/);
		await Promise.race([target.waitFor().catch(() => undefined), actions.waitFor().catch(() => undefined)]);
		if (!(await target.isVisible())) await actions.click();
		await target.click();
	}
	await page.getByTestId('ndv').waitFor();
}

/** Opens a resource locator's list (From List mode) and, if given, types a search. */
async function openList(parameter: string, search?: string) {
	await page.getByTestId(`resource-locator-${parameter}`).getByTestId('rlc-input').click();
	if (search !== undefined) await page.getByTestId('rlc-search').fill(search);
	return page.getByTestId('rlc-item');
}

/** Closes the node's panel, saves the workflow (Ctrl+S) and returns it as n8n stored it, once the store has `until`. */
async function closeSaveAndRead(until: (workflow: any) => boolean): Promise<any> {
	await page.getByTestId('ndv-close-button').click();
	await page.getByTestId('ndv').waitFor({ state: 'hidden' });
	await page.keyboard.press('Control+s');
	for (;;) {
		const id = /\/workflow\/([A-Za-z0-9]+)/.exec(page.url())?.[1];
		if (id && id !== 'new') {
			const { status, json } = await setup.n8n.rest('GET', `/rest/workflows/${id}`);
			if (status === 200 && until(json.data)) return json.data;
		}
		await page.waitForTimeout(250);
	}
}

/** Overview → the workflow's card, as the banner of `npm start` says. */
async function openWorkflow(name: string): Promise<void> {
	await page.goto(`${setup.editorUrl}/home/workflows`);
	await page.getByTestId('resources-list-item-workflow').filter({ hasText: name }).getByTestId('workflow-card-name').click();
	await page.waitForURL(/\/workflow\//);
	await page.getByTestId('canvas-node').first().waitFor();
}

beforeAll(async () => {
	if (!existsSync(CHROMIUM)) execFileSync('bash', [join(ROOT, 'dev', 'n8n', 'install-chromium.sh')], { stdio: 'inherit' });
	mkdirSync(RESULTS, { recursive: true });
	if (UPDATE_DOCS) mkdirSync(DOCS, { recursive: true });
	folder = mkdtempSync(join(tmpdir(), 'exotel-editor-'));
	profile = mkdtempSync(join(tmpdir(), 'exotel-chromium-'));
	// A free port, so a running `npm start` (5678, 4010) or another tier does not matter.
	port = await freePort();
	setup = await prepareSandboxN8n({ port, sandboxPort: 0, folder, users: USERS });
	context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: { width: 1400, height: 900 },
	});
	context.setDefaultTimeout(30_000);
	page = context.pages()[0] ?? (await context.newPage());
}, 180_000);

afterAll(async () => {
	await context?.close();
	await setup?.stop();
	if (folder) rmSync(folder, { recursive: true, force: true });
	if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('the n8n editor with the Exotel node (npm start’s setup, in Chromium)', () => {
	it('signs in with the login npm start prints and lands on the Overview with the workflows', async () => {
		await step('signin', async () => {
			await page.goto(setup.editorUrl);
			await page.waitForURL(/\/signin/);
			await page.getByTestId('emailOrLdapLoginId').locator('input').fill(OWNER.email);
			await page.getByTestId('password').locator('input').fill(OWNER.password);
			await page.getByTestId('form-submit-button').click();
			await page.waitForURL(/\/home\/workflows/);
			// Each card by its whole name, waited for: the list renders more than once while it loads,
			// so one read of every card's text can come back empty.
			const names = page.getByTestId('workflow-card-name');
			const exactly = (name: string) => new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
			for (const workflow of setup.workflows) await names.filter({ hasText: exactly(workflow.name) }).first().waitFor({ timeout: 20_000 });
		});
	}, 60_000);

	it('finds the Exotel node in the nodes panel, with its actions', async () => {
		await step('node-panel', async () => {
			await openWorkflow(TRY_IT.name);
			await page.getByTestId('node-creator-plus-button').click();
			await page.getByTestId('node-creator-search-bar').fill('Exotel');
			const item = page.getByTestId('node-creator').getByTestId('item-iterator-item').filter({ hasText: /Exotel/ });
			await item.getByTestId('node-creator-item-name').filter({ hasText: /^Exotel Users$/ }).first().waitFor();
			// One app, Exotel Users, holding the node's actions and the trigger's events: n8n merges a node
			// X with its trigger XTrigger and shows the trigger's description, which leads with the action
			// node's own (a trigger-only description here sent people looking for a password reset away).
			expect(await item.count()).toBe(1);
			const text = (await item.first().innerText()).replace(/\s+/g, ' ');
			expect(text).toMatch(/^Exotel Users\b/);
			expect(text).toContain(ACTION_DESCRIPTION);
			await screenshot('node-panel.png');

			await item.first().click();
			const actions = page.getByTestId('node-creator').getByTestId('node-creator-item-name');
			await actions.filter({ hasText: 'Update SIP password of a user' }).waitFor();
			const names = await actions.allInnerTexts();
			for (const action of ['Create a user', 'Get many users', 'Rotate SIP passwords of many users', 'Update SIP password of a user', 'Update a device']) {
				expect(names.join('\n')).toContain(action);
			}
			await screenshot('node-actions.png');
			await page.keyboard.press('Escape');
		});
	}, 60_000);

	it.each(['SIP password', 'reset password', 'softphone'])('searching "%s" finds Exotel Users first, with the action node’s description', async (search) => {
		await step(`search-${search.replace(/\s+/g, '-')}`, async () => {
			await openWorkflow(TRY_IT.name);
			await page.getByTestId('node-creator-plus-button').click();
			await page.getByTestId('node-creator-search-bar').fill(search);
			const first = page.getByTestId('node-creator').getByTestId('item-iterator-item').first();
			await first.getByTestId('node-creator-item-name').filter({ hasText: /^Exotel Users$/ }).waitFor();
			expect((await first.innerText()).replace(/\s+/g, ' ')).toContain(ACTION_DESCRIPTION);
			await page.keyboard.press('Escape');
		});
	}, 60_000);

	it('restarts npm start: still signed in, and what was published (recovery and the co-worker trigger, and the ticket example published by hand) still is', async () => {
		await step('restart', async () => {
			expect(setup.published.sort()).toEqual([EXAMPLE_IDS.recovery, EXAMPLE_IDS.coworker].sort());
			await activateWorkflow(setup.n8n, EXAMPLE_IDS.ticket); // as the person would
			await setup.stop();
			setup = await prepareSandboxN8n({ port, sandboxPort: 0, folder, users: USERS });
			expect(setup.published.sort()).toEqual([EXAMPLE_IDS.recovery, EXAMPLE_IDS.coworker, EXAMPLE_IDS.ticket].sort());

			// The browser's session from before the restart still works: no sign-in page.
			await page.goto(`${setup.editorUrl}/home/workflows`);
			const cards = page.getByTestId('resources-list-item-workflow');
			await cards.first().waitFor();
			expect(page.url()).not.toMatch(/\/signin/);
			for (const id of [EXAMPLE_IDS.recovery, EXAMPLE_IDS.coworker, EXAMPLE_IDS.ticket]) {
				const name = setup.workflows.find((w) => w.id === id)!.name;
				await cards.filter({ hasText: name }).getByTestId('workflow-card-publish-indicator').waitFor();
			}
			const tryIt = cards.filter({ hasText: TRY_IT.name });
			expect(await tryIt.getByTestId('workflow-card-publish-indicator').count()).toBe(0);
			const { json } = await setup.n8n.rest('GET', `/rest/workflows/${EXAMPLE_IDS.recovery}`);
			expect(json.data.activeVersionId).toEqual(expect.any(String));
		});
	}, 180_000);

	it('opens the "Exotel sandbox" credential: Region offers Singapore, Mumbai and Custom', async () => {
		await step('credential-form', async () => {
			await page.goto(`${setup.editorUrl}/home/workflows`);
			await page.getByTestId('tab-CredentialsView').click();
			await page.getByTestId('resources-list-item').filter({ hasText: CREDENTIAL.name }).click();
			const modal = page.getByTestId('editCredential-modal');
			await modal.waitFor();
			expect(await modal.getByTestId('credential-name').innerText()).toContain(CREDENTIAL.name);
			// n8n tests a saved credential when it is opened: the sandbox accepts it.
			await modal.getByTestId('credentials-config-container-test-success').waitFor();
			await modal.getByTestId('parameter-input-baseUrl').waitFor();
			expect(await modal.getByTestId('parameter-input-baseUrl').locator('input').inputValue()).toBe(setup.sandbox.url);

			// The whole form in view, so the open Region list stays inside the dialog.
			await modal.getByTestId('parameter-input-baseUrl').scrollIntoViewIfNeeded();
			await modal.getByTestId('parameter-input-region').click();
			const options = page.getByRole('option');
			await options.filter({ hasText: 'Mumbai' }).waitFor();
			const texts = (await options.allInnerTexts()).map((t) => t.split('\n')[0].trim());
			expect(texts).toEqual(expect.arrayContaining(['Singapore', 'Mumbai', 'Custom']));
			await screenshot('credential-form.png');
			await page.keyboard.press('Escape');
			await page.keyboard.press('Escape');
		});
	}, 60_000);

	it('runs "Exotel: try it" from the canvas: the output panel shows Exotel’s envelope', async () => {
		await step('output', async () => {
			await openWorkflow(TRY_IT.name);
			const before = setup.sandbox.requests.length;
			await page.getByTestId('execute-workflow-button').click();
			const exotelNode = page.getByTestId('canvas-node').filter({ hasText: TRY_IT.exotelNode });
			await exotelNode.getByTestId('canvas-node-status-success').waitFor();

			// What the sandbox answered is what the editor shows.
			const calls = setup.sandbox.requests.slice(before);
			// The check before the change (the device is the user's, and SIP), then the change.
			expect(calls.map((r) => `${r.method} ${r.url} ${r.status}`)).toEqual([
				`GET /v2/accounts/sandbox/users/${TRY_IT.userId} 200`,
				`PUT /v2/accounts/sandbox/users/${TRY_IT.userId}/devices/${TRY_IT.deviceId}/password 200`,
			]);

			await exotelNode.dblclick();
			const output = page.getByTestId('output-panel');
			await output.getByTestId('node-run-status-success').waitFor();
			await output.getByTestId('radio-button-json').click();
			const data = output.getByTestId('ndv-data-container');
			await data.getByText(calls[1].request_id).waitFor();
			const text = (await data.innerText()).replace(/\s+/g, ' '); // the JSON view puts keys and values on lines of their own
			for (const expected of ['"request_id"', calls[1].request_id, '"http_code": 200', '"status": "success"', '"sipPassword"']) {
				expect(text).toContain(expected);
			}
			// The generated password is the one thing in this panel that must not reach a picture.
			const generated = /"sipPassword": "([^"]+)"/.exec(text)?.[1];
			expect(generated).toBeDefined();
			await screenshot('output.png', [data.getByText(generated as string)]);
			await page.keyboard.press('Escape');

			// The workflow saves no executions: once the run is over, its history is empty, so the
			// generated password is not kept (n8n records a manual run while it runs, then drops it).
			const history = async () =>
				(await setup.n8n.rest('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: TRY_IT.id }))}`)).json.data;
			let saved = await history();
			for (let i = 0; i < 40 && saved.results.length > 0; i++) {
				await page.waitForTimeout(250);
				saved = await history();
			}
			expect(saved.results).toEqual([]);
		});
	}, 90_000);
	it('searches the whole account: "khan" finds every Khan, though none is on Exotel’s first page, and picks one', async () => {
		await step('user-search', async () => {
			const all = seedUsers(USERS);
			const khans = all.filter((u) => `${u.first_name} ${u.last_name} ${u.email ?? ''}`.toLowerCase().includes('khan'));
			const positions = khans.map((khan) => all.indexOf(khan));
			expect(Math.min(...positions)).toBeGreaterThanOrEqual(50); // none on the first page of 50
			const nur = khans.find((u) => u.first_name === 'Nur')!;

			await newWorkflow();
			await page.getByTestId('canvas-plus-button').click();
			await addNode('Exotel', /^Exotel Users$/, 'Update SIP password of a user');
			const items = await openList('userId', 'khan');
			await items.filter({ hasText: label(nur) }).waitFor();
			expect((await items.allInnerTexts()).map((t) => t.trim()).sort()).toEqual(khans.map(label).sort());
			await screenshot('user-search.png');

			await items.filter({ hasText: label(nur) }).click();
			expect(await page.getByTestId('resource-locator-userId').getByTestId('rlc-input').inputValue()).toBe(label(nur));
		});
	}, 90_000);

	it('picks a device from the chosen user’s SIP devices (name, type, contact) and the run changes that device', async () => {
		await step('device-picker', async () => {
			await newWorkflow();
			await page.getByTestId('canvas-plus-button').click();
			await addNode('Exotel', /^Exotel Users$/, 'Update SIP password of a user');
			// An address typed in other capitals, "@" included, finds the user.
			const users = await openList('userId', 'Asha.Rao@');
			await users.filter({ hasText: label(ASHA) }).waitFor();
			expect((await users.allInnerTexts()).map((t) => t.trim())).toContain(label(ASHA));
			await users.filter({ hasText: label(ASHA) }).click();

			const devices = await openList('deviceId');
			await devices.first().waitFor();
			const shown = (await devices.allInnerTexts()).map((t) => t.trim());
			// A password goes on a SIP device only: Asha's telephone is not offered.
			expect(shown).toEqual([expect.stringMatching(/^Asha softphone \(SIP, sip:asharao101/)]);
			await screenshot('device-picker.png');
			await devices.filter({ hasText: 'Asha softphone' }).click();

			const before = setup.sandbox.requests.length;
			await page.getByTestId('node-execute-button').click();
			const output = page.getByTestId('output-panel');
			await output.getByTestId('node-run-status-success').waitFor();
			const writes = setup.sandbox.requests.slice(before).filter((r) => r.method !== 'GET');
			expect(writes.map((r) => `${r.method} ${r.url} ${r.status}`)).toEqual([`PUT /v2/accounts/sandbox/users/${ASHA.id}/devices/101/password 200`]);
			await output.getByTestId('radio-button-json').click();
			const text = (await output.getByTestId('ndv-data-container').innerText()).replace(/\s+/g, ' ');
			expect(text).toContain('"device_id": "101"');
			await page.keyboard.press('Escape');
		});
	}, 90_000);

	it('adds Exotel Users as a tool of an AI Agent: each parameter the model fills shows the description the model gets, and is saved with it', async () => {
		await step('agent-tool', async () => {
			await newWorkflow();
			await page.getByTestId('canvas-plus-button').click();
			await addNode('AI Agent', /^AI Agent$/);
			await page.getByTestId('add-subnode-ai_tool-0').click();
			await addNode('Exotel', /^Exotel Users Tool$/);
			const ndv = page.getByTestId('ndv');
			const descriptions = async () => (await ndv.locator('textarea').evaluateAll((areas) => areas.map((a) => (a as HTMLTextAreaElement).value))).filter(Boolean);
			const toolNode = (workflow: any) => workflow.nodes.find((n: any) => n.type === 'CUSTOM.exotelUsersTool');

			// As it comes: Get a user, the user defined by the model.
			await ndv.getByText('Defined automatically by the model').first().waitFor();
			expect(await ndv.getByTestId('parameter-input-operation').locator('input').inputValue()).toBe('Get');
			const [user] = await descriptions();
			expect(user).toMatch(/email/i);
			expect(user).toContain(ASHA.email);
			expect(user).toMatch(/[0-9a-f]{32}/);
			let saved = toolNode(await closeSaveAndRead((w) => Boolean(toolNode(w))));
			expect(saved.parameters).toEqual(savedToolParameters({}));

			// Update SIP Password: the device too; the password generated and, by default, kept from the model.
			await page.getByTestId('canvas-node').filter({ hasText: 'Exotel Users' }).dblclick();
			await ndv.getByTestId('parameter-input-operation').click();
			await page.getByRole('option').filter({ hasText: 'Update SIP Password' }).click();
			await ndv.getByTestId('parameter-input-returnPasswordToModel').waitFor();
			const [, device] = await descriptions();
			expect(device).toMatch(/empty/i);
			await screenshot('agent-tool.png');
			saved = toolNode(await closeSaveAndRead((w) => toolNode(w)?.parameters.operation === 'updateSipPassword'));
			expect(saved.parameters).toEqual(savedToolParameters({ operation: 'updateSipPassword' }));

			// Enter a Password: the model passes on the password the user gives, told the rules.
			await page.getByTestId('canvas-node').filter({ hasText: 'Exotel Users' }).dblclick();
			await ndv.getByTestId('parameter-input-passwordMode').click();
			await page.getByRole('option').filter({ hasText: 'Enter a Password' }).click();
			await ndv.getByText('Defined automatically by the model').nth(2).waitFor();
			const [, , password] = await descriptions();
			expect(password).toMatch(/8 characters/);
			saved = toolNode(await closeSaveAndRead((w) => toolNode(w)?.parameters.passwordMode === 'manual'));
			expect(saved.parameters).toEqual(savedToolParameters({ operation: 'updateSipPassword', passwordMode: 'manual' }));
		});
	}, 120_000);

	it('tests a new credential with a wrong API token: the message says what to check, the region first, with both regions’ hosts', async () => {
		await step('credential-test', async () => {
			await page.goto(`${setup.editorUrl}/home/credentials`);
			await page.getByRole('button', { name: 'Create credential' }).first().click();
			const select = page.getByTestId('selectCredential-modal');
			await select.getByTestId('new-credential-type-select').locator('input').fill('Exotel');
			await page.getByTestId('new-credential-type-select-option').filter({ hasText: 'Exotel Users API' }).click();
			await select.getByTestId('new-credential-type-button').click();

			const modal = page.getByTestId('editCredential-modal');
			await modal.getByTestId('parameter-input-apiKey').locator('input').fill(SANDBOX_CREDENTIALS.apiKey);
			await modal.getByTestId('parameter-input-apiToken').locator('input').fill('not-the-token');
			await modal.getByTestId('parameter-input-accountSid').locator('input').fill(SANDBOX_CREDENTIALS.accountSid);
			await modal.getByTestId('parameter-input-region').click();
			await page.getByRole('option').filter({ hasText: 'Custom' }).click();
			await modal.getByTestId('parameter-input-baseUrl').locator('input').fill(setup.sandbox.url);
			const before = setup.sandbox.requests.length;
			await modal.getByTestId('credential-save-button').click(); // n8n tests a credential when it is saved

			await modal.getByText('Couldn’t connect with these settings').waitFor();
			await modal.getByText('More details').click();
			const message = modal.getByText(/Exotel refused these credentials/);
			await message.waitFor();
			const text = await message.innerText();
			expect(text).toMatch(/401/);
			expect(text).toMatch(/API Token/);
			expect(text).toMatch(/Region/);
			expect(text).toContain('ccm-api.exotel.com');
			expect(text).toContain('ccm-api.in.exotel.com');
			// What n8n sent: the credential's test request (once or more), with the wrong token.
			const sent = setup.sandbox.requests.slice(before).map((r) => [r.method, r.url, r.status, r.auth?.tokenMatches]);
			expect(sent.length).toBeGreaterThan(0);
			expect(sent).toEqual(sent.map(() => ['GET', '/v2/accounts/sandbox/users?limit=1', 401, false]));
			await screenshot('credential-test.png');
			await page.keyboard.press('Escape');
		});
	}, 60_000);

	it('keeps the Rotation ID and When to Set when Password is switched to Enter a Password and back', async () => {
		await step('rotation-id-kept', async () => {
			await page.goto(`${setup.editorUrl}/home/workflows`);
			const signIn = page.getByTestId('emailOrLdapLoginId');
			await Promise.race([signIn.waitFor(), page.getByTestId('workflow-card-name').first().waitFor()]);
			if (await signIn.isVisible()) {
				// Run alone (jest -t): sign in as the first test does.
				await page.getByTestId('emailOrLdapLoginId').locator('input').fill(OWNER.email);
				await page.getByTestId('password').locator('input').fill(OWNER.password);
				await page.getByTestId('form-submit-button').click();
				await page.waitForURL(/\/home\//);
			}
			await newWorkflow();
			await page.getByTestId('canvas-plus-button').click();
			await addNode('Exotel', /^Exotel Users$/, 'Update SIP password of a user');
			const ndv = page.getByTestId('ndv');
			const rotationId = ndv.getByTestId('parameter-input-rotationId').locator('input');
			await rotationId.fill('TICKET-4711');
			await ndv.getByTestId('parameter-input-whenToSet').click();
			await page.getByRole('option').filter({ hasText: 'Later (Prepare Only)' }).click();

			// The switch that used to wipe them: n8n drops the value of a field a switch hides.
			await ndv.getByTestId('parameter-input-passwordMode').click();
			await page.getByRole('option').filter({ hasText: 'Enter a Password' }).click();
			await ndv.getByTestId('parameter-input-password').waitFor();
			await ndv.getByTestId('parameter-input-passwordMode').click();
			await page.getByRole('option').filter({ hasText: 'Generate a Password' }).click();
			await ndv.getByTestId('parameter-input-password').waitFor({ state: 'hidden' });

			expect(await rotationId.inputValue()).toBe('TICKET-4711');
			const exotel = (workflow: any) => workflow.nodes.find((n: any) => n.type === 'CUSTOM.exotelUsers');
			const saved = exotel(await closeSaveAndRead((w) => exotel(w)?.parameters.rotationId !== undefined));
			// Generate is version 2's default, which n8n does not store.
			expect(saved.parameters.passwordMode ?? 'generate').toBe('generate');
			expect(saved.parameters).toMatchObject({ rotationId: 'TICKET-4711', whenToSet: 'later' });
		});
	}, 90_000);
});
