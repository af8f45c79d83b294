/**
 * The sandbox's record of a request as it arrived: its path decoded, its Basic credentials
 * read (the user name, and only whether the token matched), and its JSON body parsed, a
 * `password` in it replaced by its fingerprint, so that no record holds a password in clear.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { isJson } from './protocol';
import type { RecordedRequest } from './server';

/** The record of a request, and its JSON body if it has one. */
export function recordRequest(
	req: IncomingMessage,
	rawBody: string,
	receivedAt: number,
	sandbox: { options: { apiToken: string }; fingerprint(password: string): string },
): { record: RecordedRequest; body: unknown; unparseable: boolean } {
	const target = req.url ?? '/';
	const parsed = new URL(target, 'http://sandbox.invalid');
	const contentType = req.headers['content-type'];
	let body: unknown;
	let unparseable = false;
	try {
		if (rawBody.length > 0 && isJson(contentType)) body = JSON.parse(rawBody);
	} catch {
		unparseable = true;
	}
	const record: RecordedRequest = {
		method: req.method ?? 'GET',
		url: target,
		segments: parsed.pathname.split('/').slice(1).map(safeDecode),
		query: Object.fromEntries(parsed.searchParams),
		auth: readAuth(req.headers.authorization, sandbox.options.apiToken),
		contentType,
		body: withoutPasswords(body, (password) => sandbox.fingerprint(password)),
		status: 0,
		request_id: randomBytes(16).toString('hex'),
		receivedAt,
	};
	return { record, body, unparseable };
}

function readAuth(header: string | undefined, apiToken: string): RecordedRequest['auth'] {
	const match = /^Basic\s+(.+)$/i.exec(header ?? '');
	if (!match) return null;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return { username: decoded, tokenMatches: false };
	return {
		username: decoded.slice(0, colon),
		tokenMatches: decoded.slice(colon + 1) === apiToken,
	};
}

function withoutPasswords(body: unknown, fingerprint: (password: string) => string): unknown {
	if (typeof body !== 'object' || body === null || !('password' in body)) return body;
	const password = (body as { password: unknown }).password;
	return {
		...body,
		password: typeof password === 'string' ? fingerprint(password) : password,
	};
}

function safeDecode(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}
