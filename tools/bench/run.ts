/**
 * `npm run bench` / `npm run bench:smoke` — the node's cost and pacing, as RATIOS measured
 * in one run against the Exotel sandbox on 127.0.0.1 (never absolute timed assertions).
 * The sandbox runs in a child process (bench/sandbox-child.ts), so this process does client
 * work only.
 *
 * One file per section, each measuring and writing its part of the report:
 * 1. overhead.ts, 2. pacing.ts, 3. scale.ts, 4. pack.ts, 5. sharing.ts, 6. requests.ts,
 * 7. rotation.ts, 8. byEmail.ts, 9. lone429.ts; the run's sizes and switches in config.ts.
 *
 * A full run overwrites tools/bench/RESULTS.md, which links tools/bench/ANALYSIS.md (hand-written notes on
 * the figures). `--smoke` runs tiny sizes, prints, writes nothing, and exits non-zero only
 * when something is broken (an error, a 429 while pacing, a wrong count) — never on a
 * missed performance target. A run with something broken never writes RESULTS.md.
 *
 * For development (RESULTS.md is then not written):
 *   --only overhead,pacing,scale,package,sharing,requests,rotation,byemail,lone429   run some sections
 *   --pacing-concurrency N                 the pacing run's Concurrency option (default 8)
 *   --scenario 'headers off: two'          run only section 5's scenarios whose label contains this
 *   BENCH_DIST=/path/to/dist               measure another build of the node (see lib.ts)
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { byEmailSection, measureByEmail, type ByEmailRow } from './byEmail';
import { startSandboxChild } from './children';
import { ONLY, PACING_CONCURRENCY, SCENARIO, SMOKE, wanted } from './config';
import { lone429Section, measureLone429, type Lone429Result } from './lone429';
import { measureOverhead, overheadSection, type OverheadResult } from './overhead';
import { measurePackage, packageSection } from './pack';
import { measurePacing, pacingSection, type PacingResult } from './pacing';
import { environment, fmt, log, problems, verdict } from './report';
import { measureRequestsPerReset, requestsSection, type RequestsResult } from './requests';
import { measureRotation, rotationSection, type RotationResult } from './rotation';
import { measureScale, scaleSection } from './scale';
import type { ScaleResult } from './scale-child';
import { measureSharing, sharingSection, type SharingResult } from './sharing';

async function main(): Promise<void> {
	const started = performance.now();
	log(`Exotel node benchmark${SMOKE ? ' (smoke)' : ''} — sandbox on 127.0.0.1`);
	const sandbox = await startSandboxChild();
	let overhead: OverheadResult[] | undefined;
	let scale: Record<'small' | 'large', ScaleResult[]> | undefined;
	let pacing: PacingResult | undefined;
	let sharing: SharingResult[] | undefined;
	let requests: RequestsResult | undefined;
	let rotation: RotationResult | undefined;
	let byEmail: ByEmailRow[] | undefined;
	let lone429: Lone429Result | undefined;
	try {
		// Pacing first, while this process is cold: its first requests are then slow to leave,
		// the harshest case for a limiter that must keep arrivals, not starts, under the limit.
		if (wanted('pacing')) pacing = await measurePacing(sandbox);
		if (wanted('overhead')) overhead = await measureOverhead(sandbox);
		if (wanted('scale')) scale = await measureScale(sandbox);
		if (wanted('sharing')) sharing = await measureSharing(sandbox);
		if (wanted('requests')) requests = await measureRequestsPerReset();
		// 500 agents at 100 a (2 s) window: about 10 s; the smoke run 100 agents.
		if (wanted('rotation')) rotation = await measureRotation(SMOKE ? 100 : 500, 100, 2000);
		if (wanted('byemail')) byEmail = await measureByEmail(SMOKE ? 200 : 10_000);
		if (wanted('lone429')) lone429 = await measureLone429(SMOKE);
		if (lone429 && (lone429.small.ok !== 2 || lone429.long.lost > 0))
			problems.push('section 9: an item failed');
	} finally {
		await sandbox.stop();
	}
	const pack = wanted('package') ? measurePackage() : undefined;
	const totalS = (performance.now() - started) / 1000;

	const report = [
		`# Benchmark results${SMOKE ? ' (smoke)' : ''}`,
		'',
		'Written by `npm run bench` (bench/run.ts); overwritten on every full run. How to read it: every',
		'figure that matters is a RATIO of two measurements taken in the same run on the same machine,',
		'so it holds across machines where absolute times do not. Targets: node ≤ 1.20 × (a) n8n’s own',
		'authenticated helper in a bare loop; pacing ≥ 0.95 of the allowed rate with no 429; time per item',
		'flat from 1,000 to 10,000 items; executions sharing one account in one process ≥ 0.90 of its limit with',
		'≤ 2 % 429s and no item lost; with Exotel’s rate-limit headers, one execution alone and two or four',
		'processes each ≥ 0.95 of the limit over the inner windows with ≤ 1 % 429s and no item lost. Absolute times are shown for context only. A target marked',
		'**MISSED** is explained in the analysis, [ANALYSIS.md](ANALYSIS.md): hand-written notes on these figures, kept beside this file.',
		'',
		...environment(),
		`| benchmark wall time | ${fmt(totalS, 0)} s |`,
		'',
		...(overhead ? overheadSection(overhead) : []),
		...(pacing ? pacingSection(pacing) : []),
		...(scale ? scaleSection(scale) : []),
		...(wanted('package') ? packageSection(pack) : []),
		...(sharing ? sharingSection(sharing) : []),
		...(requests ? requestsSection(requests) : []),
		...(rotation ? rotationSection(rotation, verdict) : []),
		...(byEmail ? byEmailSection(byEmail, verdict) : []),
		...(lone429 ? lone429Section(lone429, verdict) : []),
	];
	if (problems.length)
		report.push('## Problems (something is broken)', '', ...problems.map((p) => `- ${p}`), '');
	const text = report.join('\n');
	log();
	log(text);

	if (
		!SMOKE &&
		!ONLY &&
		SCENARIO === undefined &&
		PACING_CONCURRENCY === undefined &&
		!process.env.BENCH_DIST &&
		problems.length === 0
	) {
		writeFileSync(path.join(__dirname, 'RESULTS.md'), text);
		log(`Written to tools/bench/RESULTS.md (${fmt(totalS, 0)} s).`);
	}
	if (problems.length) {
		console.error(
			`\n${problems.length} problem(s): the benchmark found something broken${SMOKE ? '' : '; RESULTS.md not written'}.`,
		);
		process.exitCode = 1;
	}
}

void main().catch((error: unknown) => {
	console.error(
		'benchmark failed:',
		error instanceof Error ? (error.stack ?? error.message) : error,
	);
	process.exit(1);
});
