import { NodeApiError } from 'n8n-workflow';

import { failure, startTestbed, useTestbed, type ExotelTestbed } from '../../../../support/exotel';

const bed = useTestbed();

const create = (
	parameters: Record<string, unknown>,
	extra: Parameters<ExotelTestbed['run']>[0] extends infer O ? Partial<O> : never = {},
) => bed.run({ parameters: { operation: 'create', ...parameters }, ...extra });

describe('User → Create', () => {
	it('creates the user and outputs Exotel’s envelope with the user and their SIP device', async () => {
		const output = await create({
			firstName: 'Neha',
			lastName: "D'Souza",
			additionalFields: { email: 'neha.dsouza@example.com', role: 'supervisor' },
		});
		expect(bed.sandbox.requests.map((r) => [r.method, r.segments.slice(3).join('/')])).toEqual([
			['POST', 'users'],
		]);
		expect(bed.sandbox.requests[0].body).toEqual({
			first_name: 'Neha',
			last_name: "D'Souza",
			email: 'neha.dsouza@example.com',
			role: 'supervisor',
		});
		expect(output).toHaveLength(1);
		expect(output[0].json).toMatchObject({
			http_code: 200,
			method: 'POST',
			response: {
				status: 'success',
				data: { first_name: 'Neha', role: 'supervisor', devices: [{ type: 'sip' }] },
			},
		});
		const id = (output[0].json.response as { data: { id: string } }).data.id;
		expect(bed.sandbox.users.has(id)).toBe(true);
	});

	it('sends the phone number and device name when given', async () => {
		await create({
			firstName: 'Ravi',
			lastName: 'Kumar',
			additionalFields: { deviceContactUri: '+919812345678', deviceName: 'Ravi mobile' },
		});
		expect(bed.sandbox.requests[0].body).toMatchObject({
			device_contact_uri: '+919812345678',
			device_name: 'Ravi mobile',
		});
	});

	it.each([
		[{ firstName: 'Al', lastName: 'Rao' }, 'First Name has 2 characters, needs 3 to 20'],
		[
			{ firstName: 'Asha', lastName: 'Rao!' },
			'Last Name may only use A–Z, a–z, 0–9, space, . \' and - (found "!")',
		],
		// Exotel documents A–Z and a–z: an accented or non-Latin letter is refused here, not with Exotel’s 400.
		[
			{ firstName: 'José', lastName: 'Rao' },
			'First Name may only use A–Z, a–z, 0–9, space, . \' and - (found "é")',
		],
		[
			{ firstName: 'Asha', lastName: 'Müller-Zoë' },
			'Last Name may only use A–Z, a–z, 0–9, space, . \' and - (found "ü" "ë")',
		],
		[{ firstName: 'आशा', lastName: 'Rao' }, 'First Name may only use A–Z'],
		[{ firstName: 'A'.repeat(21), lastName: 'Rao' }, 'First Name has 21 characters, needs 3 to 20'],
		[
			{ firstName: 'Asha', lastName: 'Rao', additionalFields: { email: 'asha@' } },
			'Email is not an email address',
		],
		[
			{ firstName: 'Asha', lastName: 'Rao', additionalFields: { deviceContactUri: '9876543210' } },
			'Phone Number must be a phone number in E.164 format',
		],
		[{ firstName: '', lastName: 'Rao' }, 'First Name is empty'],
	])('refuses %j before sending, naming the field', async (parameters, message) => {
		const error = await failure(create(parameters));
		expect(error.message).toContain(message);
		expect(bed.sandbox.requests).toHaveLength(0);
	});

	it('explains an email that another user already has (409/10813)', async () => {
		const error = await failure(
			create({
				firstName: 'Asha',
				lastName: 'Second',
				additionalFields: { email: 'asha.rao@example.com' },
			}),
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(
			/^Exotel answered 409 Conflict \(error 10813: Email already in use\)/,
		);
		expect(error.description).toMatch(/already used by another user/);
	});

	it('explains a phone number that is already a device (409/10811)', async () => {
		const error = await failure(
			create({
				firstName: 'Asha',
				lastName: 'Again',
				additionalFields: { deviceContactUri: '+919876543210' },
			}),
		);
		expect(error.message).toMatch(/^Exotel answered 409 Conflict \(error 10811/);
	});

	it('explains that an account without VoIP needs a phone number (400/1402)', async () => {
		const noVoip = await startTestbed({ voip: false });
		try {
			const error = await failure(
				noVoip.run({ parameters: { operation: 'create', firstName: 'Kiran', lastName: 'Shah' } }),
			);
			expect(error.message).toMatch(
				/^Exotel answered 400 Bad Request \(error 1402: Mandatory parameter missing\): device_contact_uri is required/,
			);
		} finally {
			await noVoip.sandbox.stop();
		}
	});

	it('keeps going under Continue On Fail: one output per input, in order', async () => {
		const output = await bed.run({
			continueOnFail: true,
			items: [{ json: { first: 'Meera' } }, { json: { first: 'X' } }, { json: { first: 'Tarun' } }],
			parameters: { operation: 'create', firstName: '={{ $json.first }}', lastName: 'Iyer' },
		});
		expect(output.map((o) => [o.pairedItem, o.json.error === undefined])).toEqual([
			[{ item: 0 }, true],
			[{ item: 1 }, false],
			[{ item: 2 }, true],
		]);
		expect(bed.sandbox.requests).toHaveLength(2);
	});
});
