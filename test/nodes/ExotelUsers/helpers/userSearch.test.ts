import type { IDataObject } from 'n8n-workflow';

import {
	emailSpellings,
	findUsersByEmail,
	hasEmail,
	readToken,
	userLabel,
	userMatchesSearch,
	type ListUsers,
} from '../../../../nodes/ExotelUsers/helpers/userSearch';
import { walkPages, type Page } from '../../../../nodes/ExotelUsers/helpers/envelope';

const user = (first: string, last: string, email: string | null = null, id = `${first}-${last}`): IDataObject => ({
	id,
	first_name: first,
	last_name: last,
	email,
});

/** An account of `count` users; every 20th is a Khan, as a contact centre's later pages might hold. */
function account(count: number): IDataObject[] {
	return Array.from({ length: count }, (_, i) =>
		i % 20 === 19 ? user(`Imran${i}`, 'Khan', `imran${i}.khan@example.com`, `u${i}`) : user(`Agent${i}`, 'Rao', `agent${i}@example.com`, `u${i}`),
	);
}

/** A page reader over a list, recording each page asked for, as Exotel pages: offset and limit. */
function pages(users: IDataObject[], withTotal = true) {
	const asked: string[] = [];
	const readPage = async (offset: number, limit: number): Promise<Page> => {
		asked.push(`${offset}+${limit}`);
		return { records: users.slice(offset, offset + limit), total: withTotal ? users.length : undefined };
	};
	return { asked, readPage };
}

describe('userMatchesSearch: case-insensitive, partial, in name and email', () => {
	const asha = user('Asha', 'Rao', 'Asha.Rao@Example.com');

	it.each(['asha', 'ASHA', 'rao', 'sha r', 'asha.rao@', 'rao@example', 'ASHA.RAO@EXAMPLE.COM', 'rao asha', '  Asha   Rao '])(
		'matches "%s"',
		(search) => expect(userMatchesSearch(asha, search)).toBe(true),
	);

	it.each(['khan', 'asha.rao@other', 'ashar', 'asha z'])('does not match "%s"', (search) => {
		expect(userMatchesSearch(asha, search)).toBe(false);
	});

	it('matches everyone on an empty search, and a user without an email by name', () => {
		expect(userMatchesSearch(asha, '')).toBe(true);
		expect(userMatchesSearch(user('Mei Lin', 'Tan'), 'mei')).toBe(true);
	});
});

describe('walkPages', () => {
	it('walks past pages without a match until it has enough, and says where to go on', async () => {
		const { asked, readPage } = pages(account(237));
		const walk = await walkPages(readPage, (u) => userMatchesSearch(u, 'khan'), 0, { enough: 5, maxPages: 20 });
		// Khans are at 19, 39, … — five of them by the end of the second page.
		expect(walk.matches.map((u) => u.id)).toEqual(['u19', 'u39', 'u59', 'u79', 'u99']);
		expect(asked).toEqual(['0+50', '50+50']);
		expect(walk.nextOffset).toBe(100);
	});

	it('finds matches that are only on later pages, and ends with no token at the end of the account', async () => {
		const users = [...account(200).map((u) => ({ ...u, last_name: 'Rao' })), user('Priya', 'Nair', 'priya@example.com', 'late')];
		const { asked, readPage } = pages(users);
		const walk = await walkPages(readPage, (u) => userMatchesSearch(u, 'priya'), 0, { enough: 20, maxPages: 20 });
		expect(walk.matches.map((u) => u.id)).toEqual(['late']);
		expect(asked).toEqual(['0+50', '50+50', '100+50', '150+50', '200+50']);
		expect(walk.nextOffset).toBeUndefined();
	});

	it('goes on from a token where the last answer stopped, never repeating a user', async () => {
		const { readPage } = pages(account(237));
		const first = await walkPages(readPage, (u) => userMatchesSearch(u, 'khan'), 0, { enough: 5, maxPages: 20 });
		const second = await walkPages(readPage, (u) => userMatchesSearch(u, 'khan'), first.nextOffset ?? 0, { enough: 5, maxPages: 20 });
		const third = await walkPages(readPage, (u) => userMatchesSearch(u, 'khan'), second.nextOffset ?? 0, { enough: 5, maxPages: 20 });
		const all = [...first.matches, ...second.matches, ...third.matches].map((u) => u.id);
		expect(all).toEqual(account(237).filter((u) => u.last_name === 'Khan').map((u) => u.id));
		expect(new Set(all).size).toBe(all.length);
		expect(third.nextOffset).toBeUndefined();
	});

	it('stops after maxPages even with no match, with a token to go on', async () => {
		const { asked, readPage } = pages(account(5000));
		const walk = await walkPages(readPage, () => false, 0, { enough: 20, maxPages: 20 });
		expect(asked).toHaveLength(20);
		expect(walk).toMatchObject({ matches: [], nextOffset: 1000, read: 1000, total: 5000 });
	});

	it('without Exotel’s total, takes a short page as the last', async () => {
		const { asked, readPage } = pages(account(60), false);
		const walk = await walkPages(readPage, () => true, 0, { enough: 1000, maxPages: 20 });
		expect(asked).toEqual(['0+50', '50+50']);
		expect(walk.matches).toHaveLength(60);
		expect(walk.nextOffset).toBeUndefined();
	});

	it('reads one page for an empty account', async () => {
		const { asked, readPage } = pages([]);
		expect(await walkPages(readPage, () => true, 0, { enough: 20, maxPages: 20 })).toEqual({ matches: [], read: 0, total: 0 });
		expect(asked).toEqual(['0+50']);
	});
});

describe('findUsersByEmail: ignoring case, cheapest first', () => {
	/** GET /users over a list: Exotel's email filter is exact and comma-separated. */
	function exotel(users: IDataObject[]) {
		const asked: IDataObject[] = [];
		const list: ListUsers = async (qs) => {
			asked.push(qs);
			const emails = typeof qs.email === 'string' ? qs.email.split(',') : undefined;
			const matching = users.filter((u) => !emails || emails.includes(u.email as string));
			const offset = Number(qs.offset ?? 0);
			return { records: matching.slice(offset, offset + Number(qs.limit ?? 20)), total: matching.length };
		};
		return { asked, list };
	}

	it('asks Exotel’s filter for the address as typed and in lower case: one request when either is stored', async () => {
		const { asked, list } = exotel(account(237));
		const found = (await findUsersByEmail(list, 'Imran19.Khan@Example.com', 'devices')).users;
		expect(found.map((u) => u.id)).toEqual(['u19']);
		expect(asked).toEqual([{ fields: 'devices', email: 'Imran19.Khan@Example.com,imran19.khan@example.com', offset: 0, limit: 10 }]);
	});

	it('reads the account, comparing without case, when Exotel stores the address in other capitals', async () => {
		const users = [...account(120), user('Vikram', 'Iyer', 'Vikram.Iyer@Example.com', 'vik')];
		const { asked, list } = exotel(users);
		const found = (await findUsersByEmail(list, 'vikram.iyer@example.COM')).users;
		expect(found.map((u) => u.id)).toEqual(['vik']);
		expect(asked.map((q) => `${q.email ?? '-'} ${q.offset}+${q.limit}`)).toEqual([
			'vikram.iyer@example.COM,vikram.iyer@example.com 0+10',
			'- 0+50',
			'- 50+50',
			'- 100+50',
		]);
	});

	it('finds nobody after reading the whole account, and every user who has the address in other capitals', async () => {
		const users = [user('A', 'One', 'Same@example.com', 'a'), user('B', 'Two', 'SAME@example.com', 'b')];
		expect((await findUsersByEmail(exotel(users).list, 'same@Example.com')).users.map((u) => u.id)).toEqual(['a', 'b']);
		expect(await findUsersByEmail(exotel(account(10)).list, 'nobody@example.com')).toEqual({ users: [], complete: true });
	});

	it('reads no more than the pages it is given, and says the account was not read to its end', async () => {
		const { asked, list } = exotel(account(10_000));
		expect(await findUsersByEmail(list, 'nobody@example.com', 'devices', 20)).toEqual({ users: [], complete: false });
		expect(asked).toHaveLength(21); // the exact filter, then 20 pages
	});
});

describe('small pieces', () => {
	it('hasEmail ignores case and surrounding space; a user without email has none', () => {
		expect(hasEmail(user('A', 'B', 'X@Y.com'), ' x@y.COM ')).toBe(true);
		expect(hasEmail(user('A', 'B'), 'x@y.com')).toBe(false);
	});

	it('emailSpellings sends one spelling when the address is already lower case', () => {
		expect(emailSpellings('a@b.com')).toEqual(['a@b.com']);
		expect(emailSpellings(' A@b.com ')).toEqual(['A@b.com', 'a@b.com']);
	});

	it('userLabel shows name and email', () => {
		expect(userLabel(user('Asha', 'Rao', 'asha.rao@example.com'))).toBe('Asha Rao (asha.rao@example.com)');
		expect(userLabel(user('Mei Lin', 'Tan'))).toBe('Mei Lin Tan');
	});

	it.each([
		[undefined, 0],
		['', 0],
		['150', 150],
		['-5', 0],
		['abc', 0],
		['1e400', 0],
	])('readToken(%j) is %i', (token, offset) => {
		expect(readToken(token)).toBe(offset);
	});
});
