import { ASHA, byEmail, byId, failure, useTestbed } from '../../../../support/exotel';

const bed = useTestbed();

describe('User → Delete', () => {
	it('deletes the user and outputs Exotel’s envelope', async () => {
		const output = await bed.run({ parameters: { operation: 'delete', userId: byId(ASHA.id) } });
		expect(bed.sandbox.requests[0].method).toBe('DELETE');
		expect(output[0].json).toMatchObject({
			http_code: 200,
			method: 'DELETE',
			response: { status: 'success', data: null },
		});
		expect(bed.sandbox.users.has(ASHA.id)).toBe(false);
	});

	it('deletes by email', async () => {
		await bed.run({ parameters: { operation: 'delete', userId: byEmail('asha.rao@example.com') } });
		expect(bed.sandbox.users.has(ASHA.id)).toBe(false);
	});

	it('explains an unknown user', async () => {
		const error = await failure(
			bed.run({ parameters: { operation: 'delete', userId: byId('deadbeef') } }),
		);
		expect(error.message).toMatch(/^Exotel answered 404 Not Found \(error 10801/);
	});
});
