/**
 * Section 1 of `npm run bench`: N SIP password updates through the node (runNode, Update SIP
 * Password, the password from an expression) vs (a) the same N requests made with n8n-core's
 * httpRequestWithAuthentication in a bare loop — the floor for any node using n8n's
 * authenticated helper — and (b) a raw axios PUT loop (for information). Concurrency 1 and 8;
 * each variant warmed up, then rounds in rotating order; medians, ratio of medians, spread, and
 * this process's CPU time.
 */
import axios from 'axios';

import { buildExecuteContext, runNode } from '../dev/harness/n8n';
import type { SandboxChild } from './children';
import { CONFIG, TARGETS } from './config';
import {
	BENCH_CREDENTIALS,
	badOutputs,
	built,
	collectGarbage,
	credentialsFor,
	itemsFor,
	max,
	median,
	min,
	passwordFor,
	passwordUrl,
	pool,
	resetParameters,
	type Target,
} from './lib';
import { fmt, log, problems, verdict } from './report';

type Variant = 'node' | 'helper' | 'axios';
const VARIANT_LABEL: Record<Variant, string> = {
	node: 'node (runNode, Update SIP Password)',
	helper: '(a) httpRequestWithAuthentication loop',
	axios: '(b) raw axios PUT loop',
};

interface Timing {
	/** Wall-clock time of the batch. */
	ms: number;
	/** CPU time (user + system) this process spent in it: the client's own cost, the sandbox's excluded. */
	cpuMs: number;
}

/** One batch of `n` password updates the given way. */
async function batch(
	variant: Variant,
	target: Target,
	n: number,
	concurrency: number,
): Promise<Timing> {
	const { ExotelUsers, ExotelUsersApi } = built();
	const url = passwordUrl(target);
	const passwords = Array.from({ length: n }, (_, i) => passwordFor(i));
	const items = itemsFor(n);
	const failures: string[] = [];
	const check = (i: number, httpCode: unknown) => {
		if (httpCode !== 200) failures.push(`request ${i}: ${String(httpCode)}`);
	};
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	if (variant === 'node') {
		const output = await runNode({
			nodeType: new ExotelUsers(),
			credentialType: new ExotelUsersApi(),
			credentials: credentialsFor(target),
			items,
			parameters: resetParameters(target, { concurrency }),
			continueOnFail: true,
		});
		const bad = badOutputs(output, n);
		if (bad) failures.push(bad);
	} else if (variant === 'helper') {
		// The same execution context a node gets; n8n's helper applies the credential's Basic auth.
		const { ctx } = buildExecuteContext({
			nodeType: new ExotelUsers(),
			credentialType: new ExotelUsersApi(),
			credentials: credentialsFor(target),
			items,
			parameters: resetParameters(target, { concurrency }),
		});
		await pool(n, concurrency, async (i) => {
			const answer = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, 'exotelUsersApi', {
				method: 'PUT',
				url,
				body: { password: passwords[i] },
				json: true,
				timeout: 30_000,
			})) as { http_code?: unknown };
			check(i, answer.http_code);
		});
	} else {
		const client = axios.create({ timeout: 30_000 });
		const authorization =
			'Basic ' +
			Buffer.from(`${BENCH_CREDENTIALS.apiKey}:${BENCH_CREDENTIALS.apiToken}`).toString('base64');
		await pool(n, concurrency, async (i) => {
			const answer = await client.put<{ http_code?: unknown }>(
				url,
				{ password: passwords[i] },
				{ headers: { Authorization: authorization } },
			);
			check(i, answer.data.http_code);
		});
	}
	const ms = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	if (failures.length)
		problems.push(
			`${variant} c=${concurrency}: ${failures.length} failures, first: ${failures[0]}`,
		);
	return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * A timed batch that starts from the same state whichever variant ran before: a full GC
 * (so no variant pays for another's garbage), then a short untimed run of the same variant
 * (a forced GC leaves the heap small and slows the next few hundred requests of any kind).
 */
async function timedBatch(
	sandbox: SandboxChild,
	label: string,
	variant: Variant,
	n: number,
	concurrency: number,
): Promise<Timing> {
	const rewarm = Math.max(10, Math.round(n * CONFIG.overhead.rewarm));
	collectGarbage();
	await batch(variant, sandbox.target, rewarm, concurrency);
	const timing = await batch(variant, sandbox.target, n, concurrency);
	await sandbox.expect(label, rewarm + n);
	return timing;
}

export interface OverheadResult {
	concurrency: number;
	ms: Record<Variant, number[]>;
	cpuMs: Record<Variant, number[]>;
}

export async function measureOverhead(sandbox: SandboxChild): Promise<OverheadResult[]> {
	const { requests, rounds, concurrencies } = CONFIG.overhead;
	const variants: Variant[] = ['helper', 'node', 'axios'];
	const results: OverheadResult[] = concurrencies.map((concurrency) => ({
		concurrency,
		ms: { node: [], helper: [], axios: [] },
		cpuMs: { node: [], helper: [], axios: [] },
	}));
	log(
		`1. Overhead: ${requests} requests per batch; warm-up, then ${rounds} rounds in rotating order`,
	);
	for (const { concurrency } of results) {
		for (const variant of variants) {
			await batch(variant, sandbox.target, requests, concurrency);
			await sandbox.expect(`warm-up ${variant} c=${concurrency}`, requests);
		}
	}
	for (let round = 0; round < rounds; round++) {
		const order = variants.map((_, i) => variants[(i + round) % variants.length]);
		for (const result of results) {
			for (const variant of order) {
				const { ms, cpuMs } = await timedBatch(
					sandbox,
					`round ${round + 1} ${variant} c=${result.concurrency}`,
					variant,
					requests,
					result.concurrency,
				);
				result.ms[variant].push(ms);
				result.cpuMs[variant].push(cpuMs);
			}
		}
		log(
			`   round ${round + 1}/${rounds} (${order.join(', ')}): ` +
				results
					.map(
						(r) =>
							`c=${r.concurrency} ` +
							variants.map((v) => `${v} ${r.ms[v][round].toFixed(0)} ms`).join(' / '),
					)
					.join('; '),
		);
	}
	return results;
}

export function overheadSection(results: OverheadResult[]): string[] {
	const { requests, rounds, rewarm } = CONFIG.overhead;
	const lines = [
		`## 1. Overhead: ${requests} SIP password updates, node vs n8n's helper vs raw axios`,
		'',
		`Sandbox in a child process. Each variant warmed up once; then ${rounds} rounds, the order of the variants rotating each round;`,
		`before each timed batch a full GC and an untimed ${Math.round(rewarm * 100)} % batch of the same variant.`,
		'"ratio" = ratio of the medians; "paired" = range of the per-round ratios (each round\'s batch ÷ that round\'s (a)).',
		'"client CPU" = CPU time of the measuring process only (the sandbox runs elsewhere): the client\'s own cost.',
		'',
	];
	for (const r of results) {
		const med = (v: Variant) => median(r.ms[v]);
		const cpu = (v: Variant) => median(r.cpuMs[v]);
		const paired = (v: Variant) => r.ms[v].map((ms, i) => ms / r.ms.helper[i]);
		const ratio = med('node') / med('helper');
		lines.push(`### Concurrency ${r.concurrency}`, '');
		lines.push(
			'| variant | median ms / batch | µs / request | min – max ms | ratio to (a) | paired ratio: median (range) | client CPU µs / request | CPU ratio to (a) |',
		);
		lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
		for (const v of ['node', 'helper', 'axios'] as Variant[]) {
			lines.push(
				`| ${VARIANT_LABEL[v]} | ${fmt(med(v), 0)} | ${fmt((med(v) * 1000) / requests, 0)} | ${fmt(min(r.ms[v]), 0)} – ${fmt(max(r.ms[v]), 0)} | ` +
					`${fmt(med(v) / med('helper'))} | ${fmt(median(paired(v)))} (${fmt(min(paired(v)))} – ${fmt(max(paired(v)))}) | ${fmt((cpu(v) * 1000) / requests, 0)} | ${fmt(cpu(v) / cpu('helper'))} |`,
			);
		}
		lines.push('');
		lines.push(
			`**node / (a) = ${fmt(ratio, 3)}** (client CPU ${fmt(cpu('node') / cpu('helper'), 3)}; target ≤ ${fmt(TARGETS.nodeVsHelper)}: ${verdict(ratio <= TARGETS.nodeVsHelper)}); ` +
				`for information: (a) / (b) = ${fmt(med('helper') / med('axios'))} wall time, ${fmt(cpu('helper') / cpu('axios'))} client CPU (n8n's helper vs raw axios).`,
			'',
		);
	}
	return lines;
}
