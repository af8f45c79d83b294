/**
 * The lock-out suite, in-process: for each fault, run as a user would, apply the documented
 * recovery (run the workflow again with the same Rotation ID), then count against the sandbox
 * — the truth of what Exotel holds — the agents locked out and those handed two passwords
 * (test/support/lockout.ts). Both must be 0 in every row. A Rotation ID and its key:
 * lockout.rotationId.test.ts; agents gone since their rotation started: lockout.goneSince.test.ts.
 */
import type { INodeExecutionData } from 'n8n-workflow';
import { randomBytes } from 'node:crypto';

import { manyUsers } from '../../../tools/dev/sandbox/server';
import { ASHA, byId, captureOutput, expectNoSecrets, newPassword } from '../../support/exotel';
import { Deliveries, USERS, rotation, useLockoutTestbed, users } from '../../support/lockout';

const { bed, count, putCount } = useLockoutTestbed();

describe('lock-out suite: no agent left with a password nobody received', () => {
	it('a bad item at position 51 of 100 (On Error: stop): nothing changes, the error names the item', async () => {
		const agents = users().slice(3, 53); // 50 agents, each twice: 100 items
		const items = [...agents, ...agents].map((u) => ({ json: { user: u.id } }));
		items[50] = { json: { user: 'no-such-user-0000000000000000000' } };
		const { error } = await captureOutput(() =>
			bed.run({
				items,
				parameters: {
					userId: byId('={{ $json.user }}'),
					deviceId: '',
					passwordMode: 'generate',
					rotationId: 'q4',
				},
			}),
		);
		expect((error as Error).message).toMatch(/No user with this ID|not found/i);
		expect((error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(50);
		expect(putCount()).toBe(0);
		expect(count(users(), new Deliveries())).toEqual({ locked: 0, doubled: 0, changed: 0 });
	});

	it('a user with no SIP device third, device left empty: the run stops before the first two change', async () => {
		const meiLin = users()[2]; // her only device is a telephone
		const items = [users()[3], users()[4], meiLin].map((u) => ({ json: { user: u.id } }));
		const { error } = await captureOutput(() =>
			bed.run({
				items,
				parameters: { userId: byId('={{ $json.user }}'), deviceId: '', passwordMode: 'generate' },
			}),
		);
		expect((error as Error).message).toMatch(/has no SIP device/);
		expect(putCount()).toBe(0);
	});

	it('a write failing after 20 changes: the error names the 20, and running again with the same Rotation ID hands on exactly what Exotel holds', async () => {
		const deliveries = new Deliveries();
		// The 21st agent in the account's order (Mei Lin, third, has no SIP device): every PUT 503.
		const fault = bed.sandbox.faults.add({
			kind: 'status',
			status: 503,
			userId: users()[21].id,
			route: 'PUT users/:userId/devices/:deviceId/password',
		});
		const first = await captureOutput(() =>
			bed.run({
				parameters: {
					...rotation('2026-Q4'),
					options: { maxAttempts: 3, retryBaseDelaySeconds: 0.01 },
				},
			}),
		);
		fault.remove();
		const error = first.error as Error & { description?: string };
		// A 503 may or may not have been carried out: that agent is named as possibly changed.
		expect(error.message).toMatch(
			/— 20 agents already have a new SIP password and 1 agent may have one, not handed on$/,
		);
		expect(error.description).toMatch(
			/What to do now: run the workflow again with the same Rotation ID \(2026-Q4\)/,
		);
		expect(error.description).toContain('Asha Rao <asha.rao@example.com>');
		expectNoSecrets(error, [bed.secrets.apiToken]);
		deliveries.add(first.result);
		expect(count(users(), deliveries)).toMatchObject({ locked: 20, changed: 20 });

		// The documented recovery.
		const again = await bed.run({ parameters: rotation('2026-Q4') });
		deliveries.add(again);
		expect(again).toHaveLength(USERS - 1);
		expect(count(users(), deliveries)).toEqual({ locked: 0, doubled: 0, changed: USERS - 1 });
	});

	it('an answer lost after Exotel carried the PUT out, then 503s (Continue On Fail): the item still carries the password Exotel holds, marked', async () => {
		bed.sandbox.faults.add({
			kind: 'reset',
			processed: true,
			userId: ASHA.id,
			route: 'PUT users/:userId/devices/:deviceId/password',
			times: 1,
		});
		bed.sandbox.faults.add({
			kind: 'status',
			status: 503,
			userId: ASHA.id,
			route: 'PUT users/:userId/devices/:deviceId/password',
		});
		const output = await bed.run({
			continueOnFail: true,
			parameters: {
				userId: byId(ASHA.id),
				deviceId: '',
				passwordMode: 'generate',
				rotationId: 't-1',
				options: { maxAttempts: 3, retryBaseDelaySeconds: 0.01 },
			},
		});
		expect(output).toHaveLength(1);
		expect(output[0].json).toMatchObject({
			passwordPossiblySet: true,
			user_id: ASHA.id,
			device_id: String(ASHA.sip),
			email: 'asha.rao@example.com',
		});
		expect(output[0].json.error).toMatch(/503/);
		const deliveries = new Deliveries();
		deliveries.add(output);
		expect(bed.sandbox.fingerprint(output[0].json.sipPassword as string)).toBe(
			bed.sandbox.passwordOf(ASHA.id, ASHA.sip),
		);
		expect(count(users(), deliveries)).toEqual({ locked: 0, doubled: 0, changed: 1 });
	});

	it('the same lost answer with On Error: stop names the agent as possibly changed; the rerun sets and hands on the same password', async () => {
		bed.sandbox.faults.add({
			kind: 'reset',
			processed: true,
			userId: ASHA.id,
			route: 'PUT users/:userId/devices/:deviceId/password',
			times: 1,
		});
		bed.sandbox.faults.add({
			kind: 'status',
			status: 503,
			userId: ASHA.id,
			route: 'PUT users/:userId/devices/:deviceId/password',
			times: 2,
		});
		const parameters = {
			userId: byId(ASHA.id),
			deviceId: '',
			passwordMode: 'generate',
			rotationId: 't-2',
			options: { maxAttempts: 3, retryBaseDelaySeconds: 0.01 },
		};
		const first = await captureOutput(() => bed.run({ parameters }));
		const error = first.error as Error & { description?: string };
		expect(error.message).toMatch(/1 agent may have one, not handed on$/);
		expect(error.description).toMatch(
			/Possibly changed \(Exotel’s answer was lost\): Asha Rao <asha\.rao@example\.com>/,
		);
		const held = bed.sandbox.passwordOf(ASHA.id, ASHA.sip);
		expect(held).toBeDefined();
		const again = await bed.run({ parameters });
		expect(bed.sandbox.fingerprint(again[0].json.sipPassword as string)).toBe(held);
	});

	it('the same agent three times in one run: set once, and every copy carries the password Exotel holds', async () => {
		const output = await bed.run({
			items: [{ json: {} }, { json: {} }, { json: {} }],
			parameters: { userId: byId(ASHA.id), deviceId: '', passwordMode: 'generate' },
		});
		expect(putCount()).toBe(1);
		const deliveries = new Deliveries();
		deliveries.add(output);
		expect(output.map((o) => bed.sandbox.fingerprint(o.json.sipPassword as string))).toEqual(
			Array(3).fill(bed.sandbox.passwordOf(ASHA.id, ASHA.sip)),
		);
		expect(count(users(), deliveries)).toEqual({ locked: 0, doubled: 0, changed: 1 });
	});

	it('two different typed passwords for one device are refused before sending, naming both items', async () => {
		const { error } = await captureOutput(() =>
			bed.run({
				items: [{ json: { pw: newPassword() } }, { json: { pw: newPassword() } }],
				parameters: {
					userId: byId(ASHA.id),
					deviceId: '',
					passwordMode: 'manual',
					password: '={{ $json.pw }}',
				},
			}),
		);
		expect((error as Error).message).toBe(
			`Items 1 and 2 set different SIP passwords on the same device (Asha Rao <asha.rao@example.com> (user ${ASHA.id}, device ${ASHA.sip}))`,
		);
		expect(putCount()).toBe(0);
	});

	it('a repeated rotation with the same Rotation ID sets and hands on the same passwords; a new one gives new passwords', async () => {
		const first = await bed.run({ parameters: rotation('r-1') });
		const second = await bed.run({ parameters: rotation('r-1') });
		const third = await bed.run({ parameters: rotation('r-2') });
		const passwords = (o: INodeExecutionData[]) => o.map((i) => i.json.sipPassword);
		expect(passwords(second)).toEqual(passwords(first));
		expect(passwords(third).filter((p, i) => p === passwords(first)[i])).toEqual([]);
	});

	it('the derived password depends on the credential’s SIP Password Key, never on the API token', async () => {
		const parameters = {
			userId: byId(ASHA.id),
			deviceId: '',
			passwordMode: 'generate',
			rotationId: 'k-1',
		};
		const first = await bed.run({ parameters });
		const otherToken = await bed
			.run({
				parameters,
				credentials: { ...bed.credentials(), apiToken: `${bed.secrets.apiToken}x` },
			})
			.catch(() => undefined);
		const otherKey = await bed.run({
			parameters,
			credentials: { ...bed.credentials(), passwordKey: randomBytes(32).toString('base64') },
		});
		expect(otherToken).toBeUndefined(); // the sandbox refuses the other token: nothing derives from it
		expect(otherKey[0].json.sipPassword).not.toEqual(first[0].json.sipPassword);
		expect(otherKey[0].json.key_id).not.toEqual(first[0].json.key_id);
		expect(bed.sandbox.fingerprint(otherKey[0].json.sipPassword as string)).toBe(
			bed.sandbox.passwordOf(ASHA.id, ASHA.sip),
		);
	});

	it('keeps generated users apart from the named ones (the suite’s own premise)', () => {
		expect(manyUsers(3).map((u) => u.id)).not.toContain(ASHA.id);
	});
});
