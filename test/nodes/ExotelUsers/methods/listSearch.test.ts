/**
 * The editor's lists — User → From List and Device → From List — through a load-options
 * context as n8n's editor builds it, against a sandbox the size of a small contact centre.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

import { ExotelUsersApi } from '../../../../credentials/ExotelUsersApi.credentials';
import type { ExotelUsers } from '../../../../nodes/ExotelUsers/ExotelUsers.node';
import { stopText } from '../../../../nodes/shared/transport/errors';
import { SEND_DEFAULTS } from '../../../../nodes/shared/transport/sendOptions';
import { PICKER_SETTINGS } from '../../../../nodes/shared/transport/client';
import { buildExecuteContext } from '../../../../tools/dev/harness/n8n';
import { MAX_PAGES_PER_ANSWER, SCREENFUL } from '../../../../nodes/ExotelUsers/methods/listSearch';
import { manyUsers, seedUsers } from '../../../../tools/dev/sandbox/server';
import {
	ASHA,
	byEmail,
	byId,
	failure,
	loadOptionsContext,
	newPassword,
	startTestbed,
	useTestbed,
	type ExotelTestbed,
} from '../../../support/exotel';

/** 237 users: the three named ones, then generated ones, 18 of them Khans, none in the first 99. */
const USERS = seedUsers(237);
const bed = useTestbed({ users: USERS }, { windowMs: 1000 });

async function searchUsers(filter?: string, token?: string, testbed: ExotelTestbed = bed) {
	return await testbed.node.methods.listSearch.searchUsers.call(
		loadOptionsContext(testbed.credentials(), {}, testbed.node),
		filter,
		token,
	);
}

const pagesAsked = (testbed: ExotelTestbed = bed) =>
	testbed.sandbox.requests.map((r) =>
		r.query.email ? `email=${r.query.email}` : `${r.query.offset}+${r.query.limit}`,
	);

/** Every answer for a search, as the editor asks for them when the list is scrolled to its end. */
async function scrollAll(filter: string) {
	const names: string[] = [];
	let token: string | undefined;
	let answers = 0;
	do {
		const answer = await searchUsers(filter, token);
		names.push(...answer.results.map((r) => r.name));
		token = answer.paginationToken as string | undefined;
		answers++;
	} while (token);
	return { names, answers };
}

describe('User → From List (searchUsers) over 237 users', () => {
	it('lists users a page at a time, with a token for the next page', async () => {
		const first = await searchUsers();
		expect(first.results).toHaveLength(50);
		expect(first.results[0]).toEqual({ name: 'Asha Rao (asha.rao@example.com)', value: ASHA.id });
		expect(first.paginationToken).toBe('50');
		const { names, answers } = await scrollAll('');
		expect(new Set(names).size).toBe(237);
		expect(answers).toBe(5);
	});

	it('finds "Khan", on later pages only, in its first answer: all of them, walking the account', async () => {
		const khans = USERS.filter((u) => u.last_name === 'Khan');
		expect(khans).toHaveLength(18);
		expect(USERS.findIndex((u) => u.last_name === 'Khan')).toBe(99);
		const answer = await searchUsers('Khan');
		expect(answer.results.map((r) => r.value)).toEqual(khans.map((u) => u.id));
		expect(answer.paginationToken).toBeUndefined();
		expect(pagesAsked()).toEqual(['0+50', '50+50', '100+50', '150+50', '200+50']);
	});

	it('answers "priya" (19, on every page) at once, walking the account', async () => {
		const priyas = USERS.filter((u) => u.first_name === 'Priya');
		expect(priyas).toHaveLength(19);
		const answer = await searchUsers('priya');
		expect(answer.results.map((r) => r.value)).toEqual(priyas.map((u) => u.id));
		expect(answer.paginationToken).toBeUndefined();
	});

	it('answers "nair" (24) with a screenful, then the rest from where it stopped, each once', async () => {
		const nairs = USERS.filter((u) => u.last_name === 'Nair');
		expect(nairs.length).toBeGreaterThan(SCREENFUL);
		const first = await searchUsers('nair');
		expect(first.results.length).toBeGreaterThanOrEqual(SCREENFUL);
		expect(first.paginationToken).toBeDefined();
		const { names, answers } = await scrollAll('nair');
		expect(names).toEqual(
			nairs.map((u) => `${u.first_name} ${u.last_name}${u.email ? ` (${u.email})` : ''}`),
		);
		expect(answers).toBe(2);
	});

	it.each([
		['asha.rao@', ['Asha Rao (asha.rao@example.com)']],
		['RAO@EXAMPLE', ['Asha Rao (asha.rao@example.com)']],
		['vikram IYER', ['Vikram Iyer (vikram.iyer@example.com)']],
		['mei', ['Mei Lin Tan']],
	])(
		'matches "%s" in names and emails, ignoring case, partial "@" included',
		async (search, expected) => {
			const answer = await searchUsers(search);
			expect(answer.results.map((r) => r.name)).toEqual(expected);
		},
	);

	it('asks Exotel’s exact filter first for a complete address, as typed and in lower case: one request', async () => {
		const answer = await searchUsers('Vikram.Iyer@Example.com');
		expect(answer.results.map((r) => r.name)).toEqual(['Vikram Iyer (vikram.iyer@example.com)']);
		expect(pagesAsked()).toEqual(['email=Vikram.Iyer@Example.com,vikram.iyer@example.com']);
	});

	it('falls back to the walk for a complete address Exotel holds in other capitals', async () => {
		const [asha, ...others] = seedUsers();
		const capitals = await startTestbed({
			users: [...others, ...manyUsers(60), { ...asha, email: 'Asha.Rao@Example.com' }],
		});
		try {
			const answer = await searchUsers('asha.rao@example.com', undefined, capitals);
			expect(answer.results.map((r) => r.value)).toEqual([asha.id]);
			expect(pagesAsked(capitals)).toEqual(['email=asha.rao@example.com', '0+50', '50+50']);
		} finally {
			await capitals.sandbox.stop();
		}
	});

	it('reads at most 1,000 users per answer; with too few matches, a row says so and keeps the list scrollable', async () => {
		const big = await startTestbed({ users: manyUsers(1200) });
		try {
			const first = await searchUsers('nobody-has-this', undefined, big);
			expect(big.sandbox.requests).toHaveLength(MAX_PAGES_PER_ANSWER);
			expect(first.results).toEqual([
				{ name: 'Searched 1000 of 1200 users so far: scroll down to search on', value: '' },
			]);
			expect(first.paginationToken).toBe('1000');
			const second = await searchUsers('nobody-has-this', first.paginationToken as string, big);
			expect(second).toEqual({ results: [], paginationToken: undefined });
			expect(big.sandbox.requests).toHaveLength(MAX_PAGES_PER_ANSWER + 4);
		} finally {
			await big.sandbox.stop();
		}
	});
});

describe('Device → From List (searchDevices)', () => {
	const devices = async (parameters: Record<string, unknown>) =>
		await bed.node.methods.listSearch.searchDevices.call(
			loadOptionsContext(
				bed.credentials(),
				{ operation: 'updateSipPassword', ...parameters } as never,
				bed.node,
			),
		);

	it('lists the chosen user’s devices with name, type, contact and whether on, and their owner (Device → Update)', async () => {
		const answer = await devices({
			resource: 'device',
			operation: 'update',
			userId: byId(ASHA.id),
		});
		expect(answer.results).toEqual([
			{
				name: 'Asha softphone (SIP, sip:asharao101, on) · Asha Rao (asha.rao@example.com)',
				value: '101',
			},
			{
				name: 'Asha mobile (Telephone, +919876543210) · Asha Rao (asha.rao@example.com)',
				value: '102',
			},
		]);
		expect(bed.sandbox.requests.map((r) => `${r.method} ${r.segments.slice(3).join('/')}`)).toEqual(
			[`GET users/${ASHA.id}`],
		);
	});

	it('finds a user given by email in other capitals', async () => {
		const answer = await devices({ operation: 'update', userId: byEmail('ASHA.RAO@example.com') });
		expect(answer.results.map((r) => r.value)).toEqual(['101', '102']);
	});

	it('offers only SIP devices for a SIP password, and says when the user has none', async () => {
		const answer = await devices({ userId: byId(ASHA.id) });
		expect(answer.results).toEqual([
			{
				name: 'Asha softphone (SIP, sip:asharao101, on) · Asha Rao (asha.rao@example.com)',
				value: '101',
			},
		]);
		const none = await failure(devices({ userId: byId('c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0') }));
		expect(none.message).toBe('Mei Lin Tan has no SIP device');
	});

	it('asks for the user first, and explains that an expression cannot be listed', async () => {
		expect((await failure(devices({ userId: byId('') }))).message).toBe('Choose the user first');
		expect((await failure(devices({ userId: byId('={{ $json.user }}') }))).message).toBe(
			'The device list needs a user chosen here, not an expression',
		);
		expect(bed.sandbox.requests).toHaveLength(0);
	});

	it('refuses a user id a run refuses (".", "..", a slash) without sending it', async () => {
		for (const id of ['.', '..', '../x']) {
			expect((await failure(devices({ userId: byId(id) }))).message).toMatch(/^User contains/);
		}
		expect(bed.sandbox.requests).toHaveLength(0);
	});

	it('given an email nobody has, stops at the user search’s page limit and says so', async () => {
		const big = await startTestbed({ users: manyUsers(1200) });
		try {
			const context = loadOptionsContext(
				big.credentials(),
				{ operation: 'updateSipPassword', userId: byEmail('nobody@example.com') } as never,
				big.node,
			);
			const error = await failure(big.node.methods.listSearch.searchDevices.call(context));
			expect(error.message).toBe('No Exotel user has the email nobody@example.com');
			expect(big.sandbox.requests).toHaveLength(1 + MAX_PAGES_PER_ANSWER); // the exact filter, then 20 pages
			expect(String((error as { description?: unknown }).description)).toContain(
				'first 1000 users',
			);
		} finally {
			await big.sandbox.stop();
		}
	});
});

/** The timeout of every request the picker sent through n8n's helper. */
let timeouts: Array<number | undefined> = [];

/** The editor calls listSearch with a load-options context; the execute context offers the same helpers. */
async function pickerSearch(filter?: string, token?: string, node: ExotelUsers = bed.node) {
	const { ctx } = buildExecuteContext({
		nodeType: node,
		credentialType: new ExotelUsersApi(),
		credentials: bed.credentials(),
	});
	const send = ctx.helpers.httpRequestWithAuthentication;
	ctx.helpers.httpRequestWithAuthentication = async function (
		this: unknown,
		type: string,
		options: IHttpRequestOptions,
		...rest: unknown[]
	) {
		timeouts.push(options.timeout);
		return await (send as (...a: unknown[]) => Promise<unknown>).call(this, type, options, ...rest);
	} as typeof send;
	return await node.methods.listSearch.searchUsers.call(ctx as never, filter, token);
}

beforeEach(() => (timeouts = []));

describe('the picker’s own short settings (a person is waiting)', () => {
	it('sends with the picker’s timeout, not the Options’ default', async () => {
		await pickerSearch();
		expect(PICKER_SETTINGS.timeoutMs).toBeLessThan(SEND_DEFAULTS.timeoutSeconds * 1000);
		expect(timeouts).toEqual([PICKER_SETTINGS.timeoutMs]);
	});

	it('tries a failing request only the picker’s Max Attempts, not the Options’ default', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 503 });
		const error = await failure(pickerSearch());
		expect(PICKER_SETTINGS.retry.maxAttempts).toBeLessThan(SEND_DEFAULTS.maxAttempts);
		expect(bed.sandbox.requests).toHaveLength(PICKER_SETTINGS.retry.maxAttempts);
		expect(error.message).toMatch(
			new RegExp(`; gave up after ${PICKER_SETTINGS.retry.maxAttempts} attempts$`),
		);
		expect(timeouts).toEqual(
			Array(PICKER_SETTINGS.retry.maxAttempts).fill(PICKER_SETTINGS.timeoutMs),
		);
	});

	it('does not sit out a long Retry-After: one request, and the description says why', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 429, retryAfter: 30 });
		const error = await failure(pickerSearch());
		expect(bed.sandbox.requests).toHaveLength(1);
		const stop = stopText({
			kind: 'wait-too-long',
			askedMs: 30_000,
			maxMs: PICKER_SETTINGS.retry.maxDelayMs,
		});
		expect(error.description?.startsWith(`Not retried: ${stop}. `)).toBe(true);
	});

	it('is not queued behind a paced run on the same account: counted in its window, never waiting in it', async () => {
		// A run at 1 request a (1 s) window: its pre-flight read of the user takes the window, so
		// its PUT waits for the next one.
		const run = bed.run({
			items: [{ json: {} }],
			parameters: {
				userId: byId(ASHA.id),
				deviceId: String(ASHA.sip),
				passwordMode: 'manual',
				password: newPassword(),
				options: { requestsPerMinute: 1 },
			},
		});
		while (bed.sandbox.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
		const result = await pickerSearch();
		expect(result.results).toHaveLength(50);
		await run;
		expect(bed.sandbox.requests.map((r) => [r.method, r.segments.slice(3).join('/')])).toEqual([
			['GET', `users/${ASHA.id}`],
			['GET', 'users'],
			['PUT', `users/${ASHA.id}/devices/${ASHA.sip}/password`],
		]);
	});
});
