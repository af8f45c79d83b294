/**
 * Update SIP Password (see updateSipPassword.operation.test.ts): Rotation ID, When to Set
 * (Later: prepare, then set) and what the execution history keeps.
 */
import {
	ASHA,
	byId,
	captureOutput,
	byEmail,
	newPassword,
	useTestbed,
} from '../../../../support/exotel';
import { SAVES_NOTHING } from '../../../../support/savesNothing';

const bed = useTestbed();

describe('Rotation ID, When to Set and the execution history', () => {
	it('a Rotation ID expression that gives nothing stops the item, naming the field; nothing is sent', async () => {
		const { error } = await captureOutput(() =>
			bed.run({
				items: [{ json: { body: {} } }],
				parameters: {
					userId: byId(ASHA.id),
					deviceId: '',
					passwordMode: 'generate',
					rotationId: '={{ $json.body.ticket_id }}',
				},
			}),
		);
		expect((error as Error).message).toBe(
			'Invalid input: Rotation ID is an expression that gave nothing for this item ({{ $json.body.ticket_id }}): give it a value, or clear the field on purpose for a random password',
		);
		expect(bed.sandbox.requests).toHaveLength(0);
	});

	it('Later needs Generate and a Rotation ID', async () => {
		const typed = await captureOutput(() =>
			bed.run({
				parameters: {
					userId: byId(ASHA.id),
					deviceId: '',
					passwordMode: 'manual',
					password: newPassword(),
					whenToSet: 'later',
				},
			}),
		);
		expect((typed.error as Error).message).toMatch(
			/^Invalid input: When to Set is Later, which needs Password: Generate a Password/,
		);
		const empty = await captureOutput(() =>
			bed.run({
				parameters: {
					userId: byId(ASHA.id),
					deviceId: '',
					passwordMode: 'generate',
					rotationId: '',
					whenToSet: 'later',
				},
			}),
		);
		expect((empty.error as Error).message).toMatch(
			/^Invalid input: Rotation ID is empty; When to Set: Later needs one/,
		);
		expect(bed.sandbox.requests).toHaveLength(0);
	});

	it('Later checks everything, writes nothing; the set step with the same Rotation ID sets exactly that password', async () => {
		const parameters = {
			userId: byId(ASHA.id),
			deviceId: '',
			passwordMode: 'generate',
			rotationId: 'ticket-41',
		};
		const [prepared] = await bed.run({ parameters: { ...parameters, whenToSet: 'later' } });
		expect(bed.sandbox.requests.map((r) => r.method)).toEqual(['GET']);
		expect(prepared.json).toMatchObject({
			user_id: ASHA.id,
			device_id: String(ASHA.sip),
			rotation_id: 'ticket-41',
			password_set: false,
			sip_username: 'asharao101',
		});
		expect(prepared.json).not.toHaveProperty('http_code');
		const [set] = await bed.run({ parameters });
		expect(set.json).toMatchObject({
			sipPassword: prepared.json.sipPassword,
			key_id: prepared.json.key_id,
			password_set: true,
			http_code: 200,
		});
		expect(bed.sandbox.passwordOf(ASHA.id, ASHA.sip)).toBe(
			bed.sandbox.fingerprint(prepared.json.sipPassword as string),
		);
	});

	it('a set step with another Password Length than its prepare step, in one execution, is refused before it writes', async () => {
		// Both nodes of one execution share the workflow's static data: the test passes it on as n8n would hold it.
		await bed.run({
			parameters: {
				userId: byId(ASHA.id),
				deviceId: '',
				passwordMode: 'generate',
				rotationId: 'ticket-42',
				whenToSet: 'later',
				passwordLength: 20,
			},
			mode: 'webhook',
		});
		const { error } = await captureOutput(() =>
			bed.run({
				parameters: {
					userId: byId(ASHA.id),
					deviceId: '',
					passwordMode: 'generate',
					rotationId: 'ticket-42',
				},
				mode: 'webhook',
			}),
		);
		expect((error as Error).message).toBe(
			'Rotation ID ticket-42 started with Password Length 20; this node has 16',
		);
		expect(bed.sandbox.requests.filter((r) => r.method === 'PUT')).toHaveLength(0);
	});

	describe('a user or device gone after the Rotation ID started (a prepare step, a failed run)', () => {
		const parameters = {
			userId: byId(ASHA.id),
			deviceId: String(ASHA.sip),
			passwordMode: 'generate',
			rotationId: 'ticket-60',
		};

		it('the set step outputs the agent’s ids, password_set: false and why, with a warning, instead of stopping', async () => {
			await bed.run({ parameters: { ...parameters, whenToSet: 'later' }, mode: 'webhook' });
			bed.sandbox.users.delete(ASHA.id);
			for (const continueOnFail of [false, true]) {
				const hints: Array<{ message: string; type?: string }> = [];
				const [item] = await bed.run({ parameters, mode: 'webhook', continueOnFail, hints });
				expect(item.json).toEqual({
					user_id: ASHA.id,
					device_id: String(ASHA.sip),
					rotation_id: 'ticket-60',
					key_id: expect.stringMatching(/^[0-9a-f]{8}$/),
					password_set: false,
					not_set_reason: `user ${ASHA.id} no longer exists in Exotel`,
				});
				expect(hints.find((h) => h.type === 'warning')?.message).toMatch(
					new RegExp(
						`^Not set, 1 agent changed in Exotel since the rotation started — user ${ASHA.id}, device 101: user`,
					),
				);
			}
			expect(bed.sandbox.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([
				404,
			]); // Continue On Fail sends as given; Exotel says no
		});

		it('a device switched to another type since: named with the agent’s name from a fresh read', async () => {
			await bed.run({ parameters: { ...parameters, whenToSet: 'later' }, mode: 'webhook' });
			bed.sandbox.users.get(ASHA.id)!.devices.find((d) => d.id === ASHA.sip)!.type = 'tel';
			const [item] = await bed.run({ parameters, mode: 'webhook', continueOnFail: true });
			expect(item.json).toMatchObject({
				user_id: ASHA.id,
				email: 'asha.rao@example.com',
				password_set: false,
				not_set_reason: `device 101 (tel, Asha softphone) of user ${ASHA.id} is no longer a SIP device`,
			});
			expect(item.json).not.toHaveProperty('sipPassword');
		});

		it('a user given By Email who is gone since: the item names the email', async () => {
			const byMail = { ...parameters, userId: byEmail('asha.rao@example.com'), deviceId: '' };
			await bed.run({ parameters: { ...byMail, whenToSet: 'later' }, mode: 'webhook' });
			bed.sandbox.users.delete(ASHA.id);
			const [item] = await bed.run({ parameters: byMail, mode: 'webhook' });
			expect(item.json).toMatchObject({
				email: 'asha.rao@example.com',
				password_set: false,
				not_set_reason: 'no Exotel user has the email asha.rao@example.com now',
			});
			expect(item.json).not.toHaveProperty('user_id');
			expect(bed.sandbox.requests.filter((r) => r.method === 'PUT')).toHaveLength(0);
		});

		it('a write refused while the user and SIP device are still there stops as before', async () => {
			await bed.run({ parameters: { ...parameters, whenToSet: 'later' }, mode: 'webhook' });
			bed.sandbox.faults.add({
				kind: 'status',
				status: 404,
				route: 'PUT users/:userId/devices/:deviceId/password',
			});
			const { error } = await captureOutput(() => bed.run({ parameters, mode: 'webhook' }));
			expect((error as Error).message).toMatch(/^Exotel answered 404/);
		});

		it('a typed password, or a Rotation ID that never started, still stops before any write', async () => {
			bed.sandbox.users.delete(ASHA.id);
			for (const run of [
				{ ...parameters, rotationId: 'ticket-61' },
				{ ...parameters, passwordMode: 'manual', password: newPassword() },
			]) {
				const { error } = await captureOutput(() => bed.run({ parameters: run, mode: 'webhook' }));
				expect((error as Error).message).toMatch(/404 Not Found \(error 10801: User not found\)/);
			}
			expect(bed.sandbox.requests.filter((r) => r.method === 'PUT')).toHaveLength(0);
		});
	});

	it('with Generate, a workflow that saves executions gets a hint naming the settings to turn off', async () => {
		const hints: Array<{ message: string; type?: string }> = [];
		await bed.run({
			parameters: { userId: byId(ASHA.id), deviceId: '', passwordMode: 'generate' },
			settings: { saveDataErrorExecution: 'none', saveExecutionProgress: true },
			hints,
		});
		expect(hints).toEqual([
			{
				type: 'warning',
				location: 'outputPane',
				message:
					'Generated SIP passwords are in this node’s output, and this workflow saves executions, so n8n keeps them in its execution history. Turn off in the workflow’s settings (… → Settings): Save manual executions, Save successful production executions, Save execution progress.',
			},
		]);
		const quiet: typeof hints = [];
		await bed.run({
			parameters: { userId: byId(ASHA.id), deviceId: '', passwordMode: 'generate' },
			settings: SAVES_NOTHING,
			hints: quiet,
		});
		await bed.run({
			parameters: {
				userId: byId(ASHA.id),
				deviceId: '',
				passwordMode: 'manual',
				password: newPassword(),
			},
			hints: quiet,
		});
		expect(quiet).toEqual([]);
	});
});
