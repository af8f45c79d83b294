/**
 * The lock-out suite, in-process: for each fault, run as a user would, apply the documented
 * recovery (run the workflow again with the same Rotation ID), then count against the sandbox
 * — the truth of what Exotel holds —
 *   locked: agents whose Exotel password is not the last one handed on to them (an output item);
 *   doubled: agents handed two different passwords.
 * Both must be 0 in every row.
 */
import { manyUsers, seedUsers, type User } from '../../../tools/dev/sandbox/server';
import type { INodeExecutionData } from 'n8n-workflow';
import { randomBytes } from 'node:crypto';

import {
	ASHA,
	ASHA_SIP_AGENT,
	byId,
	captureOutput,
	expectNoSecrets,
	newPassword,
	useTestbed,
} from '../../support/exotel';

const USERS = 60;
const bed = useTestbed({ users: seedUsers(USERS) });

/** Every password handed on, per device, in order (what a Send Email node after the node would mail). */
class Deliveries {
	readonly byDevice = new Map<string, string[]>();

	add(output: INodeExecutionData[] | undefined): void {
		for (const { json } of output ?? []) {
			if (typeof json.sipPassword !== 'string') continue;
			const key = `${String(json.user_id)}/${String(json.device_id)}`;
			this.byDevice.set(key, [...(this.byDevice.get(key) ?? []), json.sipPassword]);
		}
	}
}

function count(
	users: User[],
	deliveries: Deliveries,
): { locked: number; doubled: number; changed: number } {
	let locked = 0;
	let doubled = 0;
	let changed = 0;
	for (const user of users) {
		for (const device of user.devices.filter((d) => d.type === 'sip')) {
			const held = bed.sandbox.passwordOf(user.id, device.id);
			if (held === undefined) continue;
			changed++;
			const handed = deliveries.byDevice.get(`${user.id}/${device.id}`) ?? [];
			if (handed.length === 0 || bed.sandbox.fingerprint(handed[handed.length - 1]) !== held)
				locked++;
			if (new Set(handed).size > 1) doubled++;
		}
	}
	return { locked, doubled, changed };
}

const users = () => seedUsers(USERS);
const rotation = (rotationId: string, extra: Record<string, unknown> = {}) => ({
	operation: 'rotateSipPasswords',
	scope: 'all',
	rotationId,
	...extra,
});
const putCount = () => bed.sandbox.requests.filter((r) => r.method === 'PUT').length;

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

	describe('a Rotation ID and its key', () => {
		const reset = (rotationId: string, extra: Record<string, unknown> = {}) => ({
			userId: byId(ASHA.id),
			deviceId: '',
			passwordMode: 'generate',
			rotationId,
			...extra,
		});

		it('no SIP Password Key: a Rotation ID is refused before any request, saying what to do', async () => {
			const withoutKey: Record<string, string> = bed.credentials();
			delete withoutKey.passwordKey;
			for (const parameters of [reset('t-9'), rotation('2026-12-06')]) {
				const { error } = await captureOutput(() =>
					bed.run({ parameters, credentials: withoutKey }),
				);
				expect((error as Error).message).toMatch(
					/^Rotation ID (t-9|2026-12-06) needs the credential’s SIP Password Key, which is empty$/,
				);
				expect((error as { description?: string }).description).toMatch(
					/openssl rand -base64 32.*Or clear Rotation ID for a random password/s,
				);
			}
			// Several items (whose check would read the account first): still nothing sent.
			const items = users()
				.slice(3, 8)
				.map((u) => ({ json: { user: u.email } }));
			const { error } = await captureOutput(() =>
				bed.run({
					items,
					parameters: { ...reset('t-9'), userId: byId('={{ $json.user }}') },
					credentials: withoutKey,
				}),
			);
			expect((error as Error).message).toMatch(
				/needs the credential’s SIP Password Key, which is empty$/,
			);
			expect(bed.sandbox.requests).toHaveLength(0);
			// Without a Rotation ID, a random password needs no key.
			const random = await bed.run({ parameters: reset(''), credentials: withoutKey });
			expect(random[0].json).toMatchObject({ password_set: true });
			expect(random[0].json.key_id).toBeUndefined();
		});

		it('a weak key is refused by the run (and by the credential test: see the credential’s tests)', async () => {
			for (const passwordKey of [
				'x',
				'a-long-random-secret-of-the-team',
				`${bed.secrets.passwordKey} `,
				bed.secrets.apiToken,
			]) {
				const { error } = await captureOutput(() =>
					bed.run({
						parameters: reset('t-10'),
						credentials: { ...bed.credentials(), passwordKey },
					}),
				);
				expect((error as Error).message).toMatch(
					/^Rotation ID t-10 needs the credential’s SIP Password Key, which (has about|contains whitespace|is the API token|uses only)/,
				);
				expectNoSecrets(
					error,
					[passwordKey, bed.secrets.apiToken].filter((secret) => secret.length > 1),
				);
			}
			expect(bed.sandbox.requests).toHaveLength(0);
		});

		it('a reused Rotation ID: a single reset is refused before any PUT; Rotate skips the agents already done', async () => {
			const first = await bed.run({ parameters: reset('ticket-7'), mode: 'webhook' });
			expect(first[0].json).toMatchObject({
				rotation_id: 'ticket-7',
				password_set: true,
				key_id: expect.stringMatching(/^[0-9a-f]{8}$/),
			});
			const puts = putCount();
			const { error } = await captureOutput(() =>
				bed.run({ parameters: reset('ticket-7'), mode: 'webhook' }),
			);
			expect((error as Error).message).toMatch(
				new RegExp(
					`^Rotation ID ticket-7 already changed the SIP password of Asha Rao <asha.rao@example.com> \\(user ${ASHA.id}, device ${ASHA.sip}\\) on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC$`,
				),
			);
			expect((error as { description?: string }).description).toMatch(
				/A new Rotation ID gives a new password/,
			);
			expect(putCount()).toBe(puts);
			// A new Rotation ID is a new password.
			const leak = await bed.run({ parameters: reset('ticket-8'), mode: 'webhook' });
			expect(leak[0].json.sipPassword).not.toBe(first[0].json.sipPassword);

			// Rotate: 5 agents done by an earlier run of this Rotation ID are skipped, not output, not set.
			const fiveIds = users()
				.slice(3, 8)
				.map((u) => u.id);
			await bed.run({
				parameters: rotation('2026-W49', { scope: 'users', users: fiveIds.join(',') }),
				mode: 'trigger',
			});
			const before = putCount();
			const hints: Array<{ message: string }> = [];
			const all = await bed.run({ parameters: rotation('2026-W49'), mode: 'trigger', hints });
			expect(all.map((o) => o.json.user_id)).not.toEqual(expect.arrayContaining([fiveIds[0]]));
			expect(all).toHaveLength(USERS - 1 - 5);
			expect(putCount() - before).toBe(USERS - 1 - 5);
			expect(hints.map((h) => h.message).join('\n')).toMatch(
				/5 agents whose password Rotation ID 2026-W49 already set/,
			);
			// All done: nothing would change, and the run says so before sending anything.
			const requests = bed.sandbox.requests.length;
			const { error: nothing } = await captureOutput(() =>
				bed.run({ parameters: rotation('2026-W49'), mode: 'trigger' }),
			);
			expect((nothing as Error).message).toMatch(
				/^Rotation ID 2026-W49 already changed the SIP password of every selected agent \(59\): nothing would change$/,
			);
			expect(bed.sandbox.requests.slice(requests).filter((r) => r.method !== 'GET')).toHaveLength(
				0,
			);
		});

		it('a manual run is not remembered, and says so', async () => {
			const hints: Array<{ message: string }> = [];
			await bed.run({ parameters: reset('ticket-9'), hints });
			expect(hints.map((h) => h.message).join('\n')).toMatch(
				/This is a manual run: n8n does not save what the workflow remembers/,
			);
			expect(bed.savedStaticData).toBeUndefined();
			const again = await bed.run({ parameters: reset('ticket-9') });
			expect(again[0].json.password_set).toBe(true);
		});

		it('the key changed between a failed run and its re-run: refused before any write; the old key finishes the rotation', async () => {
			const deliveries = new Deliveries();
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
						options: { maxAttempts: 2, retryBaseDelaySeconds: 0.01 },
					},
					mode: 'trigger',
				}),
			);
			fault.remove();
			const stop = first.error as Error & {
				context?: {
					passwordRun?: {
						rotation_ids: string[];
						key_id: string;
						changed: Array<Record<string, unknown>>;
						possibly_changed: unknown[];
					};
				};
			};
			expect(stop.context?.passwordRun).toMatchObject({
				rotation_ids: ['2026-Q4'],
				key_id: expect.stringMatching(/^[0-9a-f]{8}$/),
				possibly_changed: [expect.objectContaining({ user_id: users()[21].id })],
			});
			expect(stop.context?.passwordRun?.changed).toHaveLength(20);
			expect(stop.context?.passwordRun?.changed[0]).toEqual({
				user_id: ASHA.id,
				device_id: String(ASHA.sip),
				first_name: 'Asha',
				last_name: 'Rao',
				email: 'asha.rao@example.com',
				contact_uri: 'sip:asharao101',
				sip_username: 'asharao101',
			});
			expect(stop.message).toMatch(/not handed on$/);
			expect((stop as { description?: string }).description).toContain(
				`key id ${stop.context?.passwordRun?.key_id}`,
			);
			const puts = putCount();

			const newKey = { ...bed.credentials(), passwordKey: randomBytes(32).toString('base64') };
			const { error } = await captureOutput(() =>
				bed.run({ parameters: rotation('2026-Q4'), credentials: newKey, mode: 'trigger' }),
			);
			expect((error as Error).message).toMatch(
				/^Rotation ID 2026-Q4 started with SIP Password Key [0-9a-f]{8}; the credential’s key is now [0-9a-f]{8}$/,
			);
			expect(putCount()).toBe(puts);

			const again = await bed.run({ parameters: rotation('2026-Q4'), mode: 'trigger' });
			deliveries.add(again);
			expect(count(users(), deliveries)).toEqual({ locked: 0, doubled: 0, changed: USERS - 1 });
		});

		it('deliver first, then set: Later writes nothing; a refused mail leaves that agent’s old password; the set step sets what was delivered', async () => {
			const prepared = await bed.run({
				parameters: rotation('2026-Q1', { whenToSet: 'later' }),
				mode: 'trigger',
			});
			expect(putCount()).toBe(0);
			expect(prepared).toHaveLength(USERS - 1);
			expect(prepared[0].json).toEqual({
				...ASHA_SIP_AGENT,
				sipPassword: expect.any(String),
				rotation_id: '2026-Q1',
				key_id: expect.stringMatching(/^[0-9a-f]{8}$/),
				password_set: false,
			});
			// The mail to agent 11 is refused: the set step gets only the delivered ones.
			const delivered = prepared.filter((_, i) => i !== 10);
			const deliveries = new Deliveries();
			deliveries.add(delivered);
			const set = await bed.run({
				items: delivered.map((p) => ({ json: p.json })),
				parameters: {
					userId: byId('={{ $json.user_id }}'),
					deviceId: '={{ $json.device_id }}',
					passwordMode: 'generate',
					rotationId: '={{ $json.rotation_id }}',
				},
				mode: 'trigger',
			});
			expect(set.map((o) => o.json.sipPassword)).toEqual(delivered.map((p) => p.json.sipPassword));
			expect(
				bed.sandbox.passwordOf(
					String(prepared[10].json.user_id),
					String(prepared[10].json.device_id),
				),
			).toBeUndefined();
			expect(count(users(), deliveries)).toEqual({ locked: 0, doubled: 0, changed: USERS - 2 });
			// The re-run (recovery) prepares only the agent not done, and that agent gets the same password.
			const rerun = await bed.run({
				parameters: rotation('2026-Q1', { whenToSet: 'later' }),
				mode: 'trigger',
			});
			expect(rerun.map((o) => o.json.user_id)).toEqual([prepared[10].json.user_id]);
			expect(rerun[0].json.sipPassword).toBe(prepared[10].json.sipPassword);
		});

		describe('a user or device gone since the rotation started: named in a warning, the others set', () => {
			const setStep = {
				userId: byId('={{ $json.user_id }}'),
				deviceId: '={{ $json.device_id }}',
				passwordMode: 'generate',
				rotationId: '={{ $json.rotation_id }}',
			};
			const warnings = (hints: Array<{ message: string; type?: string }>) =>
				hints
					.filter((h) => h.type === 'warning')
					.map((h) => h.message)
					.join('\n');

			it('a user deleted between the prepare step and the set step', async () => {
				const prepared = await bed.run({
					parameters: rotation('2026-Q1', { whenToSet: 'later' }),
					mode: 'trigger',
				});
				const gone = prepared[4].json;
				bed.sandbox.users.delete(String(gone.user_id));
				const deliveries = new Deliveries();
				deliveries.add(prepared);
				const hints: Array<{ message: string; type?: string }> = [];
				const set = await bed.run({
					items: prepared.map((p) => ({ json: p.json })),
					parameters: setStep,
					mode: 'trigger',
					hints,
				});
				expect(set).toHaveLength(prepared.length);
				expect(set[4].json).toEqual({
					user_id: gone.user_id,
					device_id: gone.device_id,
					rotation_id: '2026-Q1',
					key_id: gone.key_id,
					password_set: false,
					not_set_reason: `user ${String(gone.user_id)} no longer exists in Exotel`,
				});
				expect(set.filter((o) => o.json.password_set === true)).toHaveLength(prepared.length - 1);
				expect(warnings(hints)).toMatch(
					new RegExp(
						`^Not set, 1 agent changed in Exotel since the rotation started — user ${String(gone.user_id)}, device ${String(gone.device_id)}: user \\S+ no longer exists in Exotel\\. The other agents were set\\.`,
					),
				);
				const left = users().filter((u) => u.id !== gone.user_id);
				expect(count(left, deliveries)).toEqual({ locked: 0, doubled: 0, changed: USERS - 2 });
			});

			it('a device removed, and another no longer SIP, between the prepare step and the set step (and under Continue On Fail)', async () => {
				for (const continueOnFail of [false, true]) {
					bed.sandbox.reset();
					bed.savedStaticData = undefined;
					const rotationId = `2026-Q1-${String(continueOnFail)}`;
					const prepared = await bed.run({
						parameters: rotation(rotationId, { whenToSet: 'later' }),
						mode: 'trigger',
					});
					const [removed, retyped] = [prepared[6].json, prepared[7].json];
					const owner = bed.sandbox.users.get(String(removed.user_id))!;
					owner.devices = owner.devices.filter((d) => String(d.id) !== String(removed.device_id));
					const device = bed.sandbox.users
						.get(String(retyped.user_id))!
						.devices.find((d) => String(d.id) === String(retyped.device_id))!;
					device.type = 'tel';
					const hints: Array<{ message: string; type?: string }> = [];
					const set = await bed.run({
						items: prepared.map((p) => ({ json: p.json })),
						parameters: setStep,
						mode: 'trigger',
						hints,
						continueOnFail,
					});
					expect(set).toHaveLength(prepared.length);
					expect(set[6].json).toMatchObject({
						password_set: false,
						email: removed.email,
						not_set_reason: `device ${String(removed.device_id)} is no longer one of user ${String(removed.user_id)}’s devices (devices: none)`,
					});
					expect(set[7].json).toMatchObject({
						password_set: false,
						not_set_reason: expect.stringMatching(
							/^device \d+ \(tel, .*\) of user \w+ is no longer a SIP device$/,
						),
					});
					expect(set[6].json).not.toHaveProperty('sipPassword');
					expect(set[6].json).not.toHaveProperty('error');
					expect(warnings(hints)).toMatch(
						/^Not set, 2 agents changed in Exotel since the rotation started/,
					);
					const deliveries = new Deliveries();
					deliveries.add(prepared);
					expect(count(users(), deliveries)).toEqual({ locked: 0, doubled: 0, changed: USERS - 3 });
				}
			});

			it('a re-run after a stop, one changed user deleted since: the others set, the deleted one named', async () => {
				const deliveries = new Deliveries();
				const fault = bed.sandbox.faults.add({
					kind: 'status',
					status: 400,
					userId: users()[21].id,
					route: 'PUT users/:userId/devices/:deviceId/password',
				});
				const first = await captureOutput(() =>
					bed.run({ parameters: rotation('2026-Q4'), mode: 'trigger' }),
				);
				fault.remove();
				const stop = first.error as Error & {
					context?: { passwordRun?: { changed: Array<Record<string, unknown>> } };
				};
				expect(stop.context?.passwordRun?.changed).toHaveLength(20);
				const deleted = stop.context!.passwordRun!.changed[4];
				bed.sandbox.users.delete(String(deleted.user_id));
				const hints: Array<{ message: string; type?: string }> = [];
				const again = await bed.run({ parameters: rotation('2026-Q4'), mode: 'trigger', hints });
				deliveries.add(again);
				expect(again).toHaveLength(USERS - 2);
				expect(warnings(hints)).toMatch(
					new RegExp(
						`— user ${String(deleted.user_id)}, device ${String(deleted.device_id)}: user \\S+ no longer exists in Exotel \\(a stopped run of Rotation ID 2026-Q4 changed this password on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\)`,
					),
				);
				const left = users().filter((u) => u.id !== deleted.user_id);
				expect(count(left, deliveries)).toEqual({ locked: 0, doubled: 0, changed: USERS - 2 });
			});

			it('a re-run of single resets after a stop, one changed user deleted since: that item says so, the others are set', async () => {
				const five = users().slice(3, 8);
				const items = five.map((u) => ({ json: { user: u.id } }));
				const parameters = {
					userId: byId('={{ $json.user }}'),
					deviceId: '',
					passwordMode: 'generate',
					rotationId: 'ticket-50',
				};
				const fault = bed.sandbox.faults.add({
					kind: 'status',
					status: 400,
					userId: five[3].id,
					route: 'PUT users/:userId/devices/:deviceId/password',
				});
				const first = await captureOutput(() => bed.run({ items, parameters, mode: 'webhook' }));
				fault.remove();
				expect((first.error as Error).message).toMatch(
					/— 3 agents already have a new SIP password, not handed on$/,
				);
				bed.sandbox.users.delete(five[1].id);
				const hints: Array<{ message: string; type?: string }> = [];
				const again = await bed.run({ items, parameters, mode: 'webhook', hints });
				expect(again.map((o) => o.json.password_set)).toEqual([true, false, true, true, true]);
				expect(again[1].json).toMatchObject({
					user_id: five[1].id,
					not_set_reason: `user ${five[1].id} no longer exists in Exotel`,
				});
				expect(warnings(hints)).toMatch(
					/a stopped run of Rotation ID ticket-50 changed this password on/,
				);
				const deliveries = new Deliveries();
				deliveries.add(again);
				expect(
					count(
						users().filter((u) => u.id !== five[1].id),
						deliveries,
					),
				).toEqual({ locked: 0, doubled: 0, changed: 4 });
			});

			it('a fresh Rotation ID still stops before any write when a user is gone', async () => {
				const prepared = await bed.run({
					parameters: rotation('2026-Q1', { whenToSet: 'later' }),
					mode: 'trigger',
				});
				bed.sandbox.users.delete(String(prepared[2].json.user_id));
				const { error } = await captureOutput(() =>
					bed.run({
						items: prepared.map((p) => ({ json: { ...p.json, rotation_id: 'other' } })),
						parameters: setStep,
						mode: 'trigger',
					}),
				);
				expect((error as Error).message).toMatch(/404 Not Found/);
				expect(putCount()).toBe(0);
			});
		});

		it('several input items to Rotate output each agent once, from one listing', async () => {
			const output = await bed.run({
				items: [{ json: {} }, { json: {} }, { json: {} }],
				parameters: rotation('2026-Q2'),
			});
			expect(output).toHaveLength(USERS - 1);
			expect(new Set(output.map((o) => o.json.user_id)).size).toBe(USERS - 1);
			expect(
				output.every((o) => o.pairedItem && (o.pairedItem as { item: number }).item === 0),
			).toBe(true);
			expect(bed.sandbox.requests.filter((r) => r.method === 'GET')).toHaveLength(
				Math.ceil(USERS / 50),
			);
			expect(putCount()).toBe(USERS - 1);
		});
	});

	it('keeps generated users apart from the named ones (the suite’s own premise)', () => {
		expect(manyUsers(3).map((u) => u.id)).not.toContain(ASHA.id);
	});
});
