/**
 * Type guards for values read from outside: Exotel's answers and n8n's errors. Two meanings,
 * each in one place:
 * - a JSON object (an envelope, `error_data`, `metadata`): not null, not an array;
 * - any object whose fields may be read (an error and its `cause`): arrays included, as
 *   reading a missing field from one is harmless.
 */
import type { IDataObject } from 'n8n-workflow';

export function isJsonObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function hasFields(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}
