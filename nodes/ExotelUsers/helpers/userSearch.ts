/**
 * Finding users in Exotel's pages. Exotel filters users by exact email only, so a search by
 * name, by part of an address or ignoring case reads the account's users a page at a time.
 * Pure: the page reader is passed in, so the walking and matching are tested without HTTP.
 */
import type { IDataObject } from 'n8n-workflow';

import { walkPages, type Page, type ReadPage } from './envelope';

/** Exotel's exact email filter finds one user per spelling, or a few: a small page is plenty. */
export const EXACT_EMAIL_LIMIT = 10;

/** GET /users with these query parameters (offset, limit, email…), as one page. */
export type ListUsers = (qs: IDataObject) => Promise<Page>;

/** Lower case, single spaces, trimmed: how names, addresses and searches are compared. */
export function normalise(text: string): string {
	return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

function haystack(user: IDataObject): string {
	return normalise([user.first_name, user.last_name, user.email].filter((v) => typeof v === 'string').join(' '));
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
 * The users with this email, ignoring case. Exotel's filter is exact, so the node first
 * asks it for the address as typed and in lower case (one request); only if neither is
 * stored does it read the account's users, a page of 50 at a time, comparing without case —
 * at most `maxPages` pages (`complete` says whether the whole account was read).
 * `fields` is passed on (e.g. 'devices', so a password reset needs no second lookup).
 */
export async function findUsersByEmail(
	list: ListUsers,
	email: string,
	fields?: string,
	maxPages = Number.POSITIVE_INFINITY,
): Promise<{ users: IDataObject[]; complete: boolean }> {
	const extra: IDataObject = fields ? { fields } : {};
	const exact = await list({ ...extra, email: emailSpellings(email).join(','), offset: 0, limit: EXACT_EMAIL_LIMIT });
	const found = exact.records.filter((user) => hasEmail(user, email));
	if (found.length > 0) return { users: found, complete: true };
	const readPage: ReadPage = async (offset, limit) => await list({ ...extra, offset, limit });
	const walk = await walkPages(readPage, (user) => hasEmail(user, email), 0, { enough: Number.POSITIVE_INFINITY, maxPages });
	return { users: walk.matches, complete: walk.nextOffset === undefined };
}
