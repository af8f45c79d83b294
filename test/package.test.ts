/**
 * The package's contract with n8n: what n8n's loader and verification expect of
 * package.json and of the files it points at. A mismatch here is "Class could not be
 * found" or a node that never shows up — nothing a lint rule catches.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** dist/x/Y.node.js -> x/Y.node.ts in the source tree. */
const sourceOf = (distPath: string) => join(root, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));

describe('package.json', () => {
	it('has no runtime dependencies and n8n-workflow as a "*" peer', () => {
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	});

	it('runs no script on a user’s install', () => {
		for (const script of ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish']) {
			expect(pkg.scripts[script]).toBeUndefined();
		}
	});

	it('is findable as a community node and ships only dist', () => {
		expect(pkg.name).toBe('n8n-nodes-exotel-users');
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.files).toEqual(['dist']);
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
	});

	it.each([
		...((pkg.n8n.nodes as string[]).map((p) => ['node', p]) as Array<[string, string]>),
		...((pkg.n8n.credentials as string[]).map((p) => ['credential', p]) as Array<[string, string]>),
	])('points at a %s whose class is named after its file: %s', (_kind, distPath) => {
		const source = sourceOf(distPath);
		expect(existsSync(source)).toBe(true);
		const className = basename(distPath).split('.')[0];
		const exported = require(source)[className];
		expect(typeof exported).toBe('function');
		const instance = new exported();
		if (distPath.includes('.node.')) {
			expect(instance.description.name).toBe(className.charAt(0).toLowerCase() + className.slice(1));
			const codex = join(dirname(source), `${className}.node.json`);
			expect(JSON.parse(readFileSync(codex, 'utf8'))).toMatchObject({ categories: ['Communication'] });
			for (const icon of Object.values(instance.description.icon as Record<string, string>)) {
				expect(existsSync(join(dirname(source), icon.replace(/^file:/, '')))).toBe(true);
			}
		} else {
			expect(instance.name).toBe(className.charAt(0).toLowerCase() + className.slice(1));
		}
	});
});

describe('names that cannot clash with another Exotel package', () => {
	// n8n keys credential types by their bare name across every installed package, and shows
	// node and credential display names side by side: both must be this package's own.
	const { ExotelUsers } = require(join(root, 'nodes/ExotelUsers/ExotelUsers.node.ts'));
	const { ExotelUsersApi } = require(join(root, 'credentials/ExotelUsersApi.credentials.ts'));
	const node = new ExotelUsers().description;
	const credential = new ExotelUsersApi();

	it('names the node, its credential and their display names after Exotel’s Users API', () => {
		expect(node.name).toBe('exotelUsers');
		expect(node.displayName).toBe('Exotel Users');
		expect(node.credentials).toEqual([{ name: 'exotelUsersApi', required: true }]);
		expect(credential.name).toBe('exotelUsersApi');
		expect(credential.displayName).toBe('Exotel Users API');
	});

	it('links documentation by full URLs without a fragment (n8n appends its query string after the URL)', () => {
		const codex = JSON.parse(readFileSync(join(root, 'nodes/ExotelUsers/ExotelUsers.node.json'), 'utf8'));
		const urls: string[] = [
			credential.documentationUrl,
			...Object.values(codex.resources as Record<string, Array<{ url: string }>>).flat().map((r) => r.url),
		];
		for (const url of urls) {
			expect(url).toMatch(/^https:\/\/[^#]+$/);
		}
		expect(codex.node).toBe(`${pkg.name}.${node.name}`);
	});
});
