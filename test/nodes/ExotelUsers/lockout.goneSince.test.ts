/**
 * The lock-out suite (see lockout.test.ts): a user or device gone from Exotel after its
 * rotation started — named in a warning, the others set, nobody locked out.
 */
import { byId, captureOutput } from '../../support/exotel';
import { Deliveries, USERS, rotation, useLockoutTestbed, users } from '../../support/lockout';

const { bed, count, putCount } = useLockoutTestbed();

describe('lock-out suite: no agent left with a password nobody received', () => {
	describe('a Rotation ID and its key', () => {
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
	});
});
