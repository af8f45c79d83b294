/** A tiny client for the sandbox's own tests: Basic auth, JSON in, the envelope out. */
import type { ExotelSandbox } from '../../../../tools/dev/sandbox/server';

export const CREDS = { apiKey: 'key-sbx', apiToken: 'token-sbx-0123456789', accountSid: 'acme1' };
export const ASHA = 'a3f1c2d4e5b60718293a4b5c6d7e8f90';
export const VIKRAM = 'b7e2d9c1a4f3068b5c2e1d0f9a8b7c6d';
export const MEI = 'c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0';
export const GOOD_PASSWORD = 'Good-pass-2026';

export function basic(key = CREDS.apiKey, token = CREDS.apiToken): string {
	return 'Basic ' + Buffer.from(`${key}:${token}`).toString('base64');
}

export interface CallOptions {
	/** An object is sent as JSON; a string as is. */
	body?: unknown;
	contentType?: string;
	auth?: string;
	signal?: AbortSignal;
}

export type Json = Record<string, any>;

/** Sends a request to `path` (below the host, e.g. '/v2/accounts/acme1/users') and reads the answer. */
export async function call(
	sandbox: ExotelSandbox,
	method: string,
	path: string,
	options: CallOptions = {},
) {
	const headers: Record<string, string> = { authorization: options.auth ?? basic() };
	let body: string | undefined;
	if (options.body !== undefined) {
		body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
		headers['content-type'] = options.contentType ?? 'application/json';
	}
	const res = await fetch(sandbox.url + path, { method, headers, body, signal: options.signal });
	const text = await res.text();
	let json: Json = {};
	try {
		json = JSON.parse(text) as Json;
	} catch {
		// Not JSON (a fault's body); callers look at `text`.
	}
	return { status: res.status, headers: res.headers, text, json };
}

/** `call` below /v2/accounts/acme1. */
export const api = (sandbox: ExotelSandbox, method: string, path: string, options?: CallOptions) =>
	call(sandbox, method, `/v2/accounts/${CREDS.accountSid}/${path}`, options);

/** The `error_data` of a failure answer, with its HTTP status, e.g. [404, 10801]. */
export function errorOf(answer: { status: number; json: Json }): [number, number | undefined] {
	return [answer.status, answer.json.response?.error_data?.code];
}

/** Waits until `condition` holds: for something the sandbox does, never for an amount of time. */
export async function until(condition: () => boolean): Promise<void> {
	while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
