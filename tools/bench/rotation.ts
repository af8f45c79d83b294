/**
 * Section 7 of `npm run bench`: a rotation at the account's speed. User → Rotate SIP Passwords
 * over an account of N users, against a sandbox that enforces Exotel's per-account limit in
 * fixed windows with its rate-limit headers (the window scaled down, as in section 5). Counted:
 * requests per rotated agent (exact), and the rate the run achieved ÷ the account's limit —
 * over the whole run, and over its inner windows (not the first or the last, which the run
 * only partly fills). Both are ratios of one run.
 */
import { randomBytes } from 'node:crypto';

import { seedUsers, startSandbox } from '../dev/sandbox/server';
import { runNode } from '../dev/harness/n8n';
import { BENCH_CREDENTIALS, built, builtInNewProcess } from './lib';

export interface RotationResult {
	users: number;
	agents: number;
	requests: number;
	limit: number;
	windowMs: number;
	seconds: number;
	/** Requests per second achieved ÷ the limit's, first request to last. */
	overall: number;
	/** Mean of accepted ÷ limit over the inner windows. */
	inner: number;
	refused: number;
	delivered: number;
}

export async function measureRotation(
	users: number,
	limit: number,
	windowMs: number,
): Promise<RotationResult> {
	const sandbox = await startSandbox({
		...BENCH_CREDENTIALS,
		users: seedUsers(users),
		rateLimit: { limit, windowMs },
	});
	try {
		const { ExotelUsersApi } = built();
		const started = performance.now();
		const [output] = await runNode({
			nodeType: builtInNewProcess(windowMs),
			credentialType: new ExotelUsersApi(),
			// A Rotation ID needs a SIP Password Key: one made for this run.
			credentials: {
				...BENCH_CREDENTIALS,
				passwordKey: randomBytes(32).toString('base64'),
				region: 'custom',
				baseUrl: sandbox.url,
			},
			parameters: {
				resource: 'user',
				operation: 'rotateSipPasswords',
				scope: 'all',
				rotationId: 'bench',
			},
		});
		const seconds = (performance.now() - started) / 1000;
		const accepted = sandbox.requests.filter((r) => r.status !== 429);
		const arrivals = accepted.map((r) => r.receivedAt);
		const span = Math.max(1, arrivals[arrivals.length - 1] - arrivals[0]);
		// Accepted requests per fixed window (the sandbox's windows are aligned to the epoch).
		const perWindow = new Map<number, number>();
		for (const at of arrivals)
			perWindow.set(Math.floor(at / windowMs), (perWindow.get(Math.floor(at / windowMs)) ?? 0) + 1);
		const windows = [...perWindow.keys()].sort((a, b) => a - b);
		const inner = windows.slice(1, -1).map((w) => (perWindow.get(w) ?? 0) / limit);
		const delivered = output.filter(
			(o) =>
				typeof o.json.sipPassword === 'string' &&
				sandbox.passwordOf(String(o.json.user_id), String(o.json.device_id)) ===
					sandbox.fingerprint(o.json.sipPassword as string),
		).length;
		return {
			users,
			agents: output.length,
			requests: accepted.length,
			limit,
			windowMs,
			seconds,
			// The first request opens the run: the rest took `span`.
			overall: (accepted.length - 1) / (span / windowMs) / limit,
			inner: inner.length ? inner.reduce((a, b) => a + b, 0) / inner.length : Number.NaN,
			refused: sandbox.requests.length - accepted.length,
			delivered,
		};
	} finally {
		await sandbox.stop();
	}
}

export function rotationSection(r: RotationResult, verdict: (ok: boolean) => string): string[] {
	const perAgent = r.requests / r.agents;
	return [
		'## 7. A rotation at the account’s speed (User → Rotate SIP Passwords)',
		'',
		`${r.users} users (${r.agents} with a SIP device), the account limited to ${r.limit} requests per ${r.windowMs / 1000} s window with Exotel’s headers (a minute scaled down), Requests per Minute left to follow Exotel.`,
		'',
		'| measure | value | target |',
		'|---|---:|---|',
		`| requests per rotated agent | ${perAgent.toFixed(3)} (${r.requests} for ${r.agents}) | ≤ 1.03: ${verdict(perAgent <= 1.03)} |`,
		`| achieved rate ÷ the account’s limit, inner windows | ${r.inner.toFixed(3)} | ≥ 0.95: ${verdict(r.inner >= 0.95)} |`,
		`| achieved rate ÷ the account’s limit, first request to last | ${r.overall.toFixed(3)} | context |`,
		`| 429s | ${r.refused} | 0 |`,
		`| agents whose output password is the one Exotel holds | ${r.delivered} of ${r.agents} | all |`,
		`| wall time | ${r.seconds.toFixed(1)} s | context |`,
		'',
	];
}
