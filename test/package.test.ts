/**
 * The package's contract with n8n: what n8n's loader and verification expect of
 * package.json and of the files it points at. A mismatch here is "Class could not be
 * found" or a node that never shows up — nothing a lint rule catches.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

import { ExotelUsersApi } from '../credentials/ExotelUsersApi.credentials';
import { ExotelUsers } from '../nodes/ExotelUsers/ExotelUsers.node';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** dist/x/Y.node.js -> x/Y.node.ts in the source tree. */
const sourceOf = (distPath: string) =>
	join(root, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));

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
	])('points at a %s whose class is named after its file: %s', async (_kind, distPath) => {
		const source = sourceOf(distPath);
		expect(existsSync(source)).toBe(true);
		const className = basename(distPath).split('.')[0];
		const exported = (await import(source))[className];
		expect(typeof exported).toBe('function');
		const instance = new exported();
		if (distPath.includes('.node.')) {
			expect(instance.description.name).toBe(
				className.charAt(0).toLowerCase() + className.slice(1),
			);
			const codex = join(dirname(source), `${className}.node.json`);
			expect(JSON.parse(readFileSync(codex, 'utf8'))).toMatchObject({
				categories: ['Communication'],
			});
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
		const codex = JSON.parse(
			readFileSync(join(root, 'nodes/ExotelUsers/ExotelUsers.node.json'), 'utf8'),
		);
		const urls: string[] = [
			credential.documentationUrl,
			...Object.values(codex.resources as Record<string, Array<{ url: string }>>)
				.flat()
				.map((r) => r.url),
		];
		for (const url of urls) {
			expect(url).toMatch(/^https:\/\/[^#]+$/);
		}
		expect(codex.node).toBe(`${pkg.name}.${node.name}`);
	});
});

describe('n8n verification (strict mode)', () => {
	it('asks for strict mode, which `n8n-node cloud-support` and verification require', () => {
		expect(pkg.n8n.strict).toBe(true);
	});

	it('keeps the starter’s eslint.config.mjs unmodified (`n8n-node lint` refuses any other in strict mode)', () => {
		// The same comparison n8n-node lint makes: whitespace-normalised text against its template.
		const template = join(
			root,
			'node_modules/@n8n/node-cli/dist/template/templates/shared/default/eslint.config.mjs',
		);
		const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();
		expect(normalise(readFileSync(join(root, 'eslint.config.mjs'), 'utf8'))).toBe(
			normalise(readFileSync(template, 'utf8')),
		);
	});

	it('formats with the starter’s .prettierrc.js, as n8n’s template ships it', () => {
		const template = join(
			root,
			'node_modules/@n8n/node-cli/dist/template/templates/shared/default/.prettierrc.js',
		);
		expect(readFileSync(join(root, '.prettierrc.js'), 'utf8')).toBe(readFileSync(template, 'utf8'));
	});
});

describe('the packed package', () => {
	// What `npm publish` would upload: the real build in a scratch copy of the sources, then
	// npm pack --dry-run. Verification downloads this tarball, and so does every install.
	let packed: { size: number; entryCount: number; files: Array<{ path: string }> };
	const scratch = mkdtempSync(join(tmpdir(), 'exotel-pack-'));

	beforeAll(() => {
		for (const entry of [
			'package.json',
			'tsconfig.json',
			'tsconfig.build.json',
			'gulpfile.js',
			'README.md',
			'LICENSE',
			'nodes',
			'credentials',
		]) {
			cpSync(join(root, entry), join(scratch, entry), { recursive: true });
		}
		symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'), 'dir');
		execFileSync('npm', ['run', '--silent', 'build'], { cwd: scratch, stdio: 'pipe' });
		const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
			cwd: scratch,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		[packed] = JSON.parse(out);
	}, 120_000);

	afterAll(() => rmSync(scratch, { recursive: true, force: true }));

	// 80 KiB since the SIP Password Key, the Rotation ID memory, the trigger's passes across polls and
	// Set Active Device's read-back (about 10 KB more than the 60 KiB of the 0.1.0 layout).
	it('stays under 80 KiB', () => {
		expect(packed.size).toBeLessThanOrEqual(80 * 1024);
	});

	it('holds the compiled node, its icons and codex, and nothing only a developer needs', () => {
		const paths = packed.files.map((f) => f.path);
		for (const declared of [...pkg.n8n.nodes, ...pkg.n8n.credentials])
			expect(paths).toContain(declared);
		expect(paths).toContain('dist/nodes/ExotelUsers/ExotelUsers.node.json');
		// Source maps point at .ts files that are not shipped, declarations type nothing anyone imports.
		expect(paths.filter((p) => /\.(map|d\.ts|ts)$/.test(p) || /(^|\/)test\//.test(p))).toEqual([]);
	});

	it('has no `main` that resolves to nothing', () => {
		// n8n loads the files under n8n.nodes/credentials; a `main` is optional, a dangling one is a bug.
		if (pkg.main !== undefined)
			expect(packed.files.map((f) => f.path)).toContain(pkg.main.replace(/^\.\//, ''));
	});
});
