/**
 * What the workflow remembers about its Rotation IDs, in n8n's workflow static data (shared by
 * every node of the workflow; n8n saves it when a production run ends, failed or not, never for
 * a manual run nor a killed one):
 *
 * - per (account, Rotation ID): the key id it started with, and its password length — so a
 *   re-run with another key, or a set step with another length, is refused before it writes;
 * - per agent's device: when a node run that set its password finished — so a reused Rotation
 *   ID is told before anything is sent, not silently set to the same password again;
 * - per agent's device: when a run that stopped had changed its password without handing it on —
 *   so the re-run still names an agent it can no longer reach (user deleted, device gone).
 *
 * No password, no key: ids, key ids and times only.
 */
import type { IDataObject } from 'n8n-workflow';

/** The static data field (one per workflow). */
export const MEMORY_FIELD = 'exotelUsersRotations';

/** The most agents, and rotations, remembered per workflow; the oldest rotations are forgotten first. */
export const MAX_REMEMBERED_AGENTS = 20000;

export const MAX_REMEMBERED_ROTATIONS = 2000;

export interface RotationRecord {
	/** The key id the Rotation ID started with. */
	key_id: string;
	/** The generated password length it started with. */
	length: number;
	/** When it started (ms since 1970). */
	started: number;
	/** `user/device` → when a finished node run had set that device's password. */
	done: Record<string, number>;
	/** `user/device` → when a run that stopped had changed that device's password (not handed on). */
	changed?: Record<string, number>;
}

type Book = Record<string, Record<string, RotationRecord>>;

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

function validRecord(value: unknown): value is RotationRecord {
	return (
		isObject(value) &&
		typeof value.key_id === 'string' &&
		typeof value.length === 'number' &&
		typeof value.started === 'number' &&
		isObject(value.done) &&
		Object.values(value.done).every((at) => typeof at === 'number') &&
		(value.changed === undefined ||
			(isObject(value.changed) &&
				Object.values(value.changed).every((at) => typeof at === 'number')))
	);
}

export const agentKey = (userId: string, deviceId: string) => `${userId}/${deviceId}`;

export class RotationMemory {
	constructor(
		private readonly staticData: IDataObject,
		private readonly now: () => number = () => Date.now(),
	) {}

	/** Read once per node run: a rotation of thousands of agents asks for each of them. */
	private cached?: Book;

	/** The rotations stored when this node run first read the memory: `account/rotationId`. */
	private before = new Set<string>();

	private read(): Book {
		if (!this.cached) {
			this.cached = this.parse();
			this.before = new Set(
				Object.entries(this.cached).flatMap(([account, byId]) =>
					Object.keys(byId).map((rotationId) => `${account}/${rotationId}`),
				),
			);
		}
		return this.cached;
	}

	/** The stored records, with anything malformed left out (a record that cannot be trusted is no record). */
	private parse(): Book {
		const stored = this.staticData[MEMORY_FIELD];
		const book: Book = {};
		if (!isObject(stored) || !isObject(stored.accounts)) return book;
		for (const [account, rotations] of Object.entries(stored.accounts)) {
			if (!isObject(rotations)) continue;
			for (const [rotationId, record] of Object.entries(rotations)) {
				if (validRecord(record))
					(book[account] ??= {})[rotationId] = {
						...record,
						done: { ...record.done },
						...(record.changed ? { changed: { ...record.changed } } : {}),
					};
			}
		}
		return book;
	}

	/** Written as a new object: n8n notices a change of the static data's own fields. */
	private write(book: Book): void {
		const rotations = Object.entries(book).flatMap(([account, byId]) =>
			Object.entries(byId).map(([rotationId, record]) => ({ account, rotationId, record })),
		);
		const size = (record: RotationRecord) =>
			Object.keys(record.done).length + Object.keys(record.changed ?? {}).length;
		let agents = rotations.reduce((sum, r) => sum + size(r.record), 0);
		rotations.sort((a, b) => a.record.started - b.record.started);
		let kept = rotations.length;
		for (const oldest of rotations) {
			if (agents <= MAX_REMEMBERED_AGENTS && kept <= MAX_REMEMBERED_ROTATIONS) break;
			kept--;
			agents -= size(oldest.record);
			delete book[oldest.account][oldest.rotationId];
			if (Object.keys(book[oldest.account]).length === 0) delete book[oldest.account];
		}
		this.cached = book;
		this.staticData[MEMORY_FIELD] = { version: 1, accounts: book as unknown as IDataObject };
	}

	rotation(account: string, rotationId: string): RotationRecord | undefined {
		return this.read()[account]?.[rotationId];
	}

	/**
	 * Whether the Rotation ID had started before this node run (an earlier node of the execution —
	 * a prepare step — or an earlier run, e.g. the one that failed), not by this run itself.
	 */
	startedBefore(account: string, rotationId: string): boolean {
		this.read();
		return this.before.has(`${account}/${rotationId}`);
	}

	/** Records the start of a rotation, once: the first key id and length stand. Returns the record. */
	start(account: string, rotationId: string, keyId: string, length: number): RotationRecord {
		const book = this.read();
		const existing = book[account]?.[rotationId];
		if (existing) return existing;
		const record: RotationRecord = { key_id: keyId, length, started: this.now(), done: {} };
		(book[account] ??= {})[rotationId] = record;
		this.write(book);
		return record;
	}

	/** When this device's password was set for this rotation by a run that finished, if it was. */
	doneAt(
		account: string,
		rotationId: string,
		userId: string,
		deviceId: string,
	): number | undefined {
		return this.rotation(account, rotationId)?.done[agentKey(userId, deviceId)];
	}

	/** Marks devices as set for their rotations (at the end of a node run that finished). */
	markDone(
		entries: Array<{
			account: string;
			rotationId: string;
			userId: string;
			deviceId: string;
			keyId: string;
			length: number;
		}>,
	): void {
		if (entries.length === 0) return;
		const book = this.read();
		const at = this.now();
		for (const entry of entries) {
			const byId = (book[entry.account] ??= {});
			const record = (byId[entry.rotationId] ??= {
				key_id: entry.keyId,
				length: entry.length,
				started: at,
				done: {},
			});
			const key = agentKey(entry.userId, entry.deviceId);
			record.done[key] = at;
			if (record.changed) delete record.changed[key];
		}
		this.write(book);
	}

	/** Marks devices whose password a run that is stopping changed without handing it on. */
	markChanged(
		entries: Array<{ account: string; rotationId: string; userId: string; deviceId: string }>,
	): void {
		const book = this.read();
		const at = this.now();
		let added = false;
		for (const entry of entries) {
			const record = book[entry.account]?.[entry.rotationId];
			if (!record) continue; // a rotation starts before it changes anything
			(record.changed ??= {})[agentKey(entry.userId, entry.deviceId)] = at;
			added = true;
		}
		if (added) this.write(book);
	}

	/** The devices a stopped run of this rotation changed and no finished run has set since: `user/device` → when. */
	changedNotDone(account: string, rotationId: string): Record<string, number> {
		const record = this.rotation(account, rotationId);
		return Object.fromEntries(
			Object.entries(record?.changed ?? {}).filter(([key]) => record?.done[key] === undefined),
		);
	}
}

/** `2026-12-06 11:58 UTC`: when a remembered change happened, as a person reads it. */
export function describeTime(at: number): string {
	return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
