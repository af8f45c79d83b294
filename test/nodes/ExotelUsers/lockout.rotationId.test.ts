/**
 * The lock-out suite (see lockout.test.ts): a Rotation ID and the credential's SIP Password
 * Key it derives from — missing, weak, reused, changed between a failed run and its re-run —
 * and delivering first, then setting.
 */
import { randomBytes } from 'node:crypto';

import { ASHA, ASHA_SIP_AGENT, byId, captureOutput, expectNoSecrets } from '../../support/exotel';
import { Deliveries, USERS, rotation, useLockoutTestbed, users } from '../../support/lockout';

const { bed, count, putCount } = useLockoutTestbed();

describe('lock-out suite: no agent left with a password nobody received', () => {
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
});
