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
	return response.filter(isJsonObject).filter((item) => isJsonObject(item.data)).map((item) => item.data as IDataObject);
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
		return { status: top ?? failures.map((item) => statusCode(item.code)).find((c) => c !== undefined), records: { failed: failures.length, total: records.length } };
	}
	if (isJsonObject(response) && failed(response)) return { status: top ?? statusCode(response.code) };
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
