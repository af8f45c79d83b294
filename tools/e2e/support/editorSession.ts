/**
 * What the browser tier drives: `npm start`'s setup (tools/scripts/start.ts → prepareSandboxN8n)
 * on a free port and a throw-away folder, so that a running `npm start` (5678, 4010) or another
 * tier does not matter, and Debian's Chromium (installed when missing: no browser download) on a
 * throw-away profile, through playwright-core.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { freePort, ROOT } from '../../dev/n8n/n8n';
import { prepareSandboxN8n, type SandboxN8n } from '../../dev/n8n/sandboxN8n';

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

export class EditorSession {
	/** The running setup: `restart()` replaces it. */
	setup!: SandboxN8n;

	page!: Page;

	private context?: BrowserContext;

	private port = 0;

	private readonly folder = mkdtempSync(join(tmpdir(), 'exotel-editor-'));

	private readonly profile = mkdtempSync(join(tmpdir(), 'exotel-chromium-'));

	/** @param users how many users the sandbox holds */
	constructor(private readonly users: number) {}

	async start(): Promise<void> {
		if (!existsSync(CHROMIUM))
			execFileSync('bash', [join(ROOT, 'tools', 'dev', 'n8n', 'install-chromium.sh')], {
				stdio: 'inherit',
			});
		this.port = await freePort();
		this.setup = await this.prepare();
		this.context = await chromium.launchPersistentContext(this.profile, {
			executablePath: CHROMIUM,
			headless: true,
			args: CHROMIUM_ARGS,
			viewport: { width: 1400, height: 900 },
		});
		this.context.setDefaultTimeout(30_000);
		this.page = this.context.pages()[0] ?? (await this.context.newPage());
	}

	/** Stops the setup and prepares it again on its port and folder, as a second `npm start` does; the browser stays. */
	async restart(): Promise<void> {
		await this.setup.stop();
		this.setup = await this.prepare();
	}

	/** What n8n's REST API lists of a workflow's executions (`results`: those it kept). */
	async executions(workflowId: string): Promise<any> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		return (await this.setup.n8n.rest('GET', `/rest/executions?filter=${filter}`)).json.data;
	}

	async stop(): Promise<void> {
		await this.context?.close();
		await this.setup?.stop();
		rmSync(this.folder, { recursive: true, force: true });
		rmSync(this.profile, { recursive: true, force: true });
	}

	private async prepare(): Promise<SandboxN8n> {
		return await prepareSandboxN8n({
			port: this.port,
			sandboxPort: 0,
			folder: this.folder,
			users: this.users,
		});
	}
}
