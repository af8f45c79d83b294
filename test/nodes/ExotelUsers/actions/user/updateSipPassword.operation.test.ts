/**
 * Update SIP Password through n8n-core's real request stack against the Exotel sandbox: what it
 * sends and outputs, for one item and several, with and without ids. Its refusals and Exotel's
 * errors: .errors.test.ts; requests per reset: .requests.test.ts; Rotation ID: .rotationId.test.ts.
 */
import {
	ASHA,
	ASHA_SIP_AGENT,
	VIKRAM,
	byId,
	captureOutput,
	expectNoSecrets,
	byEmail,
	failure,
	newPassword,
	startTestbed,
	useTestbed,
} from '../../../../support/exotel';
import { sipPasswordProblems } from '../../../../support/sipPassword';
import { SAVES_NOTHING } from '../../../../support/savesNothing';
import { seedUsers } from '../../../../../tools/dev/sandbox/server';
import { buildExecuteContext } from '../../../../../tools/dev/harness/n8n';
import { ExotelUsersApi } from '../../../../../credentials/ExotelUsersApi.credentials';

const bed = useTestbed();

const passwordPath = (sid: string, user: string, device: number | string) =>
	`/v2/accounts/${sid}/users/${user}/devices/${device}/password`;

describe('Update SIP Password', () => {
	it('sends the PUT with Basic auth and a JSON body, and outputs Exotel’s envelope as returned', async () => {
		const password = newPassword();
		const { result, printed } = await captureOutput(() =>
			bed.run({
				parameters: {
					passwordMode: 'manual',
					userId: byId(ASHA.id),
					deviceId: String(ASHA.sip),
					password,
				},
			}),
		);

		// The pre-flight read of the user (is the device theirs, and SIP?), then the PUT.
		expect(bed.sandbox.requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
		const received = bed.sandbox.requests[1];
		expect(received).toMatchObject({
			method: 'PUT',
			url: passwordPath(bed.secrets.accountSid, ASHA.id, ASHA.sip),
			auth: { username: bed.secrets.apiKey, tokenMatches: true },
			contentType: 'application/json',
			body: { password: bed.sandbox.fingerprint(password) },
		});
		expect(bed.sandbox.passwordOf(ASHA.id, ASHA.sip)).toBe(bed.sandbox.fingerprint(password));

		expect(result).toEqual([
			{
				json: {
					request_id: received.request_id,
					method: 'PUT',
					http_code: 200,
					response: { code: 200, error_data: null, status: 'success', data: null },
					// Which device was changed, and whose: the envelope does not say.
					...ASHA_SIP_AGENT,
					password_set: true,
				},
				pairedItem: { item: 0 },
			},
		]);
		expectNoSecrets(result, [password, bed.secrets.apiToken]);
		expectNoSecrets(printed, [password, bed.secrets.apiToken]);
	});

	it('takes the password and ids from the previous node through expressions, one request per item', async () => {
		const passwords = [newPassword(), newPassword()];
		const output = await bed.run({
			items: [
				{ json: { user: ASHA.id, device: ASHA.sip, newPassword: passwords[0] } },
				{ json: { user: VIKRAM.id, device: VIKRAM.sip, newPassword: passwords[1] } },
			],
			parameters: {
				passwordMode: 'manual',
				userId: byId('={{ $json.user }}'),
				deviceId: '={{ $json.device }}',
				password: '={{ $json.newPassword }}',
			},
		});
		expect(output.map((o) => [o.json.http_code, o.pairedItem])).toEqual([
			[200, { item: 0 }],
			[200, { item: 1 }],
		]);
		expect(bed.sandbox.passwordOf(ASHA.id, ASHA.sip)).toBe(bed.sandbox.fingerprint(passwords[0]));
		expect(bed.sandbox.passwordOf(VIKRAM.id, VIKRAM.sip)).toBe(
			bed.sandbox.fingerprint(passwords[1]),
		);
		expectNoSecrets(output, [...passwords, bed.secrets.apiToken]);
	});

	it('accepts a device id given as a number', async () => {
		const output = await bed.run({
			items: [{ json: { device: ASHA.sip } }],
			parameters: {
				userId: byId(ASHA.id),
				deviceId: '={{ $json.device }}',
				password: newPassword(),
			},
		});
		expect(output[0].json.http_code).toBe(200);
		expect(bed.sandbox.requests.at(-1)!.segments.at(-2)).toBe(String(ASHA.sip));
	});

	it('passes the device record on when Exotel returns it in `data`', async () => {
		const other = await startTestbed({ passwordResponseData: 'device' });
		try {
			const output = await other.run({
				parameters: {
					passwordMode: 'manual',
					userId: byId(ASHA.id),
					deviceId: '101',
					password: newPassword(),
				},
			});
			expect((output[0].json.response as { data: unknown }).data).toMatchObject({
				id: 101,
				type: 'sip',
			});
		} finally {
			await other.sandbox.stop();
		}
	});

	describe('several items', () => {
		const three = () => [
			{ json: { user: ASHA.id, device: ASHA.sip, pw: newPassword() } },
			{ json: { user: 'no-such-user', device: 1, pw: newPassword() } },
			{ json: { user: VIKRAM.id, device: VIKRAM.sip, pw: newPassword() } },
		];
		const parameters = {
			passwordMode: 'manual',
			userId: byId('={{ $json.user }}'),
			deviceId: '={{ $json.device }}',
			password: '={{ $json.pw }}',
		};

		it('with Continue On Fail: three outputs in input order, the middle one an error carrying Exotel’s envelope', async () => {
			const items = three();
			const output = await bed.run({ items, parameters, continueOnFail: true });
			expect(output).toHaveLength(3);
			expect(output.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
			expect(output[0].json.http_code).toBe(200);
			expect(output[2].json.http_code).toBe(200);
			const failed = bed.sandbox.requests[1];
			expect(output[1].json).toEqual({
				error: `Exotel answered 404 Not Found (error 10801: User not found): No user with this id exists in the account [request_id ${failed.request_id}]`,
				request_id: failed.request_id,
				http_code: 404,
				response: {
					code: 404,
					status: 'failure',
					data: null,
					error_data: {
						code: 10801,
						message: 'User not found',
						description: 'No user with this id exists in the account',
					},
				},
			});
			expectNoSecrets(output, [...items.map((i) => i.json.pw), bed.secrets.apiToken]);
		});

		it('with Continue On Fail: an item refused before sending gets an error item of its own', async () => {
			const items = three();
			items[1].json = { user: ASHA.id, device: ASHA.sip, pw: 'tooshort' };
			const output = await bed.run({ items, parameters, continueOnFail: true });
			expect(output.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
			expect(output[1].json).toEqual({
				error: expect.stringMatching(/^Invalid input: New SIP Password breaks/),
			});
			expect(bed.sandbox.requests).toHaveLength(2);
		});

		it('without Continue On Fail: stops at the failing item, names it, and sends nothing after it', async () => {
			const error = await failure(bed.run({ items: three(), parameters }));
			expect(error.context.itemIndex).toBe(1);
			expect(bed.sandbox.requests).toHaveLength(2);
		});
	});

	describe('without ids, and with generated passwords', () => {
		it('finds the user by email and uses their only SIP device', async () => {
			const password = newPassword();
			const output = await bed.run({
				parameters: {
					passwordMode: 'manual',
					userId: byEmail('asha.rao@example.com'),
					deviceId: '',
					password,
				},
			});
			// The lookup brings the devices (fields=devices): no second request for them.
			expect(
				bed.sandbox.requests.map((r) => `${r.method} ${r.segments.slice(3).join('/')}`),
			).toEqual(['GET users', `PUT users/${ASHA.id}/devices/${ASHA.sip}/password`]);
			expect(bed.sandbox.requests[0].query).toMatchObject({
				email: 'asha.rao@example.com',
				fields: 'devices',
			});
			expect(output[0].json.http_code).toBe(200);
			expect(bed.sandbox.passwordOf(ASHA.id, ASHA.sip)).toBe(bed.sandbox.fingerprint(password));
		});

		it('says which devices a user has when none is a SIP device', async () => {
			const error = await failure(
				bed.run({
					parameters: {
						passwordMode: 'manual',
						userId: byId('c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0'),
						password: newPassword(),
					},
				}),
			);
			expect(error.message).toBe(
				'User c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0 has no SIP device (devices: 301 (tel, Mei Lin mobile))',
			);
			expect(bed.sandbox.requests.map((r) => r.method)).toEqual(['GET']);
		});

		it('asks for a Device ID when a user has several SIP devices', async () => {
			const [asha] = seedUsers();
			const second = {
				...asha.devices[0],
				id: 105,
				name: 'Asha desk phone',
				contact_uri: 'sip:asharao105',
			};
			const two = await startTestbed({ users: [{ ...asha, devices: [...asha.devices, second] }] });
			try {
				const error = await failure(
					two.run({
						parameters: { passwordMode: 'manual', userId: byId(asha.id), password: newPassword() },
					}),
				);
				expect(error.message).toBe(
					`User ${asha.id} has 2 SIP devices (101 (sip, Asha softphone), 105 (sip, Asha desk phone)); pick one in Device`,
				);
			} finally {
				await two.sandbox.stop();
			}
		});

		it('generates a password that meets the policy, sets it, and outputs it as sipPassword', async () => {
			const output = await bed.run({
				parameters: {
					userId: byId(ASHA.id),
					deviceId: '101',
					passwordMode: 'generate',
					passwordLength: 20,
				},
			});
			const generated = output[0].json.sipPassword as string;
			expect(generated).toHaveLength(20);
			expect(sipPasswordProblems(generated)).toEqual([]);
			expect(bed.sandbox.passwordOf(ASHA.id, ASHA.sip)).toBe(bed.sandbox.fingerprint(generated));
			expect(output[0].json).toMatchObject({ http_code: 200, response: { status: 'success' } });
		});

		it('generates a different password for each item, and never puts one in an error item', async () => {
			const output = await bed.run({
				continueOnFail: true,
				items: [
					{ json: { user: ASHA.id } },
					{ json: { user: 'no-such-user' } },
					{ json: { user: VIKRAM.id } },
				],
				parameters: { userId: byId('={{ $json.user }}'), deviceId: '', passwordMode: 'generate' },
			});
			expect(output[0].json.sipPassword).not.toEqual(output[2].json.sipPassword);
			expect(output[1].json).not.toHaveProperty('sipPassword');
			expect(Object.keys(output[1].json)).toEqual(['error', 'request_id', 'http_code', 'response']);
		});

		it('does not output the password it was given', async () => {
			const output = await bed.run({
				parameters: {
					passwordMode: 'manual',
					userId: byId(ASHA.id),
					deviceId: '101',
					password: newPassword(),
				},
			});
			expect(output[0].json).not.toHaveProperty('sipPassword');
		});
	});
});

describe('a device picked from the list while User is an expression', () => {
	it('says under the output that every item uses that one device', async () => {
		const { ctx, workflow } = buildExecuteContext({
			nodeType: bed.node,
			credentialType: new ExotelUsersApi(),
			credentials: bed.credentials(),
			items: [{ json: { user: ASHA.id } }],
			parameters: {
				resource: 'user',
				operation: 'updateSipPassword',
				userId: byId('={{ $json.user }}'),
				deviceId: {
					__rl: true,
					mode: 'list',
					value: String(ASHA.sip),
					cachedResultName: 'Asha softphone',
				},
				passwordMode: 'generate',
			},
		});
		workflow.settings = SAVES_NOTHING;
		await bed.node.execute.call(ctx);
		expect(ctx.hints.map((h) => [h.type, h.message])).toEqual([
			[
				'warning',
				`Device ${ASHA.sip} was picked from the list, but User is an expression: every item uses that one device, whichever user it names. Leave Device empty to use each user’s only SIP device.`,
			],
		]);
	});

	it('says nothing when User is fixed', async () => {
		const { ctx, workflow } = buildExecuteContext({
			nodeType: bed.node,
			credentialType: new ExotelUsersApi(),
			credentials: bed.credentials(),
			parameters: {
				resource: 'user',
				operation: 'updateSipPassword',
				userId: byId(ASHA.id),
				deviceId: { __rl: true, mode: 'list', value: String(ASHA.sip) },
				passwordMode: 'generate',
			},
		});
		workflow.settings = SAVES_NOTHING;
		await bed.node.execute.call(ctx);
		expect(ctx.hints).toEqual([]);
	});
});
