/**
 * The steps the browser tier takes again and again in n8n's editor (the sign-in, a parameter
 * filled in or chosen, a new workflow, a node from the nodes panel, a resource locator's list,
 * save and read back, a workflow from the Overview), and its screenshots.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Locator, Page } from 'playwright-core';

import { OWNER } from '../../dev/n8n/server';
import type { EditorSession } from './editorSession';

export class EditorPage {
	/**
	 * @param pictures where screenshots go (`results`), and a folder that gets a copy of each
	 * good one (`docs`: the README's pictures)
	 */
	constructor(
		private readonly session: EditorSession,
		private readonly pictures: { results: string; docs?: string },
	) {}

	private get page(): Page {
		return this.session.page;
	}

	/** `hide`: what must never be in a picture (a generated password), painted over. */
	async screenshot(name: string, hide: Locator[] = []): Promise<void> {
		// Wait for running transitions (a dropdown opening, a panel sliding in) to finish.
		await this.page
			.waitForFunction(
				() => document.getAnimations().every((a) => a.playState !== 'running'),
				undefined,
				{ timeout: 5000 },
			)
			.catch(() => undefined);
		const file = join(this.pictures.results, name);
		await this.page.screenshot({ path: file, mask: hide });
		if (this.pictures.docs) copyFileSync(file, join(this.pictures.docs, name));
	}

	/** Runs a step; when it fails, a screenshot of the page is kept beside the others. */
	async step(name: string, body: () => Promise<void>): Promise<void> {
		try {
			await body();
		} catch (error) {
			await this.page
				.screenshot({ path: join(this.pictures.results, `failed-${name}.png`) })
				.catch(() => undefined);
			throw error;
		}
	}

	/** Fills in the sign-in form with the login `npm start` prints, and sends it. */
	async signIn(): Promise<void> {
		await this.page.getByTestId('emailOrLdapLoginId').locator('input').fill(OWNER.email);
		await this.page.getByTestId('password').locator('input').fill(OWNER.password);
		await this.page.getByTestId('form-submit-button').click();
	}

	/** Types `value` into a parameter's input, in `scope` (the node's panel, a credential's dialog). */
	async fill(scope: Locator, parameter: string, value: string): Promise<void> {
		await scope.getByTestId(`parameter-input-${parameter}`).locator('input').fill(value);
	}

	/** Opens a parameter's options, in `scope`, and picks the one that shows `option`. */
	async choose(scope: Locator, parameter: string, option: string): Promise<void> {
		await scope.getByTestId(`parameter-input-${parameter}`).click();
		await this.page.getByRole('option').filter({ hasText: option }).click();
	}

	/** A new, empty workflow: Overview → Create workflow. */
	async newWorkflow(): Promise<void> {
		await this.page.goto(`${this.session.setup.editorUrl}/workflow/new`);
		await this.page.getByTestId('canvas-plus-button').waitFor();
	}

	/**
	 * The nodes panel: search, then click the node (and the action, if given). n8n shows Exotel Users
	 * and its trigger as one app; on an empty canvas its Actions section starts folded: open it.
	 */
	async addNode(search: string, name: RegExp, action?: string): Promise<void> {
		const page = this.page;
		await page.getByTestId('node-creator-search-bar').fill(search);
		await page.getByTestId('node-creator-item-name').filter({ hasText: name }).first().click();
		if (action) {
			const target = page.getByTestId('node-creator-item-name').filter({ hasText: action });
			const actions = page.getByTestId('node-creator').getByText(/^Actions \(\d+\)$/);
			await Promise.race([
				target.waitFor().catch(() => undefined),
				actions.waitFor().catch(() => undefined),
			]);
			if (!(await target.isVisible())) await actions.click();
			await target.click();
		}
		await page.getByTestId('ndv').waitFor();
	}

	/** Opens a resource locator's list (From List mode) and, if given, types a search. */
	async openList(parameter: string, search?: string) {
		await this.page.getByTestId(`resource-locator-${parameter}`).getByTestId('rlc-input').click();
		if (search !== undefined) await this.page.getByTestId('rlc-search').fill(search);
		return this.page.getByTestId('rlc-item');
	}

	/** Closes the node's panel, saves the workflow (Ctrl+S) and returns it as n8n stored it, once the store has `until`. */
	async closeSaveAndRead(until: (workflow: any) => boolean): Promise<any> {
		const page = this.page;
		await page.getByTestId('ndv-close-button').click();
		await page.getByTestId('ndv').waitFor({ state: 'hidden' });
		await page.keyboard.press('Control+s');
		for (;;) {
			const id = /\/workflow\/([A-Za-z0-9]+)/.exec(page.url())?.[1];
			if (id && id !== 'new') {
				const { status, json } = await this.session.setup.n8n.rest('GET', `/rest/workflows/${id}`);
				if (status === 200 && until(json.data)) return json.data;
			}
			await page.waitForTimeout(250);
		}
	}

	/** Overview → the workflow's card, as the banner of `npm start` says. */
	async openWorkflow(name: string): Promise<void> {
		await this.page.goto(`${this.session.setup.editorUrl}/home/workflows`);
		await this.page
			.getByTestId('resources-list-item-workflow')
			.filter({ hasText: name })
			.getByTestId('workflow-card-name')
			.click();
		await this.page.waitForURL(/\/workflow\//);
		await this.page.getByTestId('canvas-node').first().waitFor();
	}
}
