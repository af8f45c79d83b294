/**
 * Section 8 of `npm run bench`: resets By Email at the account's scale. Update SIP Password
 * (a generated password, the user By Email from each item) over an account of N users, every
 * one of them reset once, against the sandbox in this process — checked first (On Error = stop)
 * and under Continue On Fail, with the addresses as Exotel stores them and with Exotel storing
 * every one in other capitals. Counted exactly: requests per reset, and how often the account
 * was read (pages read ÷ ⌈users ÷ 50⌉). Plus a few resets in the same account, in other
 * capitals: the case the listing does not pay for, where only one lookup may read the account.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { runNode } from '../dev/harness/n8n';
import { manyUsers, startSandbox, type User } from '../dev/sandbox/server';
import { BENCH_CREDENTIALS, built } from './lib';

export interface ByEmailRow {
	label: string;
	users: number;
	resets: number;
	continueOnFail: boolean;
	otherCapitals: boolean;
	requests: number;
	/** GET /users pages without an email filter: the account's listing. */
	pages: number;
	/** GET /users with Exotel's exact email filter. */
	exact: number;
	puts: number;
	/** Resets whose output password is the one Exotel now holds. */
	delivered: number;
	/** What the same run cost before this change (from the figures and the old design). */
	before: string;
}

/** Every user with an address (the sandbox leaves every tenth without), as Exotel or in other capitals. */
function account(size: number, otherCapitals: boolean): User[] {
	return manyUsers(size).map((u, i) => {
		const email = u.email ?? `agent.${i}@example.com`;
		return {
			...u,
			email: otherCapitals
				? email.replace(/^./, (c) => c.toUpperCase()).replace('@example', '@Example')
				: email,
		};
	});
}

async function measure(
	label: string,
	size: number,
	resets: number,
	continueOnFail: boolean,
	otherCapitals: boolean,
	before: string,
): Promise<ByEmailRow> {
	const users = account(size, otherCapitals);
	const sandbox = await startSandbox({ ...BENCH_CREDENTIALS, users });
	try {
		// The workflow has the addresses in lower case; the last `resets` users, so a few are not on the first page.
		const items: INodeExecutionData[] = users
			.slice(-resets)
			.map((u) => ({ json: { email: (u.email as string).toLowerCase() } }));
		const { ExotelUsers, ExotelUsersApi } = built();
		const [output] = await runNode({
			nodeType: new ExotelUsers(),
			credentialType: new ExotelUsersApi(),
			credentials: { ...BENCH_CREDENTIALS, region: 'custom', baseUrl: sandbox.url },
			parameters: {
				resource: 'user',
				operation: 'updateSipPassword',
				userId: { __rl: true, mode: 'email', value: '={{ $json.email }}' },
				deviceId: '',
				passwordMode: 'generate',
				options: { concurrency: 8 },
			},
			items,
			continueOnFail,
		});
		const gets = sandbox.requests.filter((r) => r.method === 'GET');
		const delivered = output.filter(
			(o) =>
				typeof o.json.sipPassword === 'string' &&
				sandbox.passwordOf(String(o.json.user_id), String(o.json.device_id)) ===
					sandbox.fingerprint(o.json.sipPassword),
		).length;
		// Something broken, not slow: the benchmark stops.
		if (delivered !== resets)
			throw new Error(
				`${label}: ${resets - delivered} resets did not set the password they output (${JSON.stringify(output.find((o) => o.json.error)?.json ?? {}).slice(0, 200)})`,
			);
		return {
			label,
			users: size,
			resets,
			continueOnFail,
			otherCapitals,
			requests: sandbox.requests.length,
			pages: gets.filter((r) => r.query.email === undefined).length,
			exact: gets.filter((r) => r.query.email !== undefined).length,
			puts: sandbox.requests.filter((r) => r.method === 'PUT').length,
			delivered,
			before,
		};
	} finally {
		await sandbox.stop();
	}
}

/** `size` users, all reset By Email, in the four ways; then 20 resets in other capitals. */
export async function measureByEmail(size: number): Promise<ByEmailRow[]> {
	const rows: ByEmailRow[] = [];
	const pages = Math.ceil(size / 50);
	for (const otherCapitals of [false, true]) {
		for (const continueOnFail of [false, true]) {
			const label = `${size} resets, ${otherCapitals ? 'every address stored in other capitals' : 'addresses as stored'}, ${continueOnFail ? 'Continue On Fail' : 'On Error = stop (checked first)'}`;
			const before = otherCapitals
				? `${size} × (1 + ${pages}) GETs + ${size} PUTs`
				: `${size} GETs + ${size} PUTs (2.000 per reset)`;
			rows.push(await measure(label, size, size, continueOnFail, otherCapitals, before));
		}
	}
	rows.push(
		await measure(
			`20 resets of ${size} users, in other capitals, On Error = stop`,
			size,
			20,
			false,
			true,
			`20 × (1 + ${pages}) GETs + 20 PUTs`,
		),
	);
	return rows;
}

export function byEmailSection(rows: ByEmailRow[], verdict: (ok: boolean) => string): string[] {
	return [
		'## 8. Resets By Email at the account’s scale (Update SIP Password, User By Email)',
		'',
		'Every user of the account reset once, the address from each item in lower case, Concurrency 8, against the sandbox (exact counts).',
		'"account reads" = pages read without an email filter ÷ ⌈users ÷ 50⌉: 1.00 is one listing of the account, 0 none.',
		'"before this change" = the previous design\'s counts for the same run (an exact lookup per item; for an address in other capitals, that lookup and then the whole account, per item), as the issue measured them (9,000 GETs before 9,000 PUTs; 20 items = 4,020 GETs).',
		"When a few resets do not pay for a listing (the last row, at 10,000 users), the items sent at the same time (up to Concurrency 8) each ask Exotel's exact filter before the first miss is known; the account is then read once for all.",
		'',
		'| run | requests per reset | target | account reads | exact lookups | PUTs | passwords Exotel holds as output | before this change |',
		'|---|---:|---|---:|---:|---:|---:|---|',
		...rows.map((r) => {
			const perReset = r.requests / r.resets;
			const reads = r.pages / Math.ceil(r.users / 50);
			const target =
				r.resets === r.users
					? `≤ 1.03: ${verdict(perReset <= 1.03)}`
					: `account read at most once: ${verdict(reads <= 1)}`;
			return `| ${r.label} | ${perReset.toFixed(3)} (${r.requests}) | ${target} | ${reads.toFixed(2)} (${r.pages} pages) | ${r.exact} | ${r.puts} | ${r.delivered} of ${r.resets} | ${r.before} |`;
		}),
		'',
	];
}
