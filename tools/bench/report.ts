/**
 * What every section reports through: the problems found (anything broken: the run then exits
 * non-zero), the log, number formats, verdicts against a target, and the machine measured on.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ROOT, SMOKE } from './config';
import { DIST_LABEL } from './lib';

const LOAD_AT_START = os.loadavg()[0];

/** What is broken (not slow): any entry makes the run exit non-zero. */
export const problems: string[] = [];
export const log = (line = '') => console.log(line);

export const fmt = (n: number, digits = 2) => n.toFixed(digits);
/** Smoke sizes are too small to measure anything: their verdicts are shown, never counted. */
export const verdict = (ok: boolean) =>
	SMOKE ? `${ok ? 'met' : 'missed'} at smoke size, not a measurement` : ok ? 'met' : '**MISSED**';

export function environment(): string[] {
	const cpus = os.cpus();
	const n8nCore = JSON.parse(
		readFileSync(path.join(ROOT, 'node_modules/n8n-core/package.json'), 'utf8'),
	) as { version: string };
	const n8nWorkflow = JSON.parse(
		readFileSync(path.join(ROOT, 'node_modules/n8n-workflow/package.json'), 'utf8'),
	) as { version: string };
	return [
		`| | |`,
		`|---|---|`,
		`| date | ${new Date().toISOString()} |`,
		`| CPU | ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} cores |`,
		`| memory | ${fmt(os.totalmem() / 1024 ** 3, 1)} GiB |`,
		`| load average (1 min) at start / end | ${fmt(LOAD_AT_START, 2)} / ${fmt(os.loadavg()[0], 2)} (other work on the machine adds noise) |`,
		`| OS | ${os.type()} ${os.release()} (${os.arch()}) |`,
		`| Node.js | ${process.version} |`,
		`| n8n-core / n8n-workflow | ${n8nCore.version} / ${n8nWorkflow.version} |`,
		`| mode | ${SMOKE ? 'smoke (tiny sizes)' : 'full'}; node measured from ${DIST_LABEL} |`,
		`| commit | ${commit()} |`,
	];
}

/** The commit measured, and whether the work tree had changes on top of it. */
function commit(): string {
	try {
		const git = (...args: string[]) =>
			execFileSync('git', args, {
				cwd: ROOT,
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'ignore'],
			}).trim();
		const dirty =
			git(
				'status',
				'--porcelain',
				'--untracked-files=no',
				'--',
				'nodes',
				'credentials',
				'bench',
				'dev',
			) !== '';
		return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes' : ''}`;
	} catch {
		return 'unknown (not a git checkout)';
	}
}
