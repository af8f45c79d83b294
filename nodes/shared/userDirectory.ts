import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { dataOf, PAGE_SIZE } from './envelope';
import type { ExotelClient } from './transport/client';
import {
	AccountListing,
	findByExactEmail,
	listingPays,
	normalise,
	type ListUsers,
} from './userSearch';

export type UserRef = { by: 'id'; id: string } | { by: 'email'; email: string };

/** The user's devices, as Exotel lists them with the user. */
export function devicesOf(user: IDataObject): IDataObject[] {
	return Array.isArray(user.devices) ? (user.devices as IDataObject[]) : [];
}

/**
 * The users of the account as one execution (or one picker answer) sees them: found by id or
 * by email, with their devices, each asked of Exotel once however many items need it — items
 * that need it at the same time share the request — and forgotten after a change. Many users
 * in one run are read in one listing of the account (Exotel's largest pages, ⌈users ÷ 50⌉
 * requests) when that takes fewer requests than a read per user; the listing then also matches
 * emails in any capitals, and the account is never read twice for that. Only answers are kept:
 * a failure is each item's own (its error names the item), so an item that waited on one asks
 * again itself.
 */
export class UserDirectory {
	/** Lookups by key (`user:<id>`, `email:<address>`): the request while in flight, then the user too. */
	private readonly known = new Map<string, { pending: Promise<IDataObject>; user?: IDataObject }>();
	/** The account's users as far as this run has listed them. */
	private listing = new AccountListing();
	/** The listing's reads, one after the other: each goes on where the last one stopped. */
	private reading: Promise<void> = Promise.resolve();
	/** Whether the run has chosen between one listing and a read per user (once per run). */
	private decided = false;

	/**
	 * @param maxPages the most pages of users one email lookup reads when Exotel's exact
	 * filter does not find the address (a picker, where a person waits, reads a bounded number)
	 * @param items the run's input items: how many lookups a listing may save when the run does
	 * not say which users it needs (see `prefetch`)
	 */
	constructor(
		private readonly client: ExotelClient,
		private readonly node: INode,
		private readonly maxPages = Number.POSITIVE_INFINITY,
		private readonly items = 1,
	) {}

	/** GET /users with these query parameters, as one page. */
	list(itemIndex: number): ListUsers {
		return async (qs) => {
			const { offset, limit, ...rest } = qs;
			return await this.client.requestPage(
				itemIndex,
				{ path: ['users'], qs: rest },
				Number(offset ?? 0),
				Number(limit ?? PAGE_SIZE),
			);
		};
	}

	/**
	 * The run's users, known before any is looked up (the pre-flight check): one listing of the
	 * account for all of them when that takes fewer requests than reading each, else nothing —
	 * each is then read by itself. The first page tells the account's size (and may hold some);
	 * reading stops once the pages left cost more than the users left. A failed page is not the
	 * run's failure: the users not yet found are read one by one.
	 */
	async prefetch(itemIndex: number, users: UserRef[]): Promise<void> {
		this.decided = true;
		const ids = new Set(
			users.flatMap((u) => (u.by === 'id' && !this.known.has(userKey(u.id)) ? [u.id] : [])),
		);
		const emails = new Set(
			users.flatMap((u) =>
				u.by === 'email' && !this.known.has(emailKey(u.email)) ? [normalise(u.email)] : [],
			),
		);
		const left = () => {
			for (const id of ids) if (this.listing.user(id)) ids.delete(id);
			for (const email of emails) if (this.listing.withEmail(email)?.length) emails.delete(email);
			return ids.size + emails.size;
		};
		await this.readOn(itemIndex, () => listingPays(this.listing, left())).catch(() => undefined);
	}

	/** The user with their devices (GET /users/{user_id}), unless the run's listing holds them. */
	async byId(itemIndex: number, userId: string): Promise<IDataObject> {
		return await this.remember(userKey(userId), async () => {
			await this.reading.catch(() => undefined);
			const listed = this.listing.user(userId);
			if (listed) return listed;
			const envelope = await this.client.request(itemIndex, {
				method: 'GET',
				path: ['users', userId],
				idempotent: true,
			});
			return dataOf(envelope) ?? {};
		});
	}

	/**
	 * The one user with this email, ignoring case, with their devices: from the run's listing of
	 * the account, or one request when Exotel holds the address as typed or in lower case,
	 * otherwise the rest of the account (one request per 50 users, once per run). None, or
	 * several, is the item's error. Remembered by email and by id.
	 */
	async byEmail(itemIndex: number, email: string): Promise<IDataObject> {
		const user = await this.remember(emailKey(email), async () => {
			await this.listIfItPays(itemIndex);
			const matches = this.listing.withEmail(email) ?? (await this.ask(itemIndex, email));
			if (matches.length === 1) return matches[0];
			throw this.notOne(itemIndex, email, matches, this.listing.complete);
		});
		this.keep(user);
		return user;
	}

	/** A user that came with another answer (an email lookup, a listing): later lookups by id use it. */
	keep(user: IDataObject): void {
		this.known.set(userKey(String(user.id)), { pending: Promise.resolve(user), user });
	}

	/** The user with their devices, however the User field gave them. */
	async find(itemIndex: number, user: UserRef): Promise<IDataObject> {
		return user.by === 'email'
			? await this.byEmail(itemIndex, user.email)
			: await this.byId(itemIndex, user.id);
	}

	/** The user's id: as given, or looked up by email. */
	async resolveId(itemIndex: number, user: UserRef): Promise<string> {
		return user.by === 'id' ? user.id : String((await this.byEmail(itemIndex, user.email)).id);
	}

	/** After a change to a user or their devices: later lookups ask Exotel again. */
	forget(userId: string): void {
		this.known.delete(userKey(userId));
		this.listing.drop(userId);
		for (const [key, entry] of this.known) {
			// An email lookup still in flight (it may be this user), or one that found this user: forgotten too.
			if (key.startsWith('email:') && (entry.user === undefined || entry.user.id === userId))
				this.known.delete(key);
		}
	}

	/**
	 * Without a pre-flight check (Continue On Fail, or an operation that has none) the run does
	 * not say which users it needs: the first email lookup decides, from the number of items,
	 * whether one listing of the account costs fewer requests than a lookup per item.
	 */
	private async listIfItPays(itemIndex: number): Promise<void> {
		if (!this.decided) {
			this.decided = true;
			void this.readOn(itemIndex, () => listingPays(this.listing, this.items)).catch(
				() => undefined,
			);
		}
		await this.reading.catch(() => undefined);
	}

	/**
	 * An address the listing cannot answer for: Exotel's exact filter (as typed and in lower case),
	 * then — stored in other capitals — the rest of the account, read once for the run; afresh
	 * only when a user changed since it was read.
	 */
	private async ask(itemIndex: number, email: string): Promise<IDataObject[]> {
		const found = await findByExactEmail(this.list(itemIndex), email, 'devices');
		if (found.length > 0) return found;
		await this.readOn(itemIndex, () => true, true);
		return this.listing.withEmail(email) ?? [];
	}

	/**
	 * Reads the account's next pages (with devices) while `more()` says so, at most `maxPages` in
	 * one call, after any read under way. `fresh`: a listing made before a user changed is
	 * started again. A failed page fails this call only; the next goes on from the same place.
	 */
	private readOn(itemIndex: number, more: () => boolean, fresh = false): Promise<void> {
		const read = this.reading
			.catch(() => undefined)
			.then(async () => {
				if (fresh && this.listing.changed) this.listing = new AccountListing();
				const listing = this.listing;
				const list = this.list(itemIndex);
				for (
					let pages = 0;
					pages < this.maxPages && listing.nextOffset !== undefined && more();
					pages++
				) {
					listing.add(
						await list({ fields: 'devices', offset: listing.nextOffset, limit: PAGE_SIZE }),
					);
				}
			});
		this.reading = read;
		return read;
	}

	private async remember(key: string, load: () => Promise<IDataObject>): Promise<IDataObject> {
		const known = this.known.get(key);
		if (known) {
			try {
				return await known.pending;
			} catch {
				// fall through: this item asks for itself
			}
		}
		const entry: { pending: Promise<IDataObject>; user?: IDataObject } = { pending: load() };
		this.known.set(key, entry);
		entry.pending.then(
			(user) => (entry.user = user),
			() => {
				if (this.known.get(key) === entry) this.known.delete(key);
			},
		);
		return await entry.pending;
	}

	private notOne(
		itemIndex: number,
		email: string,
		matches: IDataObject[],
		complete: boolean,
	): NodeOperationError {
		if (matches.length === 0) {
			return new NodeOperationError(this.node, `No Exotel user has the email ${email}`, {
				itemIndex,
				description: complete
					? 'No user of this account has this address, in any capitals. Check the address, or that the credential points at the right account and region.'
					: `Exotel does not hold the address as typed or in lower case, and the first ${this.maxPages * PAGE_SIZE} users do not have it in other capitals. Type it as Exotel stores it, or give the user’s ID.`,
			});
		}
		return new NodeOperationError(
			this.node,
			`${matches.length} Exotel users have the email ${email} (ids ${matches.map((u) => u.id).join(', ')})`,
			{
				itemIndex,
				description: 'Select the user by ID instead.',
			},
		);
	}
}

const userKey = (id: string) => `user:${id}`;
const emailKey = (email: string) => `email:${normalise(email)}`;
