/**
 * CONTRIBUTING's "Adding an operation", followed literally, must lead to files and names that
 * exist: every path it names is there (or, for the files it tells you to create, their folder and
 * the sibling it tells you to copy), and every code name it gives is in one of the files its
 * step names.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..');
const contributing = readFileSync(join(root, 'CONTRIBUTING.md'), 'utf8');

/** The section's numbered steps, each as one string. */
function steps(): string[] {
	const start = contributing.indexOf('## Adding an operation');
	const end = contributing.indexOf('\n## ', start + 1);
	const section = contributing.slice(start, end);
	return section.split(/\n(?=\d+\. )/).filter((step) => /^\d+\. /.test(step));
}

const quoted = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
const isPath = (token: string) => /^[\w.-]+\/[\w./-]+\.(ts|md)$/.test(token);
const isName = (token: string) => /^[A-Za-z_]\w*$/.test(token);
/** Files the walk-through has you create: they name the example operation, Device → Get. */
const isNew = (path: string) => /\/get\.operation(\.test)?\.ts$/.test(path);

describe('CONTRIBUTING: Adding an operation', () => {
	it('has five steps', () => {
		expect(steps()).toHaveLength(5);
	});

	it('names files that exist, and for each file to create, its folder and the sibling to copy', () => {
		const missing = steps()
			.flatMap((step) => quoted(step).filter(isPath))
			.filter((path) =>
				isNew(path)
					? !existsSync(join(root, dirname(path))) || existsSync(join(root, path))
					: !existsSync(join(root, path)),
			);
		expect(missing).toEqual([]);
		const created = steps().flatMap((step) => quoted(step).filter(isPath).filter(isNew));
		expect(created).toEqual([
			'nodes/ExotelUsers/actions/device/get.operation.ts',
			'test/nodes/ExotelUsers/actions/device/get.operation.test.ts',
		]);
	});

	it('gives code names that are in the files its step names', () => {
		const absent = steps().flatMap((step) => {
			const files = quoted(step)
				.filter((path) => isPath(path) && !isNew(path) && path.endsWith('.ts'))
				.map((path) => readFileSync(join(root, path), 'utf8'));
			if (files.length === 0) return [];
			return quoted(step)
				.filter(isName)
				.filter((name) => !files.some((text) => new RegExp(`\\b${name}\\b`).test(text)))
				.map((name) => `${step.slice(0, 20)}…: ${name}`);
		});
		expect(absent).toEqual([]);
	});
});
