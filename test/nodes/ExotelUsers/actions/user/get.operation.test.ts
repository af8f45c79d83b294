import { manyUsers, seedUsers } from '../../../../../tools/dev/sandbox/server';
import {
	ASHA,
	byEmail,
	byId,
	failure,
	fromList,
	startTestbed,
	useTestbed,
} from '../../../../support/exotel';
import { userLocator } from '../../../../../nodes/ExotelUsers/actions/common/user';

const bed = useTestbed();

describe('User → Get', () => {
	it('outputs the user with their devices, by ID', async () => {
		const output = await bed.run({ parameters: { operation: 'get', userId: byId(ASHA.id) } });
		expect(output).toEqual([
			{
				json: expect.objectContaining({
					id: ASHA.id,
					first_name: 'Asha',
					devices: [
						expect.objectContaining({ id: 101, type: 'sip' }),
						expect.objectContaining({ id: 102, type: 'tel' }),
					],
				}),
				pairedItem: { item: 0 },
			},
		]);
	});

	it('takes a user picked from the list', async () => {
		const output = await bed.run({ parameters: { operation: 'get', userId: fromList(ASHA.id) } });
		expect(output[0].json.id).toBe(ASHA.id);
	});

	it('looks the user up by email in one request that brings the devices too', async () => {
		const output = await bed.run({
			parameters: { operation: 'get', userId: byEmail('asha.rao@example.com') },
		});
		expect(output[0].json).toMatchObject({ id: ASHA.id, devices: [{ id: 101 }, { id: 102 }] });
		expect(
			bed.sandbox.requests.map((r) => r.url.split('?')[0].split('/').slice(4).join('/')),
		).toEqual(['users']);
		expect(bed.sandbox.requests[0].query).toMatchObject({
			email: 'asha.rao@example.com',
			fields: 'devices',
		});
	});

	it('finds an address typed in other capitals with the same one request (as typed, and in lower case)', async () => {
		const output = await bed.run({
			parameters: { operation: 'get', userId: byEmail('Vikram.Iyer@Example.com') },
		});
		expect(output[0].json.id).toBe('b7e2d9c1a4f3068b5c2e1d0f9a8b7c6d');
		expect(bed.sandbox.requests.map((r) => r.query.email)).toEqual([
			'Vikram.Iyer@Example.com,vikram.iyer@example.com',
		]);
	});

	it('finds an address Exotel holds in other capitals by reading the account, 1 request per 50 users', async () => {
		const [asha, ...others] = seedUsers();
		const capitals = await startTestbed({
			users: [...others, ...manyUsers(70), { ...asha, email: 'Asha.Rao@Example.com' }],
		});
		try {
			const output = await capitals.run({
				parameters: { operation: 'get', userId: byEmail('asha.rao@example.com') },
			});
			expect(output[0].json.id).toBe(asha.id);
			expect(
				capitals.sandbox.requests.map((r) => r.query.email ?? `${r.query.offset}+${r.query.limit}`),
			).toEqual(['asha.rao@example.com', '0+50', '50+50']);
		} finally {
			await capitals.sandbox.stop();
		}
	});

	it('says clearly when no user has the email, in any capitals, after reading the account', async () => {
		const error = await failure(
			bed.run({ parameters: { operation: 'get', userId: byEmail('nobody@example.com') } }),
		);
		expect(error.message).toBe('No Exotel user has the email nobody@example.com');
		expect(error.description).toMatch(
			/^No user of this account has this address, in any capitals\./,
		);
		expect(error.context.itemIndex).toBe(0);
		expect(
			bed.sandbox.requests.map((r) => r.query.email ?? `${r.query.offset}+${r.query.limit}`),
		).toEqual(['nobody@example.com', '0+50']);
	});

	it('takes an email given in By ID (as an AI model or an expression may) as By Email', async () => {
		const output = await bed.run({
			parameters: { operation: 'get', userId: byId('asha.rao@example.com') },
		});
		expect(output[0].json.id).toBe(ASHA.id);
		expect(bed.sandbox.requests[0].query).toMatchObject({ email: 'asha.rao@example.com' });
	});

	it('refuses an email that is not one, before any request', async () => {
		const error = await failure(
			bed.run({ parameters: { operation: 'get', userId: byEmail('asha.rao') } }),
		);
		expect(error.message).toBe(
			'Invalid input: User (by email) is not an email address such as name@example.com',
		);
		expect(bed.sandbox.requests).toHaveLength(0);
	});

	it('explains an unknown user (404/10801)', async () => {
		const error = await failure(
			bed.run({ parameters: { operation: 'get', userId: byId('0000') } }),
		);
		expect(error.message).toMatch(/^Exotel answered 404 Not Found \(error 10801: User not found\)/);
	});

	it('says clearly when several users have the email, listing their ids', async () => {
		const [asha, vikram] = seedUsers();
		const twins = await startTestbed({ users: [asha, { ...vikram, email: asha.email }] });
		try {
			const error = await failure(
				twins.run({ parameters: { operation: 'get', userId: byEmail(asha.email!) } }),
			);
			expect(error.message).toBe(
				`2 Exotel users have the email ${asha.email} (ids ${asha.id}, ${vikram.id})`,
			);
			expect(error.description).toBe('Select the user by ID instead.');
		} finally {
			await twins.sandbox.stop();
		}
	});
});

describe('a name typed where the user ID belongs', () => {
	it('is refused before sending, suggesting By Email or From List', async () => {
		const error = await failure(
			bed.run({ parameters: { resource: 'user', operation: 'get', userId: byId('Asha Rao') } }),
		);
		expect(error.message).toBe(
			'Invalid input: User "Asha Rao" looks like a name, not a user ID: choose By Email, or From List to search by name',
		);
		expect(bed.sandbox.requests).toHaveLength(0);
	});

	it('says where Create puts the new user’s ID, under By ID', () => {
		const byIdMode = userLocator.modes?.find((m) => m.name === 'id');
		expect(byIdMode?.hint).toMatch(
			/Create, in response\.data\.id, e\.g\. \{\{ \$json\.response\.data\.id \}\}/,
		);
	});
});
