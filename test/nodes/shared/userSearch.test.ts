import type { IDataObject } from 'n8n-workflow';

import {
	AccountListing,
	emailSpellings,
	findByExactEmail,
	hasEmail,
	listingPays,
	readToken,
	userLabel,
	userMatchesSearch,
	type ListUsers,
} from '../../../nodes/shared/userSearch';
import { walkPages, type Page } from '../../../nodes/shared/envelope';

const user = (
	first: string,
	last: string,
	email: string | null = null,
	id = `${first}-${last}`,
): IDataObject => ({
	id,
	first_name: first,
	last_name: last,
	email,
});

/** An account of `count` users; every 20th is a Khan, as a contact centre's later pages might hold. */
function account(count: number): IDataObject[] {
	return Array.from({ length: count }, (_, i) =>
		i % 20 === 19
			? user(`Imran${i}`, 'Khan', `imran${i}.khan@example.com`, `u${i}`)
			: user(`Agent${i}`, 'Rao', `agent${i}@example.com`, `u${i}`),
	);
}

/** A page reader over a list, recording each page asked for, as Exotel pages: offset and limit. */
function pages(users: IDataObject[], withTotal = true) {
	const asked: string[] = [];
	const readPage = async (offset: number, limit: number): Promise<Page> => {
		asked.push(`${offset}+${limit}`);
		return {
			records: users.slice(offset, offset + limit),
			total: withTotal ? users.length : undefined,
		};
	};
	return { asked, readPage };
}

describe('userMatchesSearch: case-insensitive, partial, in name and email', () => {
	const asha = user('Asha', 'Rao', 'Asha.Rao@Example.com');

	it.each([
		'asha',
		'ASHA',
		'rao',
		'sha r',
		'asha.rao@',
		'rao@example',
		'ASHA.RAO@EXAMPLE.COM',
		'rao asha',
		'  Asha   Rao ',
	])('matches "%s"', (search) => expect(userMatchesSearch(asha, search)).toBe(true));

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
		const walk = await walkPages(readPage, (u) => userMatchesSearch(u, 'khan'), 0, {
			enough: 5,
			maxPages: 20,
		});
		// Khans are at 19, 39, … — five of them by the end of the second page.
		expect(walk.matches.map((u) => u.id)).toEqual(['u19', 'u39', 'u59', 'u79', 'u99']);
		expect(asked).toEqual(['0+50', '50+50']);
		expect(walk.nextOffset).toBe(100);
	});

	it('finds matches that are only on later pages, and ends with no token at the end of the account', async () => {
		const users = [
			...account(200).map((u) => ({ ...u, last_name: 'Rao' })),
			user('Priya', 'Nair', 'priya@example.com', 'late'),
		];
		const { asked, readPage } = pages(users);
		const walk = await walkPages(readPage, (u) => userMatchesSearch(u, 'priya'), 0, {
			enough: 20,
			maxPages: 20,
		});
		expect(walk.matches.map((u) => u.id)).toEqual(['late']);
		expect(asked).toEqual(['0+50', '50+50', '100+50', '150+50', '200+50']);
		expect(walk.nextOffset).toBeUndefined();
	});

	it('goes on from a token where the last answer stopped, never repeating a user', async () => {
		const { readPage } = pages(account(237));
		const first = await walkPages(readPage, (u) => userMatchesSearch(u, 'khan'), 0, {
			enough: 5,
			maxPages: 20,
		});
		const second = await walkPages(
			readPage,
			(u) => userMatchesSearch(u, 'khan'),
			first.nextOffset ?? 0,
			{ enough: 5, maxPages: 20 },
		);
		const third = await walkPages(
			readPage,
			(u) => userMatchesSearch(u, 'khan'),
			second.nextOffset ?? 0,
			{ enough: 5, maxPages: 20 },
		);
		const all = [...first.matches, ...second.matches, ...third.matches].map((u) => u.id);
		expect(all).toEqual(
			account(237)
				.filter((u) => u.last_name === 'Khan')
				.map((u) => u.id),
		);
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
		expect(await walkPages(readPage, () => true, 0, { enough: 20, maxPages: 20 })).toEqual({
			matches: [],
			read: 0,
			total: 0,
		});
		expect(asked).toEqual(['0+50']);
	});
});

describe('findByExactEmail: Exotel’s exact filter, compared again without case', () => {
	/** GET /users over a list: Exotel's email filter is exact and comma-separated. */
	function exotel(users: IDataObject[]) {
		const asked: IDataObject[] = [];
		const list: ListUsers = async (qs) => {
			asked.push(qs);
			const emails = typeof qs.email === 'string' ? qs.email.split(',') : undefined;
			const matching = users.filter((u) => !emails || emails.includes(u.email as string));
			const offset = Number(qs.offset ?? 0);
			return {
				records: matching.slice(offset, offset + Number(qs.limit ?? 20)),
				total: matching.length,
			};
		};
		return { asked, list };
	}

	it('asks for the address as typed and in lower case, in one request', async () => {
		const { asked, list } = exotel(account(237));
		const found = await findByExactEmail(list, 'Imran19.Khan@Example.com', 'devices');
		expect(found.map((u) => u.id)).toEqual(['u19']);
		expect(asked).toEqual([
			{
				fields: 'devices',
				email: 'Imran19.Khan@Example.com,imran19.khan@example.com',
				offset: 0,
				limit: 10,
			},
		]);
	});

	it('finds nobody when Exotel stores the address in other capitals (the listing must say)', async () => {
		const { asked, list } = exotel([
			...account(120),
			user('Vikram', 'Iyer', 'Vikram.Iyer@Example.com', 'vik'),
		]);
		expect(await findByExactEmail(list, 'vikram.iyer@example.COM')).toEqual([]);
		expect(asked).toHaveLength(1);
	});
});

describe('AccountListing: the account read page by page, answering by id and by email in any capitals', () => {
	/** Reads the listing to its end (or `max` pages) from a list, as the user directory does. */
	async function readAll(
		listing: AccountListing,
		users: IDataObject[],
		max = Number.POSITIVE_INFINITY,
		withTotal = true,
	) {
		const { asked, readPage } = pages(users, withTotal);
		for (let n = 0; n < max && listing.nextOffset !== undefined; n++)
			listing.add(await readPage(listing.nextOffset, 50));
		return asked;
	}

	it('reads ⌈users ÷ 50⌉ pages, then finds an address in any capitals, and every user holding it', async () => {
		const users = [
			...account(120),
			user('A', 'One', 'Same@example.com', 'a'),
			user('B', 'Two', 'SAME@example.com', 'b'),
		];
		const listing = new AccountListing();
		expect(await readAll(listing, users)).toEqual(['0+50', '50+50', '100+50']);
		expect(listing.complete).toBe(true);
		expect(listing.withEmail('IMRAN39.khan@example.com')?.map((u) => u.id)).toEqual(['u39']);
		expect(listing.withEmail(' same@Example.COM ')?.map((u) => u.id)).toEqual(['a', 'b']);
		expect(listing.user('u7')).toMatchObject({ first_name: 'Agent7' });
	});

	it('read to its end, says nobody has an address it does not hold; read in part, cannot say', async () => {
		const whole = new AccountListing();
		await readAll(whole, account(60));
		expect(whole.withEmail('nobody@example.com')).toEqual([]);
		const part = new AccountListing();
		await readAll(part, account(60), 1);
		expect(part.complete).toBe(false);
		expect(part.pagesLeft()).toBe(1);
		expect(part.withEmail('agent3@example.com')?.map((u) => u.id)).toEqual(['u3']);
		expect(part.withEmail('agent55@example.com')).toBeUndefined();
	});

	it('after a user changed, no longer answers for them, nor says who is missing', async () => {
		const listing = new AccountListing();
		await readAll(listing, account(10));
		listing.drop('u3');
		expect(listing.user('u3')).toBeUndefined();
		expect(listing.withEmail('agent3@example.com')).toBeUndefined();
		expect(listing.withEmail('nobody@example.com')).toBeUndefined();
		expect(listing.withEmail('agent4@example.com')?.map((u) => u.id)).toEqual(['u4']);
	});

	it('without a total, ends at a short page; its size is unknown until then', async () => {
		const listing = new AccountListing();
		expect(listing.pagesLeft()).toBe(Number.POSITIVE_INFINITY);
		expect(await readAll(listing, account(75), Number.POSITIVE_INFINITY, false)).toEqual([
			'0+50',
			'50+50',
		]);
		expect(listing.complete).toBe(true);
		expect(listing.pagesLeft()).toBe(0);
	});

	it('an empty account is one page, read to its end', async () => {
		const listing = new AccountListing();
		expect(await readAll(listing, [])).toEqual(['0+50']);
		expect(listing.withEmail('a@b.com')).toEqual([]);
	});
});

describe('listingPays: one listing, or a read per user, whichever is fewer requests', () => {
	const after = (pagesRead: number, pagesLeft: number) => ({
		pagesRead,
		pagesLeft: () => pagesLeft,
	});

	it('reads the first page (it tells the account’s size) only for 2 lookups or more', () => {
		expect(listingPays(after(0, Number.POSITIVE_INFINITY), 1)).toBe(false);
		expect(listingPays(after(0, Number.POSITIVE_INFINITY), 2)).toBe(true);
	});

	it('reads on while the pages left are no more than the lookups left', () => {
		// 10,000 users: 199 pages left after the first; 10,000 resets by email.
		expect(listingPays(after(1, 199), 10_000)).toBe(true);
		// 20 resets in the same account: a lookup each is cheaper.
		expect(listingPays(after(1, 199), 20)).toBe(false);
		expect(listingPays(after(2, 3), 3)).toBe(true);
		expect(listingPays(after(2, 3), 2)).toBe(false);
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
		expect(userLabel(user('Asha', 'Rao', 'asha.rao@example.com'))).toBe(
			'Asha Rao (asha.rao@example.com)',
		);
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
