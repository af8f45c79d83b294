/**
 * The fault suite's testbed (test/nodes/shared/transport/transport.faults*.test.ts): a batch of
 * Update SIP Password items run with Continue On Fail against a sandbox that injects faults,
 * and what the tests read of it.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { stopText } from '../../nodes/shared/transport/errors';
import type { StopReason } from '../../nodes/shared/transport/retry';
import { manyUsers, seedUsers, type User } from '../../tools/dev/sandbox/server';
import { byId, newPassword, useTestbed } from './exotel';

/** The three named users, then these eight generated ones, each with one SIP device. */
export const USERS = manyUsers(8);

/** Fast settings: 10 ms first backoff, 0.5 s per-request timeout, 3 attempts in all. */
export const TIMEOUT_S = 0.5;
export const FAST = { retryBaseDelay: 0.01, maxRetryWait: 5, timeout: TIMEOUT_S, maxAttempts: 3 };

export const PASSWORD_PARAMETERS: INodeParameters = {
	userId: byId('={{ $json.user }}'),
	deviceId: '={{ $json.device }}',
	passwordMode: 'manual',
	password: '={{ $json.pw }}',
};

export function itemsFor(users: User[]): INodeExecutionData[] {
	return users.map((u) => ({ json: { user: u.id, device: u.devices[0].id, pw: newPassword() } }));
}

/** Exactly one output per input, in input order, each paired to its input. */
export function expectOneOutputPerItem(output: INodeExecutionData[], count: number): void {
	expect(output.map((o) => o.pairedItem)).toEqual(
		Array.from({ length: count }, (_, item) => ({ item })),
	);
}

export function errorOf(output: INodeExecutionData[], index: number): string {
	const { error } = output[index].json;
	expect(typeof error).toBe('string');
	return error as string;
}

/** The node's error for a run without Continue On Fail. */
export async function failureOf(
	run: Promise<unknown>,
): Promise<Error & { description?: string | null }> {
	try {
		await run;
	} catch (error) {
		return error as Error & { description?: string };
	}
	throw new Error('the node did not fail');
}

/** The start of the description of an error whose retries stopped for `stop`: the same typed value the client decided. */
export function notRetried(stop: StopReason): string {
	const text = stopText(stop);
	if (!text) throw new Error(`${stop.kind} is not explained in the description`);
	return `Not retried: ${text}. `;
}

/** A testbed for a fault test file (see useTestbed), with what the tests run and read on it. */
export function useFaultTestbed() {
	const bed = useTestbed({ users: seedUsers(3 + USERS.length) });

	async function runBatch(users: User[], options: INodeParameters) {
		const items = itemsFor(users);
		const output = await bed.run({
			items,
			continueOnFail: true,
			parameters: { ...PASSWORD_PARAMETERS, options },
		});
		return { items, output };
	}

	/** The requests the sandbox received about a user, in arrival order. */
	const requestsAbout = (user: User) =>
		bed.sandbox.requests.filter((r) => r.segments[4] === user.id);
	const requestCounts = (users: User[]) => users.map((u) => requestsAbout(u).length);

	/** The item succeeded, and the sandbox now holds exactly the password it sent. */
	function expectPasswordSet(
		output: INodeExecutionData[],
		items: INodeExecutionData[],
		index: number,
		user: User,
	): void {
		expect(output[index].json).toMatchObject({ http_code: 200, response: { status: 'success' } });
		expect(output[index].json.error).toBeUndefined();
		expect(bed.sandbox.passwordOf(user.id, user.devices[0].id)).toBe(
			bed.sandbox.fingerprint(items[index].json.pw as string),
		);
	}

	const host = () => new URL(bed.sandbox.url).host;

	return { bed, runBatch, requestsAbout, requestCounts, expectPasswordSet, host };
}
