/**
 * Reading Exotel's envelope: `{request_id, method, http_code, response: {code, error_data,
 * status, data}}`, or for lists `response: [{code, error_data, status, data}, …]` plus
 * `metadata: {total, count, offset, limit}`.
 */
import type { IDataObject } from 'n8n-workflow';

import { isJsonObject } from './records';

/** `response.data` of a single-record envelope. */
export function dataOf(envelope: IDataObject): IDataObject | undefined {
	const response = envelope.response;
	return isJsonObject(response) && isJsonObject(response.data) ? response.data : undefined;
}

/**
 * The records of a list envelope, in order. The client refuses a list answer with a failed
 * record (see envelopeFailure), so every record here succeeded.
 */
export function listDataOf(envelope: IDataObject): IDataObject[] {
	const response = envelope.response;
	if (!Array.isArray(response)) return [];
	return response
		.filter(isJsonObject)
		.filter((item) => isJsonObject(item.data))
		.map((item) => item.data as IDataObject);
}

/** An HTTP-like status in an envelope's code field. */
function statusCode(value: unknown): number | undefined {
	const code = Number(value);
	return Number.isInteger(code) && code >= 400 && code <= 599 ? code : undefined;
}

function failed(item: IDataObject): boolean {
	return item.status === 'failure' || statusCode(item.code) !== undefined;
}

/** What a 2xx envelope that is not a success says. */
export interface EnvelopeFailure {
	/** The status the envelope gives (http_code, then response.code), if it gives one of 400 and up. */
	status?: number;
	/** For a list: how many of its records failed, of how many. */
	records?: { failed: number; total: number };
}

/**
 * Whether an envelope that came with a 2xx reports a failure — Exotel's status is in the
 * envelope, not only in the HTTP status: `response.status` "failure", or a `response.code` /
 * `http_code` of 400 and up; for a list, any record that failed.
 */
export function envelopeFailure(envelope: IDataObject): EnvelopeFailure | undefined {
	const response = envelope.response;
	const top = statusCode(envelope.http_code);
	if (Array.isArray(response)) {
		const records = response.filter(isJsonObject);
		const failures = records.filter(failed);
		if (failures.length === 0 && top === undefined) return undefined;
		return {
			status: top ?? failures.map((item) => statusCode(item.code)).find((c) => c !== undefined),
			records: { failed: failures.length, total: records.length },
		};
	}
	if (isJsonObject(response) && failed(response))
		return { status: top ?? statusCode(response.code) };
	return top === undefined ? undefined : { status: top };
}

export interface ListMetadata {
	total: number;
	count: number;
	offset: number;
	limit: number;
}

export function metadataOf(envelope: IDataObject): ListMetadata | undefined {
	const metadata = envelope.metadata;
	if (!isJsonObject(metadata)) return undefined;
	const numbers = ['total', 'count', 'offset', 'limit'].map((k) => Number(metadata[k]));
	if (numbers.some((n) => !Number.isFinite(n))) return undefined;
	const [total, count, offset, limit] = numbers;
	return { total, count, offset, limit };
}

/** Exotel's largest page for list endpoints. */
export const PAGE_SIZE = 50;

/** One page of records, and the total Exotel gave with it. */
export interface Page {
	records: IDataObject[];
	total?: number;
}

/** Reads the page of `limit` records from `offset`. */
export type ReadPage = (offset: number, limit: number) => Promise<Page>;

export interface WalkLimits {
	/** Stop once this many matches are found (at the end of that page). */
	enough: number;
	/** Stop after reading this many pages. */
	maxPages: number;
	/** Read no more than this many records in all: the last page asks for only what is left. */
	upTo?: number;
}

export interface WalkResult {
	matches: IDataObject[];
	/** Where to go on from, when the account has more records than were read. */
	nextOffset?: number;
	/** How many records were read. */
	read: number;
	total?: number;
}

/**
 * The one paging loop: reads pages of Exotel's largest size from `offset` until `enough`
 * records match, `maxPages` pages are read, `upTo` records are read, or the list ends —
 * whichever comes first — and says where to go on from. Without a total, a short page is the last.
 */
export async function walkPages(
	readPage: ReadPage,
	matches: (record: IDataObject) => boolean,
	offset: number,
	limits: WalkLimits,
): Promise<WalkResult> {
	const found: IDataObject[] = [];
	const upTo = limits.upTo ?? Number.POSITIVE_INFINITY;
	let read = 0;
	let total: number | undefined;
	for (let pages = 0; pages < limits.maxPages && read < upTo; pages++) {
		const limit = Math.min(PAGE_SIZE, upTo - read);
		const page = await readPage(offset, limit);
		total = page.total ?? total;
		read += page.records.length;
		offset += page.records.length;
		found.push(...page.records.filter(matches));
		const ended =
			page.records.length === 0 ||
			(total !== undefined ? offset >= total : page.records.length < limit);
		if (ended) return { matches: found, read, total };
		if (found.length >= limits.enough) break;
	}
	return { matches: found, nextOffset: offset, read, total };
}
