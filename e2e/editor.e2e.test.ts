/**
 * The editor in a real browser: `npm start`'s setup (scripts/start.ts → prepareSandboxN8n) on
 * its own port and a throw-away folder, driven by Debian's Chromium through playwright-core
 * (no browser download). Signs in with the login `npm start` prints, finds the Exotel node in
 * the nodes panel, opens the "Exotel sandbox" credential and its Region choices, and runs
 * "Exotel: try it" from the canvas until the output panel shows Exotel's envelope.
 *
 * Run with `npm run test:browser`. Screenshots go to test-results/editor/; with
 * UPDATE_SCREENSHOTS=1 also to docs/ (the README's pictures).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, selectors, type BrowserContext, type Page } from 'playwright-core';

import { prepareSandboxN8n, TRY_IT, type SandboxN8n } from '../dev/n8n/sandboxN8n';
import { ROOT } from '../dev/n8n/n8n';
import { OWNER } from '../dev/n8n/server';
import { CREDENTIAL } from '../dev/n8n/workflows';

const PORT = 5710;
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
let folder: string;
let profile: string;
let context: BrowserContext;
let page: Page;

async function screenshot(name: string): Promise<void> {
	// Wait for running transitions (a dropdown opening, a panel sliding in) to finish.
	await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, { timeout: 5000 }).catch(() => undefined);
	const file = join(RESULTS, name);
	await page.screenshot({ path: file });
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
	// The sandbox on a port of its own, so a running `npm start` (4010, 5678) does not matter.
	setup = await prepareSandboxN8n({ port: PORT, sandboxPort: 0, folder });
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
			const names = page.getByTestId('workflow-card-name');
			await names.filter({ hasText: TRY_IT.name }).waitFor();
			const all = await names.allInnerTexts();
			for (const workflow of setup.workflows) expect(all).toContain(workflow.name);
		});
	}, 60_000);

	it('finds the Exotel node in the nodes panel, with its actions', async () => {
		await step('node-panel', async () => {
			await openWorkflow(TRY_IT.name);
			await page.getByTestId('node-creator-plus-button').click();
			await page.getByTestId('node-creator-search-bar').fill('Exotel');
			const item = page.getByTestId('node-creator').getByTestId('item-iterator-item').filter({ hasText: /Exotel/ });
			await item.getByTestId('node-creator-item-name').filter({ hasText: /^Exotel$/ }).first().waitFor();
			expect(await item.first().innerText()).toMatch(/Manage Exotel contact-centre users/);
			await screenshot('node-panel.png');

			await item.first().click();
			const actions = page.getByTestId('node-creator').getByTestId('node-creator-item-name');
			await actions.filter({ hasText: 'Update SIP password of a user' }).waitFor();
			const names = await actions.allInnerTexts();
			for (const action of ['Create a user', 'Get many users', 'Update SIP password of a user', 'Update a device']) {
				expect(names.join('\n')).toContain(action);
			}
			await screenshot('node-actions.png');
			await page.keyboard.press('Escape');
		});
	}, 60_000);

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
			expect(calls.map((r) => `${r.method} ${r.url} ${r.status}`)).toEqual([
				`PUT /v2/accounts/sandbox/users/${TRY_IT.userId}/devices/${TRY_IT.deviceId}/password 200`,
			]);

			await exotelNode.dblclick();
			const output = page.getByTestId('output-panel');
			await output.getByTestId('node-run-status-success').waitFor();
			await output.getByTestId('radio-button-json').click();
			const data = output.getByTestId('ndv-data-container');
			await data.getByText(calls[0].request_id).waitFor();
			const text = (await data.innerText()).replace(/\s+/g, ' '); // the JSON view puts keys and values on lines of their own
			for (const expected of ['"request_id"', calls[0].request_id, '"http_code": 200', '"status": "success"', '"sipPassword"']) {
				expect(text).toContain(expected);
			}
			await screenshot('output.png');
			await page.keyboard.press('Escape');
		});
	}, 90_000);
});
