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

/** The records of a list envelope, in order, skipping any per-item failure. */
export function listDataOf(envelope: IDataObject): IDataObject[] {
	const response = envelope.response;
	if (!Array.isArray(response)) return [];
	return response.filter(isJsonObject).filter((item) => item.status !== 'failure' && isJsonObject(item.data)).map((item) => item.data as IDataObject);
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
