#!/usr/bin/env node
// Runs n8n's verification scanner (@n8n/scan-community-package) on THIS checkout, offline.
// The published CLI downloads the package from npm and its source from GitHub; here we call
// the scanner's own exported pieces instead:
//   leg 1 (source):  lint SOURCE_FILE_PATTERNS (package.json + {nodes,credentials}/**/*.{js,ts,json})
//   leg 2 (tarball): `npm pack` this folder, unpack it, lint its **/*.js + package.json
// with the scanner's buildScanConfig(), inline eslint comments ignored (as the scanner does).
// Stricter than the scanner: any warning fails too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ESLint } from 'eslint';
import glob from 'fast-glob';

const root = process.cwd();
// scanner.mjs creates a temp dir when imported and never removes it: give it one we remove.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-local-'));
process.env.TMPDIR = scratch;
process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));
const { SOURCE_FILE_PATTERNS, buildScanConfig } = await import(
	'@n8n/scan-community-package/scanner/scanner.mjs'
);
const withTarball = !process.argv.includes('--source-only');

async function lint(dir, patterns, label) {
	// Same ESLint options as the scanner's analyzePackage()
	const eslint = new ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: await buildScanConfig(),
	});
	const files = glob.sync(patterns, {
		cwd: dir,
		absolute: true,
		ignore: ['node_modules/**', '**/package-lock.json'],
	});
	if (files.length === 0) throw new Error(`${label}: no files to lint in ${dir}`);
	const results = await eslint.lintFiles(files);
	const errors = results.reduce((n, r) => n + r.errorCount, 0);
	const warnings = results.reduce((n, r) => n + r.warningCount, 0);
	const out = await (await eslint.loadFormatter('stylish')).format(results);
	console.log(`scan ${label}: ${files.length} files, ${errors} errors, ${warnings} warnings`);
	if (out) console.log(out);
	return errors + warnings;
}

let problems = await lint(root, SOURCE_FILE_PATTERNS, 'source');

if (withTarball) {
	if (!fs.existsSync(path.join(root, 'dist')))
		throw new Error('dist/ missing: run the build first');
	const tmp = fs.mkdtempSync(path.join(scratch, 'pack-'));
	try {
		const pack = spawnSync(
			'npm',
			['pack', '--ignore-scripts', '--json', '--pack-destination', tmp],
			{
				cwd: root,
				encoding: 'utf8',
			},
		);
		if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
		const [{ filename }] = JSON.parse(pack.stdout);
		const pkgDir = path.join(tmp, 'package');
		fs.mkdirSync(pkgDir);
		const tar = spawnSync('tar', [
			'-xzf',
			path.join(tmp, path.basename(filename)),
			'-C',
			pkgDir,
			'--strip-components=1',
		]);
		if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
		problems += await lint(pkgDir, ['**/*.js', 'package.json'], 'tarball');
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}
process.exit(problems ? 1 : 0);
