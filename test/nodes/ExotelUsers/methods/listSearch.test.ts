import type { IHttpRequestOptions } from 'n8n-workflow';

import { ExotelUsersApi } from '../../../../credentials/ExotelUsersApi.credentials';
import type { ExotelUsers } from '../../../../nodes/ExotelUsers/ExotelUsers.node';
import { stopText } from '../../../../nodes/ExotelUsers/helpers/errors';
import { SEND_DEFAULTS } from '../../../../nodes/ExotelUsers/helpers/sendOptions';
import { PICKER_SETTINGS } from '../../../../nodes/ExotelUsers/transport/client';
import { buildExecuteContext } from '../../../../dev/harness/n8n';
import { manyUsers, seedUsers } from '../../../../dev/sandbox/server';
import { ASHA, byId, failure, newPassword, useTestbed } from '../../../support/exotel';

const bed = useTestbed({ users: [...seedUsers(), ...manyUsers(57)] }, { windowMs: 1000 });

/** The timeout of every request the picker sent through n8n's helper. */
let timeouts: Array<number | undefined> = [];

/** The editor calls listSearch with a load-options context; the execute context offers the same helpers. */
async function search(filter?: string, token?: string, node: ExotelUsers = bed.node) {
	const { ctx } = buildExecuteContext({ nodeType: node, credentialType: new ExotelUsersApi(), credentials: bed.credentials() });
	const send = ctx.helpers.httpRequestWithAuthentication;
	ctx.helpers.httpRequestWithAuthentication = async function (this: unknown, type: string, options: IHttpRequestOptions, ...rest: unknown[]) {
		timeouts.push(options.timeout);
		return await (send as (...a: unknown[]) => Promise<unknown>).call(this, type, options, ...rest);
	} as typeof send;
	return await node.methods.listSearch.searchUsers.call(ctx as never, filter, token);
}

beforeEach(() => (timeouts = []));

describe('User → From List (searchUsers)', () => {
	it('lists users a page at a time, by name and email, with a token for the next page', async () => {
		const first = await search();
		expect(first.results).toHaveLength(50);
		expect(first.results[0]).toEqual({ name: 'Asha Rao (asha.rao@example.com)', value: 'a3f1c2d4e5b60718293a4b5c6d7e8f90' });
		expect(first.paginationToken).toBe('50');
		const second = await search(undefined, first.paginationToken);
		expect(second.results).toHaveLength(10);
		expect(second.paginationToken).toBeUndefined();
	});

	it('asks Exotel for an exact email', async () => {
		const result = await search('vikram.iyer@example.com');
		expect(bed.sandbox.requests[0].query.email).toBe('vikram.iyer@example.com');
		expect(result.results.map((r) => r.name)).toEqual(['Vikram Iyer (vikram.iyer@example.com)']);
	});

	it('matches names within the page', async () => {
		const result = await search('mei');
		expect(result.results).toEqual([{ name: 'Mei Lin Tan', value: 'c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0' }]);
	});
});

describe('the picker’s own short settings (a person is waiting)', () => {
	it('sends with the picker’s timeout, not the Options’ default', async () => {
		await search();
		expect(PICKER_SETTINGS.timeoutMs).toBeLessThan(SEND_DEFAULTS.timeoutSeconds * 1000);
		expect(timeouts).toEqual([PICKER_SETTINGS.timeoutMs]);
	});

	it('tries a failing request only the picker’s Max Attempts, not the Options’ default', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 503 });
		const error = await failure(search());
		expect(PICKER_SETTINGS.retry.maxAttempts).toBeLessThan(SEND_DEFAULTS.maxAttempts);
		expect(bed.sandbox.requests).toHaveLength(PICKER_SETTINGS.retry.maxAttempts);
		expect(error.message).toMatch(new RegExp(`; gave up after ${PICKER_SETTINGS.retry.maxAttempts} attempts$`));
		expect(timeouts).toEqual(Array(PICKER_SETTINGS.retry.maxAttempts).fill(PICKER_SETTINGS.timeoutMs));
	});

	it('does not sit out a long Retry-After: one request, and the description says why', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 429, retryAfter: 30 });
		const error = await failure(search());
		expect(bed.sandbox.requests).toHaveLength(1);
		const stop = stopText({ kind: 'wait-too-long', askedMs: 30_000, maxMs: PICKER_SETTINGS.retry.maxDelayMs });
		expect(error.description?.startsWith(`Not retried: ${stop}. `)).toBe(true);
	});

	it('is not queued behind a paced run on the same account: counted in its window, never waiting in it', async () => {
		// A run at 1 request a (1 s) window: its second item waits for the window to pass.
		const run = bed.run({
			items: [{ json: {} }, { json: {} }],
			parameters: { userId: byId(ASHA.id), deviceId: String(ASHA.sip), password: newPassword(), options: { requestsPerMinute: 1 } },
		});
		while (bed.sandbox.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
		const result = await search();
		expect(result.results).toHaveLength(50);
		await run;
		expect(bed.sandbox.requests.map((r) => r.method)).toEqual(['PUT', 'GET', 'PUT']);
	});
});
