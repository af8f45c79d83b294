/**
 * The repository's shape, as a contributor relies on it: the development kit in dev/ is shared
 * by tests, scripts and the benchmark and depends on none of them; tests never reach into the
 * command-line scripts; and the nodes stand on nodes/shared/, which stands on neither of them.
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

/** Each import of these files that `offends` flags, as `file -> target`. */
function importsWhere(files: string[], offends: (target: string, file: string) => boolean): string[] {
	return files.flatMap((file) =>
		relativeImports(file)
			.filter((target) => offends(target, file))
			.map((target) => `${file} -> ${target}`),
	);
}

/** The node a file of nodes/ belongs to ('shared' for the layer below both). */
const nodeOf = (path: string) => path.split('/')[1];

describe('the nodes’ layout', () => {
	it('keeps nodes/shared/ below both nodes: it imports from neither', () => {
		expect(code('nodes/shared/').length).toBeGreaterThan(10);
		expect(importsWhere(code('nodes/shared/'), (target) => target.startsWith('nodes/') && nodeOf(target) !== 'shared')).toEqual([]);
	});

	it('lets neither node import from the other’s folders, only from nodes/shared/', () => {
		const nodes = code('nodes/').filter((file) => nodeOf(file) !== 'shared');
		expect(new Set(nodes.map(nodeOf))).toEqual(new Set(['ExotelUsers', 'ExotelUsersTrigger']));
		const offending = importsWhere(nodes, (target, file) => target.startsWith('nodes/') && ![nodeOf(file), 'shared'].includes(nodeOf(target)));
		expect(offending).toEqual([]);
	});

	it('has the credential, which both nodes use, read only nodes/shared/', () => {
		expect(code('credentials/').length).toBeGreaterThan(0);
		expect(importsWhere(code('credentials/'), (target) => target.startsWith('nodes/') && nodeOf(target) !== 'shared')).toEqual([]);
	});

	it('has methods/ read the user directory from nodes/shared/, nothing from actions/', () => {
		const methods = code('nodes/ExotelUsers/methods/');
		expect(methods.length).toBeGreaterThan(0);
		expect(importsWhere(methods, (target) => target.startsWith('nodes/ExotelUsers/actions/'))).toEqual([]);
	});

	it('has no operation import another operation', () => {
		const operations = code('nodes/').filter((file) => file.endsWith('.operation.ts'));
		expect(operations.length).toBeGreaterThan(5);
		expect(importsWhere(operations, (target) => target.endsWith('.operation'))).toEqual([]);
	});

	it('keeps Exotel’s rules in helpers/, importing nothing from transport/', () => {
		expect(code('nodes/ExotelUsers/helpers/').length).toBeGreaterThan(5);
		expect(importsWhere(code('nodes/ExotelUsers/helpers/'), (target) => target.startsWith('nodes/shared/transport/'))).toEqual([]);
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
