/**
 * What travels on the wire: Exotel's envelope, the results route handlers return, the
 * error answers the Users API uses, and route patterns ('PUT users/:userId').
 */
import type { ExotelSandbox } from './server';

export interface ErrorData {
	code: number;
	message: string;
	description: string;
}

export interface ListMetadata {
	total: number;
	count: number;
	offset: number;
	limit: number;
}

/** What a route handler returns: a status, and data or Exotel error details. */
export interface RouteResult {
	status: number;
	data?: unknown;
	error?: ErrorData;
	/** A list answer: `response` becomes an array of per-item envelopes, plus `metadata`. */
	list?: { items: unknown[]; metadata: ListMetadata };
}

export interface RouteContext {
	params: Record<string, string>;
	query: Record<string, string>;
	body: unknown;
	sandbox: ExotelSandbox;
}

export type RouteHandler = (context: RouteContext) => RouteResult;

/** An answer ready to be written: the envelope, or whatever a fault decided to send. */
export interface RawAnswer {
	status: number;
	headers: Record<string, string>;
	body: string;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Whether a Content-Type header names JSON (parameters such as a charset aside). */
export function isJson(contentType: string | undefined): boolean {
	return contentType?.split(';')[0].trim() === 'application/json';
}

/** Exotel's envelope around a result; `head` identifies the request it answers. */
export function renderEnvelope(
	head: { request_id: string; method: string },
	result: RouteResult,
): string {
	const top = { request_id: head.request_id, method: head.method, http_code: result.status };
	if (result.list) {
		return JSON.stringify({
			...top,
			response: result.list.items.map((data) => ({
				code: 200,
				error_data: null,
				status: 'success',
				data,
			})),
			metadata: result.list.metadata,
		});
	}
	return JSON.stringify({
		...top,
		response: {
			code: result.status,
			error_data: result.error ?? null,
			status: result.error ? 'failure' : 'success',
			data: result.error ? null : (result.data ?? null),
		},
	});
}

export function ok(data: unknown): RouteResult {
	return { status: 200, data };
}

export function failure(
	status: number,
	code: number,
	message: string,
	description: string,
): RouteResult {
	return { status, error: { code, message, description } };
}

export const missing = (description: string) =>
	failure(400, 1001, 'Mandatory parameter missing', description);
export const invalid = (description: string) =>
	failure(400, 1002, 'Invalid parameter', description);
export const notFound = (description = 'No such resource') =>
	failure(404, 1000, 'Not found', description);
export const userNotFound = () =>
	failure(404, 10801, 'User not found', 'No user with this id exists in the account');

/** A route: a method (or any, when absent) and path segments below /v2/accounts/{sid}. */
export interface RouteSpec {
	method?: string;
	pattern: string[];
}

/** 'PUT users/:userId' → method and segments; 'users/:userId' matches any method. */
export function parseRoute(spec: string): RouteSpec {
	const parts = spec.trim().split(/\s+/);
	if (parts.length > 2 || parts[parts.length - 1] === '')
		throw new TypeError(`Not a route: "${spec}"`);
	const path = parts[parts.length - 1].replace(/^\/+|\/+$/g, '');
	return {
		method: parts.length === 2 ? parts[0].toUpperCase() : undefined,
		pattern: path.split('/'),
	};
}

/** The `:name` captures if `segments` fit `pattern`, else undefined. */
export function matchPattern(
	pattern: string[],
	segments: string[],
): Record<string, string> | undefined {
	if (pattern.length !== segments.length) return undefined;
	const params: Record<string, string> = {};
	for (const [i, part] of pattern.entries()) {
		if (part.startsWith(':')) params[part.slice(1)] = segments[i];
		else if (part !== segments[i]) return undefined;
	}
	return params;
}

/** Does a request fall under a filter: about user `userId` (the segment after users/), on `route`? */
export function isTargeted(
	request: { method: string; segments: string[] },
	filter: { userId?: string; route?: RouteSpec },
): boolean {
	const below = belowAccount(request.segments);
	if (filter.userId !== undefined && !(below?.[0] === 'users' && below[1] === filter.userId))
		return false;
	const { route } = filter;
	if (
		route &&
		((route.method !== undefined && route.method !== request.method) ||
			!below ||
			!matchPattern(route.pattern, below))
	)
		return false;
	return true;
}

/** The segments after /v2/accounts/{sid}, or undefined for a path outside any account. */
export function belowAccount(segments: string[]): string[] | undefined {
	const [v2, accounts, sid, ...rest] = segments;
	return v2 === 'v2' && accounts === 'accounts' && sid !== undefined ? rest : undefined;
}
