/**
 * The repository's shape, as a contributor relies on it: two homes — the package (nodes/,
 * credentials/) with its unit and integration tests (test/) at the root, and the tools apart in
 * tools/ (the development kit in tools/dev/, which tests, the end-to-end tier, the scripts and
 * the benchmark share and which depends on none of them); every file linted by its own folder's
 * config, with no disable comment; every code file of the tests and the tools under 500 lines;
 * and the nodes stand on nodes/shared/, which stands on neither.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const root = join(__dirname, '..');
const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
	cwd: root,
	encoding: 'utf8',
})
	.split('\n')
	.filter(Boolean);

/** Each relative module a file imports or requires, as a path from the repository's root. */
function relativeImports(file: string): string[] {
	const source = readFileSync(join(root, file), 'utf8');
	const specs = [
		...source.matchAll(/(?:from\s+|import\s+|import\(\s*|require\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g),
	].map((m) => m[1]);
	return specs.map((spec) => relative(root, normalize(join(root, dirname(file), spec))));
}

const code = (prefix: string) =>
	tracked.filter((f) => f.startsWith(prefix) && /\.(ts|js|mjs|cjs)$/.test(f));

/** Each import of these files that `offends` flags, as `file -> target`. */
function importsWhere(
	files: string[],
	offends: (target: string, file: string) => boolean,
): string[] {
	return files.flatMap((file) =>
		relativeImports(file)
			.filter((target) => offends(target, file))
			.map((target) => `${file} -> ${target}`),
	);
}

describe('the two homes: the package and its tools', () => {
	it('keeps the shipped code apart: nodes/ and credentials/ import nothing from test/ or tools/', () => {
		const shipped = [...code('nodes/'), ...code('credentials/')];
		expect(shipped.length).toBeGreaterThan(20);
		expect(importsWhere(shipped, (target) => /^(test|tools)\//.test(target))).toEqual([]);
	});

	it('lets test/ import from tools/ only the development kit, tools/dev/', () => {
		expect(code('test/').length).toBeGreaterThan(20);
		const offends = (target: string) =>
			target.startsWith('tools/') && !target.startsWith('tools/dev/');
		expect(importsWhere(code('test/'), offends)).toEqual([]);
	});

	it('has tools/ import nothing from test/', () => {
		expect(code('tools/').length).toBeGreaterThan(20);
		expect(importsWhere(code('tools/'), (target) => target.startsWith('test/'))).toEqual([]);
	});

	it('has the kit, tools/dev/, import nothing from the tiers, the benchmark or the scripts', () => {
		expect(code('tools/dev/').length).toBeGreaterThan(5);
		expect(
			importsWhere(
				code('tools/dev/'),
				(target) => target.startsWith('tools/') && !target.startsWith('tools/dev/'),
			),
		).toEqual([]);
	});

	it('has nothing import the scripts in tools/scripts/: they are entry points', () => {
		const others = tracked.filter(
			(file) => !file.startsWith('tools/scripts/') && /\.(ts|js|mjs|cjs)$/.test(file),
		);
		expect(importsWhere(others, (target) => target.startsWith('tools/scripts/'))).toEqual([]);
	});

	it('has no file switch lint rules off in a comment: each folder’s config governs it', () => {
		// Spelled in pieces so that this file does not match itself.
		const directive = new RegExp(
			['/[*/]\\s*eslint-(disable|enable)', '/\\*\\s*(eslint|global)\\s'].join('|'),
		);
		const text = tracked.filter((file) => !/\.(png|jpe?g|gif|ico|tgz)$/.test(file));
		expect(text.length).toBeGreaterThan(100);
		expect(text.filter((file) => directive.test(readFileSync(join(root, file), 'utf8')))).toEqual(
			[],
		);
	});
});

/** A code file of test/ or tools/ has fewer lines than this: one a maintainer reads at a sitting. */
const MAX_LINES = 500;

/** Lines as `wc -l` counts them. */
const lineCount = (file: string) => readFileSync(join(root, file), 'utf8').split('\n').length - 1;

describe('the support code’s size', () => {
	it(`keeps every code file of test/ and tools/ under ${MAX_LINES} lines (data files aside)`, () => {
		const files = [...code('test/'), ...code('tools/')];
		expect(files.length).toBeGreaterThan(100);
		const over = files
			.map((file) => ({ file, lines: lineCount(file) }))
			.filter(({ lines }) => lines >= MAX_LINES)
			.map(({ file, lines }) => `${file}: ${lines} lines`);
		expect(over).toEqual([]);
	});
});

/** The node a file of nodes/ belongs to ('shared' for the layer below both). */
const nodeOf = (path: string) => path.split('/')[1];

describe('the nodes’ layout', () => {
	it('keeps nodes/shared/ below both nodes: it imports from neither', () => {
		expect(code('nodes/shared/').length).toBeGreaterThan(10);
		expect(
			importsWhere(
				code('nodes/shared/'),
				(target) => target.startsWith('nodes/') && nodeOf(target) !== 'shared',
			),
		).toEqual([]);
	});

	it('lets neither node import from the other’s folders, only from nodes/shared/', () => {
		const nodes = code('nodes/').filter((file) => nodeOf(file) !== 'shared');
		expect(new Set(nodes.map(nodeOf))).toEqual(new Set(['ExotelUsers', 'ExotelUsersTrigger']));
		const offending = importsWhere(
			nodes,
			(target, file) =>
				target.startsWith('nodes/') && ![nodeOf(file), 'shared'].includes(nodeOf(target)),
		);
		expect(offending).toEqual([]);
	});

	it('has the credential, which both nodes use, read only nodes/shared/', () => {
		expect(code('credentials/').length).toBeGreaterThan(0);
		expect(
			importsWhere(
				code('credentials/'),
				(target) => target.startsWith('nodes/') && nodeOf(target) !== 'shared',
			),
		).toEqual([]);
	});

	it('has methods/ read the user directory from nodes/shared/, nothing from actions/', () => {
		const methods = code('nodes/ExotelUsers/methods/');
		expect(methods.length).toBeGreaterThan(0);
		expect(
			importsWhere(methods, (target) => target.startsWith('nodes/ExotelUsers/actions/')),
		).toEqual([]);
	});

	it('has no operation import another operation', () => {
		const operations = code('nodes/').filter((file) => file.endsWith('.operation.ts'));
		expect(operations.length).toBeGreaterThan(5);
		expect(importsWhere(operations, (target) => target.endsWith('.operation'))).toEqual([]);
	});

	it('keeps Exotel’s rules in helpers/, importing nothing from transport/', () => {
		expect(code('nodes/ExotelUsers/helpers/').length).toBeGreaterThan(5);
		expect(
			importsWhere(code('nodes/ExotelUsers/helpers/'), (target) =>
				target.startsWith('nodes/shared/transport/'),
			),
		).toEqual([]);
	});

	it('names no two files alike, but the per-resource operation and resource files', () => {
		const names = new Map<string, string[]>();
		for (const file of tracked.filter(
			(f) => f.startsWith('nodes/') && !/\.(operation|resource)\.ts$/.test(f),
		)) {
			const name = file.split('/').pop()!;
			names.set(name, [...(names.get(name) ?? []), file]);
		}
		expect([...names.values()].filter((files) => files.length > 1)).toEqual([]);
	});
});
