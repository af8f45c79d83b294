import { ASHA, byId, failure, useTestbed } from '../../../../support/exotel';

const bed = useTestbed();

const MEI = 'c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0'; // has no email

describe('User → Update', () => {
	it('updates the name and outputs Exotel’s envelope', async () => {
		const output = await bed.run({
			parameters: {
				operation: 'update',
				userId: byId(ASHA.id),
				updateFields: { firstName: 'Asha K', lastName: 'Rao-Menon' },
			},
		});
		expect(bed.sandbox.requests[0]).toMatchObject({
			method: 'PUT',
			body: { first_name: 'Asha K', last_name: 'Rao-Menon' },
		});
		expect(output[0].json).toMatchObject({
			http_code: 200,
			response: { data: { first_name: 'Asha K' } },
		});
		expect(bed.sandbox.users.get(ASHA.id)?.last_name).toBe('Rao-Menon');
	});

	it('sets the email of a user who has none', async () => {
		await bed.run({
			parameters: {
				operation: 'update',
				userId: byId(MEI),
				updateFields: { email: 'meilin.tan@example.com' },
			},
		});
		expect(bed.sandbox.users.get(MEI)?.email).toBe('meilin.tan@example.com');
	});

	it('explains that Exotel never changes an email once set', async () => {
		const error = await failure(
			bed.run({
				parameters: {
					operation: 'update',
					userId: byId(ASHA.id),
					updateFields: { email: 'new@example.com' },
				},
			}),
		);
		expect(error.message).toMatch(
			/^Exotel answered 400 Bad Request \(error 1002: Invalid parameter\): An email is already set/,
		);
		expect(error.description).toMatch(
			/sets an email only for a user who has none.*leave Email out/,
		);
	});

	it('refuses a name Exotel’s documented rule does not allow (accented letters), before any request', async () => {
		const error = await failure(
			bed.run({
				parameters: {
					operation: 'update',
					userId: byId(ASHA.id),
					updateFields: { firstName: 'Asha', lastName: 'Rao-Göransson' },
				},
			}),
		);
		expect(error.message).toBe(
			'Invalid input: Last Name may only use A–Z, a–z, 0–9, space, . \' and - (found "ö")',
		);
		expect(bed.sandbox.requests).toHaveLength(0);
	});

	it('refuses an update with nothing to change, before any request', async () => {
		const error = await failure(
			bed.run({ parameters: { operation: 'update', userId: byId(ASHA.id), updateFields: {} } }),
		);
		expect(error.message).toBe(
			'Invalid input: Update Fields is empty: add First Name, Last Name or Email',
		);
		expect(bed.sandbox.requests).toHaveLength(0);
	});
});
