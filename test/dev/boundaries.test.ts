/**
 * The repository's shape, as a contributor relies on it: the development kit in dev/ is shared
 * by tests, scripts and the benchmark and depends on none of them; tests never reach into the
 * command-line scripts; and no file spells the names the package had before its rename.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
	.split('\n')
	.filter(Boolean);

/** Each relative module a file imports or requires, as a path from the repository's root. */
function relativeImports(file: string): string[] {
	const source = readFileSync(join(root, file), 'utf8');
	const specs = [...source.matchAll(/(?:from\s+|import\s+|import\(\s*|require\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
	return specs.map((spec) => relative(root, normalize(join(root, dirname(file), spec))));
}

const code = (prefix: string) => tracked.filter((f) => f.startsWith(prefix) && /\.(ts|js|mjs|cjs)$/.test(f));

describe('the dev/ kit', () => {
	it('imports nothing from test/, e2e/, scripts/ or bench/', () => {
		const offending = code('dev/').flatMap((file) =>
			relativeImports(file)
				.filter((target) => /^(test|e2e|scripts|bench)\//.test(target))
				.map((target) => `${file} -> ${target}`),
		);
		expect(code('dev/').length).toBeGreaterThan(5);
		expect(offending).toEqual([]);
	});

	it('is what tests, the end-to-end tier, scripts and the benchmark import, never scripts/ from a test', () => {
		const fromTests = [...code('test/'), ...code('e2e/')].flatMap((file) =>
			relativeImports(file)
				.filter((target) => target.startsWith('scripts/'))
				.map((target) => `${file} -> ${target}`),
		);
		expect(fromTests).toEqual([]);
	});
});

describe('the node’s layout', () => {
	it('keeps Exotel’s rules in helpers/, importing nothing from transport/', () => {
		const offending = code('nodes/ExotelUsers/helpers/').flatMap((file) =>
			relativeImports(file)
				.filter((target) => target.startsWith('nodes/ExotelUsers/transport/'))
				.map((target) => `${file} -> ${target}`),
		);
		expect(code('nodes/ExotelUsers/helpers/').length).toBeGreaterThan(5);
		expect(offending).toEqual([]);
	});

	it('names no two files alike, but the per-resource operation and resource files', () => {
		const names = new Map<string, string[]>();
		for (const file of tracked.filter((f) => f.startsWith('nodes/') && !/\.(operation|resource)\.ts$/.test(f))) {
			const name = file.split('/').pop()!;
			names.set(name, [...(names.get(name) ?? []), file]);
		}
		expect([...names.values()].filter((files) => files.length > 1)).toEqual([]);
	});
});

describe('the rename', () => {
	it('leaves the old package and credential names only in the CHANGELOG’s note of it', () => {
		// Spelled in two halves so that this file does not match itself.
		const old = new RegExp(['n8n-nodes-' + 'exotel(?!-users)', 'exotel' + 'Api'].join('|'), 'i');
		const offending = tracked
			.filter((file) => file !== 'CHANGELOG.md' && file !== 'package-lock.json' && !/\.(png|svg|tgz)$/.test(file))
			.filter((file) => old.test(readFileSync(join(root, file), 'utf8')));
		expect(offending).toEqual([]);
	});
});
