/**
 * Reading Exotel's envelope: `{request_id, method, http_code, response: {code, error_data,
 * status, data}}`, or for lists `response: [{code, error_data, status, data}, …]` plus
 * `metadata: {total, count, offset, limit}`.
 */
import type { IDataObject } from 'n8n-workflow';

function isRecord(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `response.data` of a single-record envelope. */
export function dataOf(envelope: IDataObject): IDataObject | undefined {
	const response = envelope.response;
	return isRecord(response) && isRecord(response.data) ? response.data : undefined;
}

/** The records of a list envelope, in order, skipping any per-item failure. */
export function listDataOf(envelope: IDataObject): IDataObject[] {
	const response = envelope.response;
	if (!Array.isArray(response)) return [];
	return response.filter(isRecord).filter((item) => item.status !== 'failure' && isRecord(item.data)).map((item) => item.data as IDataObject);
}

export interface ListMetadata {
	total: number;
	count: number;
	offset: number;
	limit: number;
}

export function metadataOf(envelope: IDataObject): ListMetadata | undefined {
	const metadata = envelope.metadata;
	if (!isRecord(metadata)) return undefined;
	const numbers = ['total', 'count', 'offset', 'limit'].map((k) => Number(metadata[k]));
	if (numbers.some((n) => !Number.isFinite(n))) return undefined;
	const [total, count, offset, limit] = numbers;
	return { total, count, offset, limit };
}
