/**
 * What a benchmark run measures and at which sizes: the command line's switches (--smoke,
 * --only, --pacing-concurrency, --scenario), each section's sizes, and the targets.
 */
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const SMOKE = process.argv.includes('--smoke');
/** `--only overhead,pacing` runs some sections (for development; RESULTS.md is then not written). */
export const ONLY = (() => {
	const at = process.argv.indexOf('--only');
	return at < 0 ? undefined : new Set(process.argv[at + 1]?.split(','));
})();
/** `--pacing-concurrency N` overrides the pacing run's Concurrency option (for development). */
export const PACING_CONCURRENCY = (() => {
	const at = process.argv.indexOf('--pacing-concurrency');
	return at < 0 ? undefined : Number(process.argv[at + 1]);
})();
/** `--scenario text` keeps section 5's scenarios whose label contains it (for development). */
export const SCENARIO = (() => {
	const at = process.argv.indexOf('--scenario');
	return at < 0 ? undefined : process.argv[at + 1];
})();
export const wanted = (
	section:
		| 'overhead'
		| 'pacing'
		| 'scale'
		| 'package'
		| 'sharing'
		| 'requests'
		| 'rotation'
		| 'byemail'
		| 'lone429',
) => !ONLY || ONLY.has(section);

export const CONFIG = SMOKE
	? {
			overhead: { requests: 50, rounds: 3, concurrencies: [1, 8], rewarm: 0.3 },
			pacing: { requests: 30, perWindow: 10, windowMs: 1000, concurrency: 8 },
			scale: {
				small: 50,
				large: 200,
				reps: 1,
				concurrency: 8,
				warmup: 50,
				rewarm: 20,
				smallRuns: 2,
			},
			sharing: {
				perWindow: 10,
				windowMs: 1000,
				executions: 3,
				perProcess: 2,
				itemsPerExecution: 10,
				concurrency: 4,
			},
		}
	: {
			overhead: { requests: 1000, rounds: 9, concurrencies: [1, 8], rewarm: 0.3 },
			pacing: { requests: 1000, perWindow: 100, windowMs: 6000, concurrency: 8 },
			scale: {
				small: 1000,
				large: 10_000,
				reps: 3,
				concurrency: 8,
				warmup: 3000,
				rewarm: 300,
				smallRuns: 3,
			},
			sharing: {
				perWindow: 100,
				windowMs: 6000,
				executions: 3,
				perProcess: 2,
				itemsPerExecution: 200,
				concurrency: 4,
			},
		};

export const TARGETS = {
	nodeVsHelper: 1.2,
	pacing: 0.95,
	scaleLinear: 1.1,
	sharedRate: 0.9,
	sharedRefusals: 0.02,
};
