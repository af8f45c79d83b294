/**
 * Section 6 of `npm run bench`: requests per reset. Exotel's limit is per account and per
 * minute, so every request a reset makes is time. Update SIP Password (a generated password)
 * runs against the sandbox in this process, once per way of choosing the user and the device,
 * and the requests Exotel received are counted — exact counts, not timings. Also: N resets
 * of one user in one execution (the user is looked up once), and the editor's user search.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { buildExecuteContext, runNode } from '../dev/harness/n8n';
import { seedUsers, startSandbox } from '../dev/sandbox/server';
import { BENCH_CREDENTIALS, built } from './lib';

/** A small contact centre: the sandbox's three named users and 234 generated ones. */
const ACCOUNT_SIZE = 237;

export interface RequestsRow {
	mode: string;
	/** Requests for one reset. */
	one: number;
	/** Requests per reset when an execution resets the same user `repeat` times. */
	perResetOfMany: number;
	/** The issue's target for one reset, where it set one. */
	target?: number;
}

export interface SearchRow {
	search: string;
	requests: number;
	results: number;
}

export interface RequestsResult {
	resets: RequestsRow[];
	repeat: number;
	searches: SearchRow[];
}

const byId = (value: string) => ({ __rl: true, mode: 'id', value });
const byEmail = (value: string) => ({ __rl: true, mode: 'email', value });
const fromList = (value: string, name: string) => ({
	__rl: true,
	mode: 'list',
	value,
	cachedResultName: name,
});

export async function measureRequestsPerReset(repeat = 10): Promise<RequestsResult> {
	const [asha, ...others] = seedUsers(ACCOUNT_SIZE);
	const sip = String(asha.devices.find((d) => d.type === 'sip')?.id);
	const capitalised = { ...asha, email: 'Asha.Rao@Example.com' };
	const modes: Array<{
		mode: string;
		userId: unknown;
		deviceId: unknown;
		target?: number;
		users?: typeof others;
	}> = [
		// The pre-flight read (is the device the user's, and SIP?) before any password changes.
		{ mode: 'By ID, device ID given', userId: byId(asha.id), deviceId: sip, target: 2 },
		{
			mode: 'From List, device from the list',
			userId: fromList(asha.id, 'Asha Rao'),
			deviceId: fromList(sip, 'Asha softphone'),
			target: 2,
		},
		{ mode: 'By ID, device left empty', userId: byId(asha.id), deviceId: '', target: 2 },
		{
			mode: 'By Email, device left empty',
			userId: byEmail(asha.email as string),
			deviceId: '',
			target: 2,
		},
		{
			mode: 'By Email, device ID given',
			userId: byEmail(asha.email as string),
			deviceId: sip,
			target: 2,
		},
		{
			mode: 'By Email typed in other capitals, device left empty',
			userId: byEmail('ASHA.RAO@example.com'),
			deviceId: '',
			target: 2,
		},
		{
			mode: `By Email, Exotel holding the address in other capitals (${ACCOUNT_SIZE} users), device left empty`,
			userId: byEmail(asha.email as string),
			deviceId: '',
			users: [...others, capitalised],
		},
	];

	const { ExotelUsers, ExotelUsersApi } = built();
	const resets: RequestsRow[] = [];
	for (const m of modes) {
		const sandbox = await startSandbox({
			...BENCH_CREDENTIALS,
			users: m.users ?? [asha, ...others],
		});
		try {
			const run = async (items: INodeExecutionData[]) => {
				sandbox.reset();
				const parameters: INodeParameters = {
					resource: 'user',
					operation: 'updateSipPassword',
					userId: m.userId as INodeParameters['userId'],
					deviceId: m.deviceId as INodeParameters['deviceId'],
					passwordMode: 'generate',
				};
				const [output] = await runNode({
					nodeType: new ExotelUsers(),
					credentialType: new ExotelUsersApi(),
					credentials: { ...BENCH_CREDENTIALS, region: 'custom', baseUrl: sandbox.url },
					parameters,
					items,
				});
				const failed = output.filter((o) => o.json.http_code !== 200);
				if (failed.length)
					throw new Error(
						`${m.mode}: ${failed.length} resets failed (${JSON.stringify(failed[0].json).slice(0, 200)})`,
					);
				return sandbox.requests.length;
			};
			const one = await run([{ json: {} }]);
			const many = await run(Array.from({ length: repeat }, () => ({ json: {} })));
			resets.push({ mode: m.mode, one, perResetOfMany: many / repeat, target: m.target });
		} finally {
			await sandbox.stop();
		}
	}

	const searches: SearchRow[] = [];
	const sandbox = await startSandbox({ ...BENCH_CREDENTIALS, users: [asha, ...others] });
	try {
		const node = new ExotelUsers();
		for (const search of ['', 'Khan', 'priya', 'asha.rao@', 'Vikram.Iyer@Example.com']) {
			sandbox.reset();
			const { ctx } = buildExecuteContext({
				nodeType: node,
				credentialType: new ExotelUsersApi(),
				credentials: { ...BENCH_CREDENTIALS, region: 'custom', baseUrl: sandbox.url },
			});
			const answer = await node.methods.listSearch.searchUsers.call(ctx as never, search);
			searches.push({ search, requests: sandbox.requests.length, results: answer.results.length });
		}
	} finally {
		await sandbox.stop();
	}
	return { resets, repeat, searches };
}

export function requestsSection(result: RequestsResult): string[] {
	return [
		'## 6. Requests per reset (Update SIP Password, generated password)',
		'',
		`Exact counts of the requests the sandbox received. "×${result.repeat}": one execution resetting the same user ${result.repeat} times,`,
		'requests divided by resets (the user is looked up once per execution, and one device’s password is set once).',
		'',
		'| User and Device | requests, 1 reset | target | per reset, ×' + result.repeat + ' |',
		'|---|---:|---:|---:|',
		...result.resets.map(
			(r) =>
				`| ${r.mode} | ${r.one} | ${r.target === undefined ? '—' : r.one <= r.target ? `${r.target} (met)` : `${r.target} **MISSED**`} | ${r.perResetOfMany.toFixed(1)} |`,
		),
		'',
		`The editor's User → From List over ${ACCOUNT_SIZE} users (first answer):`,
		'',
		'| search | requests | results shown |',
		'|---|---:|---:|',
		...result.searches.map(
			(s) => `| ${s.search ? `"${s.search}"` : '(none)'} | ${s.requests} | ${s.results} |`,
		),
		'',
	];
}
