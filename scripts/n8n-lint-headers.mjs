#!/usr/bin/env node
// `n8n-node lint` (strict mode) runs `eslint .` with the starter's config, which n8n requires
// unmodified: it lints EVERY .ts file in the folder with n8n's rules for shipped code (no
// process, timers, node: imports, console…). The code that is never shipped (test/, dev/,
// e2e/, bench/, scripts/) runs in Node.js and is linted by eslint.support.config.mjs instead;
// each such file says, in one first-line comment, which of the starter config's rules it is
// exempt from. This script keeps those headers exact: without arguments it fails when one is
// missing, stale or lists a rule that no longer fires (a dead disable comment); with --write
// it rewrites them. Our own lint ignores disable comments (--no-inline-config): the headers
// only serve `n8n-node lint`.
import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

const SUPPORT = ['test', 'dev', 'e2e', 'bench', 'scripts'];
const REASON = 'not shipped: linted by eslint.support.config.mjs';
const HEADER = /^\/\* eslint-disable [^*]* -- not shipped[^*]*\*\/\n/;
const write = process.argv.includes('--write');

const root = process.cwd();
// The starter's config as `n8n-node lint` runs it, headers ignored: what each file would violate.
const eslint = new ESLint({ cwd: root, allowInlineConfig: false });
const results = await eslint.lintFiles(SUPPORT.map((dir) => `${dir}/**/*.ts`));

let problems = 0;
for (const result of results) {
	const rules = [...new Set(result.messages.map((m) => m.ruleId ?? 'parse error'))].sort();
	if (rules.includes('parse error')) throw new Error(`${result.filePath}: ${result.messages[0].message}`);
	const text = fs.readFileSync(result.filePath, 'utf8');
	// A shebang must stay the first line: the header goes right after it.
	const shebang = /^#!.*\n/.exec(text)?.[0] ?? '';
	const body = text.slice(shebang.length).replace(HEADER, '');
	const wanted = rules.length ? `/* eslint-disable ${rules.join(', ')} -- ${REASON} */\n` : '';
	if (shebang + wanted + body === text) continue;
	const file = path.relative(root, result.filePath);
	if (write) {
		fs.writeFileSync(result.filePath, shebang + wanted + body);
		console.log(`${file}: ${rules.length ? rules.join(', ') : 'header removed'}`);
	} else {
		problems++;
		console.log(`${file}: its header should be ${wanted ? wanted.trim() : 'no eslint-disable header'}`);
	}
}
if (problems) {
	console.log(`${problems} file(s) out of date: run node scripts/n8n-lint-headers.mjs --write`);
	process.exit(1);
}
