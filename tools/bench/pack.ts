/** Section 4 of `npm run bench`: the packed package's size and file count (`npm pack --dry-run --json`). */
import { execFileSync } from 'node:child_process';

import { ROOT } from './config';
import { fmt, log, problems } from './report';

export interface PackResult {
	filename: string;
	size: number;
	unpackedSize: number;
	entryCount: number;
}

export function measurePackage(): PackResult | undefined {
	log('4. Package: npm pack --dry-run --json');
	try {
		const raw = execFileSync('npm', ['pack', '--dry-run', '--json'], {
			cwd: ROOT,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
		});
		const [pack] = JSON.parse(raw.slice(raw.indexOf('['))) as PackResult[];
		return {
			filename: pack.filename,
			size: pack.size,
			unpackedSize: pack.unpackedSize,
			entryCount: pack.entryCount,
		};
	} catch (error) {
		problems.push(
			`npm pack --dry-run failed: ${error instanceof Error ? error.message : String(error)}`,
		);
		return undefined;
	}
}

export function packageSection(p: PackResult | undefined): string[] {
	if (!p) return ['## 4. Package', '', '`npm pack --dry-run` failed (see the problems list).', ''];
	return [
		'## 4. Package (`npm pack --dry-run --json`)',
		'',
		'| tarball | packed size | unpacked size | files |',
		'|---|---:|---:|---:|',
		`| ${p.filename} | ${fmt(p.size / 1024, 1)} KiB (${p.size} B) | ${fmt(p.unpackedSize / 1024, 1)} KiB (${p.unpackedSize} B) | ${p.entryCount} |`,
		'',
	];
}
