/**
 * Installing the packed package the way the README says, before it is on the npm registry:
 * `npm pack`, then the README's install:self-hosted lines, verbatim, from the folder holding the
 * `.tgz` — for a person whose n8n uses their home folder, and whose home folder holds a
 * package.json of its own (npm would otherwise install into the nearest folder with one, where
 * n8n never looks). Then n8n 2.x loads the node from there and runs it against the sandbox.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { N8nFolder, packPackage, readmeInstallCommands, type RunResult } from '../dev/n8n/n8n';
import { exotelWorkflow, sandboxCredential } from '../dev/n8n/workflows';
import { SANDBOX_CREDENTIALS } from '../dev/sandbox/cli';
import { seedUsers, startSandbox, type ExotelSandbox } from '../dev/sandbox/server';

const ASHA = seedUsers()[0];
const HOME_PACKAGE = { name: 'someones-own-project', private: true, dependencies: {} };

/** A home folder that already holds a package.json, as many do. */
function homeWithPackageJson(): string {
	const home = mkdtempSync(join(tmpdir(), 'exotel-home-'));
	writeFileSync(join(home, 'package.json'), JSON.stringify(HOME_PACKAGE, null, 2));
	return home;
}

describe('installing the packed package with the README’s lines (not on the registry yet)', () => {
	let pack: Awaited<ReturnType<typeof packPackage>>;
	let home: string;
	let n8n: N8nFolder;
	let sandbox: ExotelSandbox;
	let run: RunResult;

	beforeAll(async () => {
		pack = await packPackage();
		home = homeWithPackageJson();
		sandbox = await startSandbox({ ...SANDBOX_CREDENTIALS, port: 0 });
		// Packs once more for N8nFolder (its own tarball), then runs the README's lines with HOME = this folder.
		n8n = await N8nFolder.create('v2', 'package', {}, { folder: home, install: { asHome: true } });
		await n8n.importCredentials(sandboxCredential(SANDBOX_CREDENTIALS, sandbox.url));
		const workflow = exotelWorkflow(
			'e2eInstalled',
			n8n.nodeType,
			[{}],
			[
				{
					name: 'Reset',
					parameters: {
						operation: 'updateSipPassword',
						userId: { __rl: true, mode: 'id', value: ASHA.id },
						deviceId: '101',
						passwordMode: 'generate',
					},
				},
			],
		);
		await n8n.importWorkflows([workflow]);
		run = await n8n.execute(workflow.id);
	}, 300_000);

	afterAll(async () => {
		await sandbox?.stop();
		n8n?.remove();
		pack?.remove();
	});

	it('names the tarball npm pack writes, and creates the package.json it needs', () => {
		const lines = readmeInstallCommands();
		expect(lines).toContain('n8n-nodes-exotel-users-*.tgz');
		expect(pack.tarball).toMatch(/\/n8n-nodes-exotel-users-\d+\.\d+\.\d+\.tgz$/);
		expect(lines).toMatch(/\[ -f package\.json \] \|\| echo .*> package\.json/);
	});

	it('installs into ~/.n8n/nodes, not beside the home folder’s own package.json', () => {
		const nodes = join(home, '.n8n', 'nodes');
		expect(
			readdirSync(join(nodes, 'node_modules')).filter((name) => !name.startsWith('.')),
		).toEqual(['n8n-nodes-exotel-users']);
		expect(
			JSON.parse(readFileSync(join(nodes, 'package.json'), 'utf8')).dependencies,
		).toHaveProperty('n8n-nodes-exotel-users');
		expect(existsSync(join(home, 'node_modules'))).toBe(false);
		expect(JSON.parse(readFileSync(join(home, 'package.json'), 'utf8'))).toEqual(HOME_PACKAGE);
	});

	it('n8n loads the installed node and runs it: a generated SIP password set in the sandbox', () => {
		expect(run.error?.message).toBeUndefined();
		expect(run.status).toBe('success');
		const [item] = run.nodes.Reset;
		expect(item).toMatchObject({
			user_id: ASHA.id,
			device_id: '101',
			response: { status: 'success' },
		});
		expect(typeof item.sipPassword).toBe('string');
		expect(sandbox.passwordOf(ASHA.id, 101)).toBe(sandbox.fingerprint(item.sipPassword as string));
	});

	it('without the package.json line, npm would install into the home folder, where n8n never looks', async () => {
		const other = homeWithPackageJson();
		const scratch = mkdtempSync(join(tmpdir(), 'exotel-npm-cache-'));
		try {
			const withoutLine = readmeInstallCommands()
				.split('\n')
				.filter((line) => !line.includes('package.json'))
				.join('\n');
			const env = {
				PATH: process.env.PATH,
				HOME: other,
				npm_config_offline: 'true',
				npm_config_cache: scratch,
			};
			await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', withoutLine], {
				env,
				cwd: dirname(pack.tarball),
			});
			expect(existsSync(join(other, 'node_modules', 'n8n-nodes-exotel-users'))).toBe(true);
			expect(existsSync(join(other, '.n8n', 'nodes', 'node_modules'))).toBe(false);
		} finally {
			rmSync(other, { recursive: true, force: true });
			rmSync(scratch, { recursive: true, force: true });
		}
	});
});
