/**
 * The editor in a real browser: `npm start`'s setup (tools/scripts/start.ts → prepareSandboxN8n) on
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
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { selectors, type Page } from 'playwright-core';

import { TRY_IT } from '../dev/n8n/sandboxN8n';
import { ROOT } from '../dev/n8n/n8n';
import { activateWorkflow, EXAMPLE_IDS } from '../dev/n8n/examples';
import { ExotelUsers } from '../../nodes/ExotelUsers/ExotelUsers.node';
import { savedToolParameters } from '../dev/n8n/toolWorkflows';
import { CREDENTIAL } from '../dev/n8n/workflows';
import { SANDBOX_CREDENTIALS } from '../dev/sandbox/cli';
import { seedUsers } from '../dev/sandbox/server';
import { EditorPage } from './support/editorPage';
import { EditorSession } from './support/editorSession';

/** A small contact centre: more users than Exotel lists on one page (50). */
const USERS = 237;
const ASHA = seedUsers()[0];
/** What the user list shows for a user. */
const label = (user: { first_name: string; last_name: string; email: string | null }) =>
	`${user.first_name} ${user.last_name}${user.email ? ` (${user.email})` : ''}`;
/** The action node's own description. */
const ACTION_DESCRIPTION = new ExotelUsers().description.description as string;
const RESULTS = join(ROOT, 'test-results', 'editor');
const DOCS = join(ROOT, 'docs');
const UPDATE_DOCS = process.env.UPDATE_SCREENSHOTS === '1';

selectors.setTestIdAttribute('data-test-id'); // n8n's attribute

let session: EditorSession;
let editor: EditorPage;
let page: Page;

beforeAll(async () => {
	mkdirSync(RESULTS, { recursive: true });
	if (UPDATE_DOCS) mkdirSync(DOCS, { recursive: true });
	session = new EditorSession(USERS);
	editor = new EditorPage(session, { results: RESULTS, docs: UPDATE_DOCS ? DOCS : undefined });
	await session.start();
	page = session.page;
}, 180_000);

afterAll(async () => {
	await session?.stop();
});

describe('the n8n editor with the Exotel node (npm start’s setup, in Chromium)', () => {
	it('signs in with the login npm start prints and lands on the Overview with the workflows', async () => {
		await editor.step('signin', async () => {
			await page.goto(session.setup.editorUrl);
			await page.waitForURL(/\/signin/);
			await editor.signIn();
			await page.waitForURL(/\/home\/workflows/);
			// Each card by its whole name, waited for: the list renders more than once while it loads,
			// so one read of every card's text can come back empty.
			const names = page.getByTestId('workflow-card-name');
			const exactly = (name: string) =>
				new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
			for (const workflow of session.setup.workflows)
				await names
					.filter({ hasText: exactly(workflow.name) })
					.first()
					.waitFor({ timeout: 20_000 });
		});
	}, 60_000);

	it('finds the Exotel node in the nodes panel, with its actions', async () => {
		await editor.step('node-panel', async () => {
			await editor.openWorkflow(TRY_IT.name);
			await page.getByTestId('node-creator-plus-button').click();
			await page.getByTestId('node-creator-search-bar').fill('Exotel');
			const item = page
				.getByTestId('node-creator')
				.getByTestId('item-iterator-item')
				.filter({ hasText: /Exotel/ });
			await item
				.getByTestId('node-creator-item-name')
				.filter({ hasText: /^Exotel Users$/ })
				.first()
				.waitFor();
			// One app, Exotel Users, holding the node's actions and the trigger's events: n8n merges a node
			// X with its trigger XTrigger and shows the trigger's description, which leads with the action
			// node's own (a trigger-only description here sent people looking for a password reset away).
			expect(await item.count()).toBe(1);
			const text = (await item.first().innerText()).replace(/\s+/g, ' ');
			expect(text).toMatch(/^Exotel Users\b/);
			expect(text).toContain(ACTION_DESCRIPTION);
			await editor.screenshot('node-panel.png');

			await item.first().click();
			const actions = page.getByTestId('node-creator').getByTestId('node-creator-item-name');
			await actions.filter({ hasText: 'Update SIP password of a user' }).waitFor();
			const names = await actions.allInnerTexts();
			for (const action of [
				'Create a user',
				'Get many users',
				'Rotate SIP passwords of many users',
				'Update SIP password of a user',
				'Update a device',
			]) {
				expect(names.join('\n')).toContain(action);
			}
			await editor.screenshot('node-actions.png');
			await page.keyboard.press('Escape');
		});
	}, 60_000);

	it.each(['SIP password', 'reset password', 'softphone'])(
		'searching "%s" finds Exotel Users first, with the action node’s description',
		async (search) => {
			await editor.step(`search-${search.replace(/\s+/g, '-')}`, async () => {
				await editor.openWorkflow(TRY_IT.name);
				await page.getByTestId('node-creator-plus-button').click();
				await page.getByTestId('node-creator-search-bar').fill(search);
				const first = page.getByTestId('node-creator').getByTestId('item-iterator-item').first();
				await first
					.getByTestId('node-creator-item-name')
					.filter({ hasText: /^Exotel Users$/ })
					.waitFor();
				expect((await first.innerText()).replace(/\s+/g, ' ')).toContain(ACTION_DESCRIPTION);
				await page.keyboard.press('Escape');
			});
		},
		60_000,
	);

	it('restarts npm start: still signed in, and what was published (recovery and the co-worker trigger, and the ticket example published by hand) still is', async () => {
		await editor.step('restart', async () => {
			expect(session.setup.published.sort()).toEqual(
				[EXAMPLE_IDS.recovery, EXAMPLE_IDS.coworker].sort(),
			);
			await activateWorkflow(session.setup.n8n, EXAMPLE_IDS.ticket); // as the person would
			await session.restart();
			expect(session.setup.published.sort()).toEqual(
				[EXAMPLE_IDS.recovery, EXAMPLE_IDS.coworker, EXAMPLE_IDS.ticket].sort(),
			);

			// The browser's session from before the restart still works: no sign-in page.
			await page.goto(`${session.setup.editorUrl}/home/workflows`);
			const cards = page.getByTestId('resources-list-item-workflow');
			await cards.first().waitFor();
			expect(page.url()).not.toMatch(/\/signin/);
			for (const id of [EXAMPLE_IDS.recovery, EXAMPLE_IDS.coworker, EXAMPLE_IDS.ticket]) {
				const name = session.setup.workflows.find((w) => w.id === id)!.name;
				await cards
					.filter({ hasText: name })
					.getByTestId('workflow-card-publish-indicator')
					.waitFor();
			}
			const tryIt = cards.filter({ hasText: TRY_IT.name });
			expect(await tryIt.getByTestId('workflow-card-publish-indicator').count()).toBe(0);
			const { json } = await session.setup.n8n.rest(
				'GET',
				`/rest/workflows/${EXAMPLE_IDS.recovery}`,
			);
			expect(json.data.activeVersionId).toEqual(expect.any(String));
		});
	}, 180_000);

	it('opens the "Exotel sandbox" credential: Region offers Singapore, Mumbai and Custom', async () => {
		await editor.step('credential-form', async () => {
			await page.goto(`${session.setup.editorUrl}/home/workflows`);
			await page.getByTestId('tab-CredentialsView').click();
			await page.getByTestId('resources-list-item').filter({ hasText: CREDENTIAL.name }).click();
			const modal = page.getByTestId('editCredential-modal');
			await modal.waitFor();
			expect(await modal.getByTestId('credential-name').innerText()).toContain(CREDENTIAL.name);
			// n8n tests a saved credential when it is opened: the sandbox accepts it.
			await modal.getByTestId('credentials-config-container-test-success').waitFor();
			await modal.getByTestId('parameter-input-baseUrl').waitFor();
			expect(await modal.getByTestId('parameter-input-baseUrl').locator('input').inputValue()).toBe(
				session.setup.sandbox.url,
			);

			// The whole form in view, so the open Region list stays inside the dialog.
			await modal.getByTestId('parameter-input-baseUrl').scrollIntoViewIfNeeded();
			await modal.getByTestId('parameter-input-region').click();
			const options = page.getByRole('option');
			await options.filter({ hasText: 'Mumbai' }).waitFor();
			const texts = (await options.allInnerTexts()).map((t) => t.split('\n')[0].trim());
			expect(texts).toEqual(expect.arrayContaining(['Singapore', 'Mumbai', 'Custom']));
			await editor.screenshot('credential-form.png');
			await page.keyboard.press('Escape');
			await page.keyboard.press('Escape');
		});
	}, 60_000);

	it('runs "Exotel: try it" from the canvas: the output panel shows Exotel’s envelope', async () => {
		await editor.step('output', async () => {
			await editor.openWorkflow(TRY_IT.name);
			const before = session.setup.sandbox.requests.length;
			await page.getByTestId('execute-workflow-button').click();
			const exotelNode = page.getByTestId('canvas-node').filter({ hasText: TRY_IT.exotelNode });
			await exotelNode.getByTestId('canvas-node-status-success').waitFor();

			// What the sandbox answered is what the editor shows.
			const calls = session.setup.sandbox.requests.slice(before);
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
			for (const expected of [
				'"request_id"',
				calls[1].request_id,
				'"http_code": 200',
				'"status": "success"',
				'"sipPassword"',
			]) {
				expect(text).toContain(expected);
			}
			// The generated password is the one thing in this panel that must not reach a picture.
			const generated = /"sipPassword": "([^"]+)"/.exec(text)?.[1];
			expect(generated).toBeDefined();
			await editor.screenshot('output.png', [data.getByText(generated as string)]);
			await page.keyboard.press('Escape');

			// The workflow saves no executions: once the run is over, its history is empty, so the
			// generated password is not kept (n8n records a manual run while it runs, then drops it).
			const history = async () => await session.executions(TRY_IT.id);
			let saved = await history();
			for (let i = 0; i < 40 && saved.results.length > 0; i++) {
				await page.waitForTimeout(250);
				saved = await history();
			}
			expect(saved.results).toEqual([]);
		});
	}, 90_000);
	it('searches the whole account: "khan" finds every Khan, though none is on Exotel’s first page, and picks one', async () => {
		await editor.step('user-search', async () => {
			const all = seedUsers(USERS);
			const khans = all.filter((u) =>
				`${u.first_name} ${u.last_name} ${u.email ?? ''}`.toLowerCase().includes('khan'),
			);
			const positions = khans.map((khan) => all.indexOf(khan));
			expect(Math.min(...positions)).toBeGreaterThanOrEqual(50); // none on the first page of 50
			const nur = khans.find((u) => u.first_name === 'Nur')!;

			await editor.newWorkflow();
			await page.getByTestId('canvas-plus-button').click();
			await editor.addNode('Exotel', /^Exotel Users$/, 'Update SIP password of a user');
			const items = await editor.openList('userId', 'khan');
			await items.filter({ hasText: label(nur) }).waitFor();
			expect((await items.allInnerTexts()).map((t) => t.trim()).sort()).toEqual(
				khans.map(label).sort(),
			);
			await editor.screenshot('user-search.png');

			await items.filter({ hasText: label(nur) }).click();
			expect(
				await page.getByTestId('resource-locator-userId').getByTestId('rlc-input').inputValue(),
			).toBe(label(nur));
		});
	}, 90_000);

	it('picks a device from the chosen user’s SIP devices (name, type, contact) and the run changes that device', async () => {
		await editor.step('device-picker', async () => {
			await editor.newWorkflow();
			await page.getByTestId('canvas-plus-button').click();
			await editor.addNode('Exotel', /^Exotel Users$/, 'Update SIP password of a user');
			// An address typed in other capitals, "@" included, finds the user.
			const users = await editor.openList('userId', 'Asha.Rao@');
			await users.filter({ hasText: label(ASHA) }).waitFor();
			expect((await users.allInnerTexts()).map((t) => t.trim())).toContain(label(ASHA));
			await users.filter({ hasText: label(ASHA) }).click();

			const devices = await editor.openList('deviceId');
			await devices.first().waitFor();
			const shown = (await devices.allInnerTexts()).map((t) => t.trim());
			// A password goes on a SIP device only: Asha's telephone is not offered.
			expect(shown).toEqual([expect.stringMatching(/^Asha softphone \(SIP, sip:asharao101/)]);
			await editor.screenshot('device-picker.png');
			await devices.filter({ hasText: 'Asha softphone' }).click();

			const before = session.setup.sandbox.requests.length;
			await page.getByTestId('node-execute-button').click();
			const output = page.getByTestId('output-panel');
			await output.getByTestId('node-run-status-success').waitFor();
			const writes = session.setup.sandbox.requests.slice(before).filter((r) => r.method !== 'GET');
			expect(writes.map((r) => `${r.method} ${r.url} ${r.status}`)).toEqual([
				`PUT /v2/accounts/sandbox/users/${ASHA.id}/devices/101/password 200`,
			]);
			await output.getByTestId('radio-button-json').click();
			const text = (await output.getByTestId('ndv-data-container').innerText()).replace(
				/\s+/g,
				' ',
			);
			expect(text).toContain('"device_id": "101"');
			await page.keyboard.press('Escape');
		});
	}, 90_000);

	it('adds Exotel Users as a tool of an AI Agent: each parameter the model fills shows the description the model gets, and is saved with it', async () => {
		await editor.step('agent-tool', async () => {
			await editor.newWorkflow();
			await page.getByTestId('canvas-plus-button').click();
			await editor.addNode('AI Agent', /^AI Agent$/);
			await page.getByTestId('add-subnode-ai_tool-0').click();
			await editor.addNode('Exotel', /^Exotel Users Tool$/);
			const ndv = page.getByTestId('ndv');
			const descriptions = async () =>
				(
					await ndv
						.locator('textarea')
						.evaluateAll((areas) => areas.map((a) => (a as HTMLTextAreaElement).value))
				).filter(Boolean);
			const toolNode = (workflow: any) =>
				workflow.nodes.find((n: any) => n.type === 'CUSTOM.exotelUsersTool');

			// As it comes: Get a user, the user defined by the model.
			await ndv.getByText('Defined automatically by the model').first().waitFor();
			expect(await ndv.getByTestId('parameter-input-operation').locator('input').inputValue()).toBe(
				'Get',
			);
			const [user] = await descriptions();
			expect(user).toMatch(/email/i);
			expect(user).toContain(ASHA.email);
			expect(user).toMatch(/[0-9a-f]{32}/);
			let saved = toolNode(await editor.closeSaveAndRead((w) => Boolean(toolNode(w))));
			expect(saved.parameters).toEqual(savedToolParameters({}));

			// Update SIP Password: the device too; the password generated and, by default, kept from the model.
			await page.getByTestId('canvas-node').filter({ hasText: 'Exotel Users' }).dblclick();
			await editor.choose(ndv, 'operation', 'Update SIP Password');
			await ndv.getByTestId('parameter-input-returnPasswordToModel').waitFor();
			const [, device] = await descriptions();
			expect(device).toMatch(/empty/i);
			await editor.screenshot('agent-tool.png');
			saved = toolNode(
				await editor.closeSaveAndRead(
					(w) => toolNode(w)?.parameters.operation === 'updateSipPassword',
				),
			);
			expect(saved.parameters).toEqual(savedToolParameters({ operation: 'updateSipPassword' }));

			// Enter a Password: the model passes on the password the user gives, told the rules.
			await page.getByTestId('canvas-node').filter({ hasText: 'Exotel Users' }).dblclick();
			await editor.choose(ndv, 'passwordMode', 'Enter a Password');
			await ndv.getByText('Defined automatically by the model').nth(2).waitFor();
			const [, , password] = await descriptions();
			expect(password).toMatch(/8 characters/);
			saved = toolNode(
				await editor.closeSaveAndRead((w) => toolNode(w)?.parameters.passwordMode === 'manual'),
			);
			expect(saved.parameters).toEqual(
				savedToolParameters({ operation: 'updateSipPassword', passwordMode: 'manual' }),
			);
		});
	}, 120_000);

	it('tests a new credential with a wrong API token: the message says what to check, the region first, with both regions’ hosts', async () => {
		await editor.step('credential-test', async () => {
			await page.goto(`${session.setup.editorUrl}/home/credentials`);
			await page.getByRole('button', { name: 'Create credential' }).first().click();
			const select = page.getByTestId('selectCredential-modal');
			await select.getByTestId('new-credential-type-select').locator('input').fill('Exotel');
			await page
				.getByTestId('new-credential-type-select-option')
				.filter({ hasText: 'Exotel Users API' })
				.click();
			await select.getByTestId('new-credential-type-button').click();

			const modal = page.getByTestId('editCredential-modal');
			await editor.fill(modal, 'apiKey', SANDBOX_CREDENTIALS.apiKey);
			await editor.fill(modal, 'apiToken', 'not-the-token');
			await editor.fill(modal, 'accountSid', SANDBOX_CREDENTIALS.accountSid);
			await editor.choose(modal, 'region', 'Custom');
			await editor.fill(modal, 'baseUrl', session.setup.sandbox.url);
			const before = session.setup.sandbox.requests.length;
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
			const sent = session.setup.sandbox.requests
				.slice(before)
				.map((r) => [r.method, r.url, r.status, r.auth?.tokenMatches]);
			expect(sent.length).toBeGreaterThan(0);
			expect(sent).toEqual(
				sent.map(() => ['GET', '/v2/accounts/sandbox/users?limit=1', 401, false]),
			);
			await editor.screenshot('credential-test.png');
			await page.keyboard.press('Escape');
		});
	}, 60_000);

	it('keeps the Rotation ID and When to Set when Password is switched to Enter a Password and back', async () => {
		await editor.step('rotation-id-kept', async () => {
			await page.goto(`${session.setup.editorUrl}/home/workflows`);
			const signIn = page.getByTestId('emailOrLdapLoginId');
			await Promise.race([
				signIn.waitFor(),
				page.getByTestId('workflow-card-name').first().waitFor(),
			]);
			if (await signIn.isVisible()) {
				// Run alone (jest -t): sign in as the first test does.
				await editor.signIn();
				await page.waitForURL(/\/home\//);
			}
			await editor.newWorkflow();
			await page.getByTestId('canvas-plus-button').click();
			await editor.addNode('Exotel', /^Exotel Users$/, 'Update SIP password of a user');
			const ndv = page.getByTestId('ndv');
			const rotationId = ndv.getByTestId('parameter-input-rotationId').locator('input');
			await rotationId.fill('TICKET-4711');
			await editor.choose(ndv, 'whenToSet', 'Later (Prepare Only)');

			// The switch that used to wipe them: n8n drops the value of a field a switch hides.
			await editor.choose(ndv, 'passwordMode', 'Enter a Password');
			await ndv.getByTestId('parameter-input-password').waitFor();
			await editor.choose(ndv, 'passwordMode', 'Generate a Password');
			await ndv.getByTestId('parameter-input-password').waitFor({ state: 'hidden' });

			expect(await rotationId.inputValue()).toBe('TICKET-4711');
			const exotel = (workflow: any) =>
				workflow.nodes.find((n: any) => n.type === 'CUSTOM.exotelUsers');
			const saved = exotel(
				await editor.closeSaveAndRead((w) => exotel(w)?.parameters.rotationId !== undefined),
			);
			// Generate is version 2's default, which n8n does not store.
			expect(saved.parameters.passwordMode ?? 'generate').toBe('generate');
			expect(saved.parameters).toMatchObject({ rotationId: 'TICKET-4711', whenToSet: 'later' });
		});
	}, 90_000);
});
