/**
 * The UserDirectory over a fake Exotel (GET /users with its exact email filter, GET /users/{id}):
 * when it lists the account, and what a listing may answer after a user changed.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { UserDirectory } from '../../../nodes/shared/userDirectory';
import type { ExotelClient } from '../../../nodes/shared/transport/client';

const NODE = {
	name: 'Exotel',
	type: 'exotelUsers',
	typeVersion: 2,
	position: [0, 0],
	parameters: {},
} as unknown as INode;

/** `count` users u0…, each with an address in other capitals than `agent<i>@example.com`. */
function exotel(count: number) {
	const users: IDataObject[] = Array.from({ length: count }, (_, i) => ({
		id: `u${i}`,
		email: `Agent${i}@Example.com`,
		devices: [],
	}));
	const asked: string[] = [];
	const client = {
		requestPage: async (
			_item: number,
			request: { qs?: IDataObject },
			offset: number,
			limit: number,
		) => {
			const email = request.qs?.email;
			asked.push(typeof email === 'string' ? 'exact' : `page ${offset}`);
			const matching =
				typeof email === 'string'
					? users.filter((u) => email.split(',').includes(u.email as string))
					: users;
			return { records: matching.slice(offset, offset + limit), total: matching.length };
		},
		request: async (_item: number, request: { path: string[] }) => {
			asked.push('user');
			return { response: { data: users.find((u) => u.id === request.path[1]) ?? null } };
		},
	} as unknown as ExotelClient;
	return { users, asked, client };
}

describe('UserDirectory: one listing of the account, or a lookup per user', () => {
	it('without a check first, decides from the number of items: 3 items in 120 users list all 3 pages, then answer in any capitals', async () => {
		const { asked, client } = exotel(120);
		const users = new UserDirectory(client, NODE, Number.POSITIVE_INFINITY, 3);
		expect((await users.byEmail(0, 'agent110@example.com')).id).toBe('u110');
		expect((await users.byEmail(1, 'AGENT7@example.com')).id).toBe('u7');
		await expect(users.byEmail(2, 'nobody@example.com')).rejects.toThrow(
			'No Exotel user has the email nobody@example.com',
		);
		expect(asked).toEqual(['page 0', 'page 50', 'page 100']);
	});

	it('one item reads nothing ahead: the exact filter, then the account once', async () => {
		const { asked, client } = exotel(120);
		const users = new UserDirectory(client, NODE);
		expect((await users.byEmail(0, 'agent110@example.com')).id).toBe('u110');
		expect(asked).toEqual(['exact', 'page 0', 'page 50', 'page 100']);
	});

	it('checked first, one user (however many items name them) is not worth a listing', async () => {
		const { asked, client } = exotel(120);
		const users = new UserDirectory(client, NODE, Number.POSITIVE_INFINITY, 5);
		await users.prefetch(
			0,
			[1, 2, 3].map(() => ({ by: 'id' as const, id: 'u3' })),
		);
		expect((await users.byId(0, 'u3')).id).toBe('u3');
		expect(asked).toEqual(['user']);
	});

	it('checked first, ids and emails count together; an id the listing lacks is asked of Exotel', async () => {
		const { asked, client } = exotel(120);
		const users = new UserDirectory(client, NODE, Number.POSITIVE_INFINITY, 3);
		await users.prefetch(0, [
			{ by: 'id', id: 'u1' },
			{ by: 'email', email: 'agent100@example.com' },
			{ by: 'id', id: 'gone' },
		]);
		expect(asked).toEqual(['page 0', 'page 50', 'page 100']);
		expect((await users.byEmail(1, 'agent100@example.com')).id).toBe('u100');
		expect(await users.byId(2, 'gone')).toEqual({});
		expect(asked).toEqual(['page 0', 'page 50', 'page 100', 'user']);
	});

	it('after a user changed, an address the listing lacks is asked again, and the account read afresh', async () => {
		const { users: stored, asked, client } = exotel(60);
		const users = new UserDirectory(client, NODE, Number.POSITIVE_INFINITY, 2);
		await expect(users.byEmail(0, 'new.hire@example.com')).rejects.toThrow(
			'No Exotel user has the email',
		);
		expect(asked).toEqual(['page 0', 'page 50']);
		// An Update in the same run gives u5 an address (Exotel lets a user without one get one).
		stored[5] = { ...stored[5], email: 'New.Hire@Example.com' };
		users.forget('u5');
		expect((await users.byEmail(1, 'new.hire@example.com')).id).toBe('u5');
		expect(asked).toEqual(['page 0', 'page 50', 'exact', 'page 0', 'page 50']);
	});

	it('a picker reads at most its pages, and says the account was not read to its end', async () => {
		const { asked, client } = exotel(500);
		const users = new UserDirectory(client, NODE, 2);
		await expect(users.byEmail(0, 'nobody@example.com')).rejects.toMatchObject({
			description: expect.stringContaining('the first 100 users do not have it in other capitals'),
		});
		expect(asked).toEqual(['exact', 'page 0', 'page 50']);
	});
});
