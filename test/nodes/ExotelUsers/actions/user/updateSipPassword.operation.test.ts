/**
 * Update SIP Password through n8n-core's real request stack against the Exotel sandbox.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

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
	type ExotelTestbed,
} from '../../../../support/exotel';
import { sipPasswordProblems } from '../../../../support/sipPassword';
import { seedUsers, type User } from '../../../../../tools/dev/sandbox/server';
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

	describe('checks before any request', () => {
		it('refuses a password that breaks the policy, naming each rule and sending nothing', async () => {
			const password = 'abc1234'; // 7 characters, 2 classes
			const error = await failure(
				bed.run({
					parameters: { passwordMode: 'manual', userId: byId(ASHA.id), deviceId: '101', password },
				}),
			);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toBe(
				'Invalid input: New SIP Password breaks Exotel’s password policy: 7 characters, needs at least 8; ' +
					'uses 2 of the 4 character classes (lower case, digits), needs 3 of: lower case, upper case, digits, special characters',
			);
			expect(error.description).toMatch(/Nothing was sent to Exotel/);
			expect(error.context.itemIndex).toBe(0);
			expect(bed.sandbox.requests).toHaveLength(0);
			expectNoSecrets(error, [password, bed.secrets.apiToken]);
		});

		it('refuses a password with white space at an end as a likely copy-paste accident', async () => {
			const error = await failure(
				bed.run({
					parameters: {
						passwordMode: 'manual',
						userId: byId(ASHA.id),
						deviceId: '101',
						password: `${newPassword()} `,
					},
				}),
			);
			// The node's own rule, not Exotel's: named as the node's.
			expect(error.message).toBe(
				'Invalid input: New SIP Password breaks this node’s own rule: ends with white space (likely a copy-paste accident)',
			);
			expect(bed.sandbox.requests).toHaveLength(0);
		});

		it.each([
			['User', 'userId', { userId: byId(''), deviceId: '101' }, 'User is empty'],
			[
				'User',
				'userId',
				{ userId: byId('../../users'), deviceId: '101' },
				'User contains "/", ".."',
			],
			['Device', 'deviceId', { userId: byId(ASHA.id), deviceId: '101?x=1' }, 'Device contains "?"'],
			['Device', 'deviceId', { userId: byId(ASHA.id), deviceId: '10%2F1' }, 'Device contains "%"'],
			[
				'Device',
				'deviceId',
				{ userId: byId(ASHA.id), deviceId: '101\r\nX: y' },
				'Device contains a control character',
			],
		])('refuses a bad %s (%s) and sends nothing', async (_label, _name, ids, expected) => {
			const error = await failure(
				bed.run({ parameters: { passwordMode: 'manual', ...ids, password: newPassword() } }),
			);
			expect(error.message).toContain(expected);
			expect(bed.sandbox.requests).toHaveLength(0);
		});

		it('reports every bad field of the item at once', async () => {
			const error = await failure(
				bed.run({
					parameters: {
						passwordMode: 'manual',
						userId: byId(' '),
						deviceId: 'a/b',
						password: 'short',
					},
				}),
			);
			expect(error.message).toMatch(
				/^Invalid input: User is empty\. Device contains "\/".*\. New SIP Password breaks/,
			);
		});

		it('refuses a credential whose base URL is not http(s), before any request', async () => {
			const error = await failure(
				bed.run({
					credentials: { ...bed.credentials(), baseUrl: 'ftp://127.0.0.1' },
					parameters: {
						passwordMode: 'manual',
						userId: byId(ASHA.id),
						deviceId: '101',
						password: newPassword(),
					},
				}),
			);
			expect(error.message).toBe('Exotel credential: Base URL must start with http:// or https://');
			expect(bed.sandbox.requests).toHaveLength(0);
		});
	});

	describe('Exotel’s errors', () => {
		it('explains an unknown user with Exotel’s code, description and request_id', async () => {
			const password = newPassword();
			const error = await failure(
				bed.run({
					parameters: {
						passwordMode: 'manual',
						userId: byId('no-such-user'),
						deviceId: '101',
						password,
					},
				}),
			);
			const { request_id } = bed.sandbox.requests[0];
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error.message).toBe(
				`Exotel answered 404 Not Found (error 10801: User not found): No user with this id exists in the account [request_id ${request_id}]`,
			);
			expect(error.description).toMatch(/Check the user ID.*region/);
			expect(error.httpCode).toBe('404');
			expect(error.context.itemIndex).toBe(0);
			expectNoSecrets(error, [password, bed.secrets.apiToken]);
		});

		it('explains an unknown device (Continue On Fail sends it as given: Exotel’s 404)', async () => {
			const [item] = await bed.run({
				continueOnFail: true,
				parameters: {
					passwordMode: 'manual',
					userId: byId(ASHA.id),
					deviceId: '999',
					password: newPassword(),
				},
			});
			const error = { message: item.json.error as string, description: '' };
			expect(error.message).toMatch(
				/^Exotel answered 404 Not Found \(error 1000: Not found\): Device 999 not found for this user \[request_id [0-9a-f]{32}\]$/,
			);
		});

		it('refuses a device that is not the user’s before anything changes, listing their devices', async () => {
			const error = await failure(
				bed.run({
					parameters: {
						passwordMode: 'manual',
						userId: byId(ASHA.id),
						deviceId: '999',
						password: newPassword(),
					},
				}),
			);
			expect(error.message).toBe(
				`Device 999 is not one of user ${ASHA.id}’s devices (devices: 101 (sip, Asha softphone), 102 (tel, Asha mobile))`,
			);
			// Most often a device picked for another user before User changed.
			expect(error.description).toMatch(
				/^Nothing was changed\. Often the device was picked for another user — before User changed, or while User is an expression .*: pick the device again/,
			);
			expect(bed.sandbox.requests.map((r) => r.method)).toEqual(['GET']);
		});

		it('explains a device that is not a SIP device', async () => {
			const error = await failure(
				bed.run({
					parameters: {
						passwordMode: 'manual',
						userId: byId(ASHA.id),
						deviceId: String(ASHA.tel),
						password: newPassword(),
					},
				}),
			);
			expect(error.message).toBe(
				`Device 102 (tel, Asha mobile) of user ${ASHA.id} is not a SIP device`,
			);
			expect(bed.sandbox.requests.map((r) => r.method)).toEqual(['GET']);
		});

		it('passes Exotel’s own refusal of a non-SIP device on under Continue On Fail', async () => {
			const [item] = await bed.run({
				continueOnFail: true,
				parameters: {
					passwordMode: 'manual',
					userId: byId(ASHA.id),
					deviceId: String(ASHA.tel),
					password: newPassword(),
				},
			});
			expect(item.json.error).toMatch(
				/^Exotel answered 400 Bad Request \(error 1002: Invalid parameter\): A password can only be set on a SIP device/,
			);
		});

		it('explains a wrong token, pointing at key, token, SID and region, without revealing the token', async () => {
			const wrongToken = `tok-wrong-${Date.now()}`;
			const password = newPassword();
			const { error, printed } = await captureOutput(() =>
				bed.run({
					credentials: { ...bed.credentials(), apiToken: wrongToken },
					parameters: { userId: byId(ASHA.id), deviceId: '101', password: '={{ $json.pw }}' },
					items: [{ json: { pw: password } }],
				}),
			);
			const apiError = error as NodeApiError;
			expect(apiError.message).toMatch(
				/^Exotel answered 401 Unauthorized \(error 1010: Authorization failed\)/,
			);
			expect(apiError.description).toMatch(/API key, API token and account SID.*region/);
			expect(bed.sandbox.requests.every((r) => r.auth?.tokenMatches === false)).toBe(true);
			expect(bed.sandbox.passwordOf(ASHA.id, ASHA.sip)).toBeUndefined();
			expectNoSecrets(apiError, [wrongToken, password, bed.secrets.apiToken]);
			expectNoSecrets(printed, [wrongToken, password]);
		});

		it('explains a connection that cannot be made', async () => {
			const closed = await startTestbed();
			const url = closed.sandbox.url;
			await closed.sandbox.stop();
			const error = await failure(
				bed.run({
					credentials: { ...bed.credentials(), baseUrl: url },
					parameters: {
						passwordMode: 'manual',
						userId: byId(ASHA.id),
						deviceId: '101',
						password: newPassword(),
						options: { maxAttempts: 3, retryBaseDelay: 0.01 },
					},
				}),
			);
			expect(error.message).toBe(
				`Could not reach Exotel at ${new URL(url).host}: the connection was refused; gave up after 3 attempts`,
			);
			expect(error.description).toMatch(/ECONNREFUSED.*safe to retry/);
		});
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

describe('requests per reset (every request counts against Exotel’s per-account limit)', () => {
	const fromListDevice = (id: number) => ({
		__rl: true,
		mode: 'list',
		value: String(id),
		cachedResultName: 'Asha softphone',
	});
	const requests = () =>
		bed.sandbox.requests.map((r) => `${r.method} ${r.segments.slice(3).join('/')}`);

	it.each([
		// The read checks, before anything changes, that the device is the user's and SIP.
		['By ID, device id given', byId(ASHA.id), String(ASHA.sip), 2],
		[
			'From List, device from the list',
			{ __rl: true, mode: 'list', value: ASHA.id },
			fromListDevice(ASHA.sip),
			2,
		],
		['By ID, device left empty', byId(ASHA.id), '', 2],
		['By Email, device left empty', byEmail('asha.rao@example.com'), '', 2],
		['By Email, device id given', byEmail('asha.rao@example.com'), String(ASHA.sip), 2],
		['By Email in other capitals, device left empty', byEmail('Asha.Rao@Example.COM'), '', 2],
	])('%s: %i', async (_mode, userId, deviceId, expected) => {
		const output = await bed.run({ parameters: { userId, deviceId, passwordMode: 'generate' } });
		expect(output[0].json).toMatchObject({ http_code: 200, device_id: String(ASHA.sip) });
		expect(requests()).toHaveLength(expected);
		expect(requests().at(-1)).toBe(`PUT users/${ASHA.id}/devices/${ASHA.sip}/password`);
	});

	it('looks a user up once per execution, and sets one device once: three resets of the same user by email are 1 lookup and 1 PUT, one password for all three', async () => {
		const output = await bed.run({
			items: [{ json: {} }, { json: {} }, { json: {} }],
			parameters: {
				userId: byEmail('asha.rao@example.com'),
				deviceId: '',
				passwordMode: 'generate',
			},
		});
		expect(output.map((o) => o.json.http_code)).toEqual([200, 200, 200]);
		expect(requests()).toEqual(['GET users', `PUT users/${ASHA.id}/devices/${ASHA.sip}/password`]);
		expect(new Set(output.map((o) => o.json.sipPassword)).size).toBe(1);
		expect(bed.sandbox.fingerprint(output[2].json.sipPassword as string)).toBe(
			bed.sandbox.passwordOf(ASHA.id, ASHA.sip),
		);
	});

	it('shares a lookup in flight between items sent at the same time (Concurrency)', async () => {
		await bed.run({
			items: [{ json: {} }, { json: {} }, { json: {} }, { json: {} }],
			parameters: {
				userId: byId(ASHA.id),
				deviceId: '',
				passwordMode: 'generate',
				options: { concurrency: 4 },
			},
		});
		expect(requests().filter((r) => r.startsWith('GET'))).toEqual([`GET users/${ASHA.id}`]);
		expect(requests().filter((r) => r.startsWith('PUT'))).toHaveLength(1);
	});

	it('an address nobody has: each item gets its own error, from one read of the account (no reread per item)', async () => {
		const output = await bed.run({
			continueOnFail: true,
			items: [{ json: {} }, { json: {} }],
			parameters: { userId: byEmail('nobody@example.com'), deviceId: '', passwordMode: 'generate' },
		});
		expect(output).toEqual([
			{
				json: { error: 'No Exotel user has the email nobody@example.com' },
				pairedItem: { item: 0 },
			},
			{
				json: { error: 'No Exotel user has the email nobody@example.com' },
				pairedItem: { item: 1 },
			},
		]);
		// Two items: the account's one page, read once.
		expect(requests()).toEqual(['GET users']);
	});

	it('does not remember a failed lookup: the item fails alone, the next asks for itself', async () => {
		// The listing's first page and the first item's own lookup fail (400 is not retried).
		bed.sandbox.faults.add({ kind: 'status', status: 400, route: 'GET users', times: 2 });
		const output = await bed.run({
			continueOnFail: true,
			items: [{ json: {} }, { json: {} }],
			parameters: {
				userId: byEmail('asha.rao@example.com'),
				deviceId: '',
				passwordMode: 'generate',
			},
		});
		expect(output[0].json.error).toMatch(/^Exotel answered 400/);
		expect(output[1].json).toMatchObject({ http_code: 200, user_id: ASHA.id });
		expect(requests()).toEqual([
			'GET users',
			'GET users',
			'GET users',
			`PUT users/${ASHA.id}/devices/${ASHA.sip}/password`,
		]);
	});

	it('remembers nothing from one execution to the next', async () => {
		await bed.run({
			parameters: { userId: byId(ASHA.id), deviceId: '', passwordMode: 'generate' },
		});
		await bed.run({
			parameters: { userId: byId(ASHA.id), deviceId: '', passwordMode: 'generate' },
		});
		expect(requests().filter((r) => r.startsWith('GET'))).toHaveLength(2);
	});
});

describe('many resets in one run: at most one listing of the account (⌈users ÷ 50⌉ requests) when that is fewer', () => {
	/** Each request as "page <offset>", "exact" (Exotel's email filter), "user" (GET by id) or "PUT". */
	const asked = (testbed: ExotelTestbed) =>
		testbed.sandbox.requests.map((r) =>
			r.method === 'PUT'
				? 'PUT'
				: r.segments.length > 4
					? 'user'
					: r.query.email !== undefined
						? 'exact'
						: `page ${String(r.query.offset)}`,
		);
	const pages = (users: number) =>
		Array.from({ length: Math.ceil(users / 50) }, (_, i) => `page ${i * 50}`);
	/** Exotel holding every address in other capitals than the workflow has it. */
	const capitalised = (users: User[]) =>
		users.map((u) => ({
			...u,
			email:
				u.email && u.email.replace(/^./, (c) => c.toUpperCase()).replace('@example', '@Example'),
		}));
	const runs = [
		['On Error = stop (every item checked first)', false],
		['Continue On Fail (items resolved one by one)', true],
	] as const;

	async function resets(users: User[], emails: string[], continueOnFail: boolean) {
		const testbed = await startTestbed({ users });
		try {
			const output = await testbed.run({
				continueOnFail,
				items: emails.map((email) => ({ json: { email } })),
				parameters: {
					userId: byEmail('={{ $json.email }}'),
					deviceId: '',
					passwordMode: 'generate',
				},
			});
			for (const o of output) {
				expect(o.json.http_code).toBe(200);
				expect(testbed.sandbox.passwordOf(String(o.json.user_id), String(o.json.device_id))).toBe(
					testbed.sandbox.fingerprint(o.json.sipPassword as string),
				);
			}
			expect(output.map((o) => String(o.json.email).toLowerCase())).toEqual(
				emails.map((e) => e.toLowerCase()),
			);
			return asked(testbed);
		} finally {
			await testbed.sandbox.stop();
		}
	}

	const account = seedUsers(123);
	const emailed = account.filter((u) => u.email !== null).map((u) => u.email as string);

	it.each(runs)(
		'%s: 5 resets By Email in an account of 123 users are 3 pages and 5 PUTs (was 5 lookups)',
		async (_label, continueOnFail) => {
			expect(await resets(account, emailed.slice(-5), continueOnFail)).toEqual([
				...pages(123),
				'PUT',
				'PUT',
				'PUT',
				'PUT',
				'PUT',
			]);
		},
	);

	it.each(runs)(
		'%s: with every address stored in other capitals, the same 3 pages: no lookup reads the account again',
		async (_label, continueOnFail) => {
			expect(await resets(capitalised(account), emailed.slice(-5), continueOnFail)).toEqual([
				...pages(123),
				'PUT',
				'PUT',
				'PUT',
				'PUT',
				'PUT',
			]);
		},
	);

	it.each(runs)(
		'%s: 3 resets in an account of 303 users, stored in other capitals: the account is read once in all (was once per item)',
		async (_label, continueOnFail) => {
			const big = capitalised(seedUsers(303));
			const three = big
				.filter((u) => u.email !== null)
				.slice(-3)
				.map((u) => (u.email as string).toLowerCase());
			// The first page says 7 pages are more than 3 lookups; the first item's exact lookup misses,
			// so the rest of the account is read once; the other two are found in it.
			expect(await resets(big, three, continueOnFail)).toEqual([
				'page 0',
				'exact',
				...pages(303).slice(1),
				'PUT',
				'PUT',
				'PUT',
			]);
		},
	);

	it.each(runs)(
		'%s: 3 resets in an account of 303 users, stored as typed: the first page, then one lookup each',
		async (_label, continueOnFail) => {
			const three = seedUsers(303)
				.filter((u) => u.email !== null)
				.slice(-3)
				.map((u) => u.email as string);
			const sent = await resets(seedUsers(303), three, continueOnFail);
			// Checked first, the lookups come before the PUTs; under Continue On Fail, each item's in turn.
			expect(sent.filter((r) => r !== 'PUT')).toEqual(['page 0', 'exact', 'exact', 'exact']);
			expect(sent.filter((r) => r === 'PUT')).toHaveLength(3);
		},
	);

	it('checked first, users By ID and By Email count together: 2 of each in 123 users are 3 pages and 4 PUTs', async () => {
		const testbed = await startTestbed({ users: account });
		try {
			const picked = account.filter((u) => u.email !== null).slice(-4);
			const output = await testbed.run({
				items: picked.map((u, i) => ({ json: { user: i % 2 ? u.id : u.email } })),
				parameters: { userId: byId('={{ $json.user }}'), deviceId: '', passwordMode: 'generate' },
			});
			expect(output.map((o) => o.json.user_id)).toEqual(picked.map((u) => u.id));
			expect(asked(testbed)).toEqual([...pages(123), 'PUT', 'PUT', 'PUT', 'PUT']);
		} finally {
			await testbed.sandbox.stop();
		}
	});
});

/** The examples' settings: no execution saved, so no hint about passwords in the history. */
const SAVES_NOTHING = {
	saveManualExecutions: false,
	saveDataSuccessExecution: 'none',
	saveDataErrorExecution: 'none',
	saveExecutionProgress: false,
} as const;

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
