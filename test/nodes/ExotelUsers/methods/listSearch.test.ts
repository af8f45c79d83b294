import { ExotelUsersApi } from '../../../../credentials/ExotelUsersApi.credentials';
import { ExotelUsers } from '../../../../nodes/ExotelUsers/ExotelUsers.node';
import { buildExecuteContext } from '../../../../dev/harness/n8n';
import { manyUsers, seedUsers } from '../../../../dev/sandbox/server';
import { useTestbed } from '../../../support/exotel';

const bed = useTestbed({ users: [...seedUsers(), ...manyUsers(57)] });

/** The editor calls listSearch with a load-options context; the execute context offers the same helpers. */
async function search(filter?: string, token?: string) {
	const { ctx } = buildExecuteContext({ nodeType: new ExotelUsers(), credentialType: new ExotelUsersApi(), credentials: bed.credentials() });
	return await new ExotelUsers().methods.listSearch.searchUsers.call(ctx as never, filter, token);
}

describe('User → From List (searchUsers)', () => {
	it('lists users a page at a time, by name and email, with a token for the next page', async () => {
		const first = await search();
		expect(first.results).toHaveLength(50);
		expect(first.results[0]).toEqual({ name: 'Asha Rao (asha.rao@example.com)', value: 'a3f1c2d4e5b60718293a4b5c6d7e8f90' });
		expect(first.paginationToken).toBe('50');
		const second = await search(undefined, first.paginationToken);
		expect(second.results).toHaveLength(10);
		expect(second.paginationToken).toBeUndefined();
	});

	it('asks Exotel for an exact email', async () => {
		const result = await search('vikram.iyer@example.com');
		expect(bed.sandbox.requests[0].query.email).toBe('vikram.iyer@example.com');
		expect(result.results.map((r) => r.name)).toEqual(['Vikram Iyer (vikram.iyer@example.com)']);
	});

	it('matches names within the page', async () => {
		const result = await search('mei');
		expect(result.results).toEqual([{ name: 'Mei Lin Tan', value: 'c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0' }]);
	});
});
