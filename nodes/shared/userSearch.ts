/**
 * Finding users in Exotel's pages. Exotel filters users by exact email only, so a search by
 * name, by part of an address or ignoring case reads the account's users a page at a time.
 * Pure: the page reader is passed in, so the walking and matching are tested without HTTP.
 */
import type { IDataObject } from 'n8n-workflow';

import { PAGE_SIZE, type Page } from './envelope';

/** Exotel's exact email filter finds one user per spelling, or a few: a small page is plenty. */
export const EXACT_EMAIL_LIMIT = 10;

/** GET /users with these query parameters (offset, limit, email…), as one page. */
export type ListUsers = (qs: IDataObject) => Promise<Page>;

/** Lower case, single spaces, trimmed: how names, addresses and searches are compared. */
export function normalise(text: string): string {
	return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

function haystack(user: IDataObject): string {
	return normalise(
		[user.first_name, user.last_name, user.email].filter((v) => typeof v === 'string').join(' '),
	);
}

/**
 * Whether a user matches a search: every word of it appears, in any case, somewhere in the
 * first name, last name or email ("khan", "priya k", "asha.rao@", "RAO@EXAMPLE"). An empty
 * search matches everyone.
 */
export function userMatchesSearch(user: IDataObject, search: string): boolean {
	const words = normalise(search).split(' ').filter(Boolean);
	const text = haystack(user);
	return words.every((word) => text.includes(word));
}

/** Whether a user has this email, ignoring case (one mailbox, however it is spelled). */
export function hasEmail(user: IDataObject, email: string): boolean {
	return typeof user.email === 'string' && normalise(user.email) === normalise(email);
}

/**
 * The spellings to ask Exotel's exact email filter for: as typed, and in lower case (how
 * addresses are usually stored), so one request finds most addresses whatever their case.
 */
export function emailSpellings(email: string): string[] {
	const typed = email.trim();
	return [...new Set([typed, typed.toLowerCase()])];
}

/** "Asha Rao (asha.rao@example.com)": how the list shows a user. */
export function userLabel(user: IDataObject): string {
	const name = [user.first_name, user.last_name].filter(Boolean).join(' ');
	return user.email ? `${name} (${String(user.email)})` : name;
}

/** A pagination token n8n hands back for the next answer: where the walk stopped. */
export function readToken(token: string | undefined): number {
	const offset = Number(token);
	return Number.isSafeInteger(offset) && offset > 0 ? offset : 0;
}

/**
 * The users Exotel's exact email filter finds for this address as typed and in lower case (one
 * request), compared again without case. `fields` is passed on (e.g. 'devices', so a password
 * reset needs no second lookup).
 */
export async function findByExactEmail(
	list: ListUsers,
	email: string,
	fields?: string,
): Promise<IDataObject[]> {
	const extra: IDataObject = fields ? { fields } : {};
	const exact = await list({
		...extra,
		email: emailSpellings(email).join(','),
		offset: 0,
		limit: EXACT_EMAIL_LIMIT,
	});
	return exact.records.filter((user) => hasEmail(user, email));
}

/**
 * The account's users as one listing has read them so far, page after page from the start:
 * found by id, and by email ignoring case. Read to its end, it also says who is NOT there — an
 * address it does not hold is nobody's — until a user changes during the run (then only what it
 * holds counts: the change may have given someone that address).
 */
export class AccountListing {
	private readonly users = new Map<string, IDataObject>();
	/** Normalised email → the ids of the users holding it, in any capitals. */
	private readonly emails = new Map<string, Set<string>>();
	private total?: number;
	/** Where the next page starts; undefined once the account has been read to its end. */
	nextOffset: number | undefined = 0;
	pagesRead = 0;
	/** A user changed since their page was read. */
	changed = false;

	/** The next page (read from `nextOffset`). The end comes as in walkPages: the total reached, or a short page. */
	add(page: Page): void {
		if (this.nextOffset === undefined) return;
		for (const user of page.records) {
			const id = String(user.id);
			this.users.set(id, user);
			if (typeof user.email !== 'string') continue;
			const key = normalise(user.email);
			this.emails.set(key, (this.emails.get(key) ?? new Set()).add(id));
		}
		this.pagesRead++;
		this.total = page.total ?? this.total;
		const offset = this.nextOffset + page.records.length;
		const ended =
			page.records.length === 0 ||
			(this.total !== undefined ? offset >= this.total : page.records.length < PAGE_SIZE);
		this.nextOffset = ended ? undefined : offset;
	}

	get complete(): boolean {
		return this.nextOffset === undefined;
	}

	/** Pages still to read; unknown (infinite) until the first page has given the account's size. */
	pagesLeft(): number {
		if (this.nextOffset === undefined) return 0;
		return this.total === undefined
			? Number.POSITIVE_INFINITY
			: Math.ceil((this.total - this.nextOffset) / PAGE_SIZE);
	}

	user(id: string): IDataObject | undefined {
		return this.users.get(id);
	}

	/**
	 * The users with this email, ignoring case; an empty list when the whole account was read and
	 * nobody has it; undefined when the listing holds nobody with it and cannot say more.
	 */
	withEmail(email: string): IDataObject[] | undefined {
		const ids = [...(this.emails.get(normalise(email)) ?? [])];
		const found = ids
			.map((id) => this.users.get(id))
			.filter((user): user is IDataObject => user !== undefined);
		if (found.length > 0) return found;
		return this.complete && !this.changed ? [] : undefined;
	}

	/** The user changed (or was deleted): their record is no longer what Exotel holds. */
	drop(userId: string): void {
		this.users.delete(userId);
		this.changed = true;
	}
}

/**
 * Whether to read on through the account rather than look users up one by one: the first page
 * (which tells the account's size) when 2 or more lookups are left, then while the pages left
 * cost no more requests than the lookups left — each at least one request.
 */
export function listingPays(
	listing: Pick<AccountListing, 'pagesRead' | 'pagesLeft'>,
	lookupsLeft: number,
): boolean {
	return listing.pagesRead === 0 ? lookupsLeft >= 2 : listing.pagesLeft() <= lookupsLeft;
}
