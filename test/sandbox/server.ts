/**
 * The Exotel sandbox: a small HTTP server on 127.0.0.1 that speaks Exotel's CCM Users API
 * (see shared/exotel-api.md) closely enough to test, demo and benchmark the node without
 * an Exotel account. It checks Basic auth, keeps users and devices in memory, answers with
 * Exotel's envelope and error codes, and records every request for tests to assert on.
 *
 * It keeps no password in clear: a device stores a salted hash, and a recorded request
 * body shows a password as its fingerprint (see `fingerprint`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exotelAcceptsSipPassword } from './exotelPolicy';

export type Role = 'admin' | 'supervisor' | 'user';

export interface Device {
	id: number | string;
	name: string;
	contact_uri: string;
	type: 'tel' | 'sip';
	available: boolean;
	verified: boolean;
	status: string;
}

export interface User {
	id: string;
	first_name: string;
	last_name: string;
	email: string | null;
	email_verified: boolean;
	role: Role;
	date_created: string;
	date_updated: string;
	devices: Device[];
}

export interface ErrorData {
	code: number;
	message: string;
	description: string;
}

export interface RecordedRequest {
	method: string;
	/** The raw request target, exactly as it arrived (path and query). */
	url: string;
	/** The path with its segments decoded, for readable assertions. */
	segments: string[];
	query: Record<string, string>;
	/** Decoded Basic credentials: the user name as sent, and whether the token matched. */
	auth: { username: string; tokenMatches: boolean } | null;
	contentType?: string;
	/** Parsed JSON body; a `password` field is replaced by its fingerprint. */
	body?: unknown;
	status: number;
	request_id: string;
}

export interface SandboxOptions {
	apiKey: string;
	apiToken: string;
	accountSid: string;
	host?: string;
	port?: number;
	/** Exotel's docs disagree on the SIP password answer's `data`: null, or the device. */
	passwordResponseData?: 'null' | 'device';
	users?: User[];
	/** Called once per request, after it was answered; gets no body and no credentials. */
	onRequest?: (request: RecordedRequest) => void;
}

/** What a route handler returns: a status, and data or Exotel error details. */
export interface RouteResult {
	status: number;
	data?: unknown;
	error?: ErrorData;
	/** A list answer: `response` becomes an array of per-item envelopes, plus `metadata`. */
	list?: { items: unknown[]; metadata: { total: number; count: number; offset: number; limit: number } };
}

interface RouteContext {
	params: Record<string, string>;
	query: Record<string, string>;
	body: unknown;
	sandbox: ExotelSandbox;
}

interface Route {
	method: string;
	/** Segments below /v2/accounts/{sid}; `:name` captures a segment. */
	pattern: string[];
	handler: (context: RouteContext) => RouteResult;
}

const TIMESTAMP = '2026-01-05T09:30:00Z';

export function seedUsers(): User[] {
	const user = (id: string, first: string, last: string, email: string | null, role: Role, devices: Device[]): User => ({
		id,
		first_name: first,
		last_name: last,
		email,
		email_verified: email !== null,
		role,
		date_created: TIMESTAMP,
		date_updated: TIMESTAMP,
		devices,
	});
	const device = (id: number, name: string, type: 'sip' | 'tel', contact: string, available: boolean): Device => ({
		id,
		name,
		contact_uri: contact,
		type,
		available,
		verified: true,
		status: 'free',
	});
	return [
		user('a3f1c2d4e5b60718293a4b5c6d7e8f90', 'Asha', 'Rao', 'asha.rao@example.com', 'user', [
			device(101, 'Asha softphone', 'sip', 'sip:asharao101', true),
			device(102, 'Asha mobile', 'tel', '+919876543210', false),
		]),
		user('b7e2d9c1a4f3068b5c2e1d0f9a8b7c6d', 'Vikram', 'Iyer', 'vikram.iyer@example.com', 'supervisor', [
			device(201, 'Vikram softphone', 'sip', 'sip:vikramiyer201', true),
		]),
		user('c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0', 'Mei Lin', 'Tan', null, 'user', [
			device(301, 'Mei Lin mobile', 'tel', '+6591234567', true),
		]),
	];
}

export class ExotelSandbox {
	readonly requests: RecordedRequest[] = [];

	users = new Map<string, User>();

	private readonly salt = randomBytes(16).toString('hex');

	private readonly passwordHashes = new Map<string, string>();

	private readonly routes: Route[] = [];

	private server?: Server;

	private address = '';

	constructor(readonly options: SandboxOptions) {
		this.reset();
		this.route('GET', 'users', ({ query }) => this.listUsers(query));
		this.route('GET', 'users/:userId', ({ params }) => {
			const user = this.users.get(params.userId);
			return user ? { status: 200, data: user } : userNotFound();
		});
		this.route('PUT', 'users/:userId/devices/:deviceId/password', (context) => this.setSipPassword(context));
	}

	/** Adds an endpoint; later Users API operations and fault modes plug in here. */
	route(method: string, pattern: string, handler: Route['handler']): void {
		this.routes.push({ method, pattern: pattern.split('/'), handler });
	}

	/** Forgets recorded requests and passwords and restores the seeded users. */
	reset(): void {
		this.requests.length = 0;
		this.passwordHashes.clear();
		this.users = new Map((this.options.users ?? seedUsers()).map((u) => [u.id, structuredClone(u)]));
	}

	get url(): string {
		return this.address;
	}

	/** A one-way, per-sandbox fingerprint of a password, as recorded in place of the password. */
	fingerprint(password: string): string {
		return 'sha256:' + createHash('sha256').update(this.salt + password).digest('hex');
	}

	/** The fingerprint of the password last set on a device, if any. */
	passwordOf(userId: string, deviceId: string | number): string | undefined {
		return this.passwordHashes.get(`${userId}/${deviceId}`);
	}

	async start(): Promise<this> {
		this.server = createServer((req, res) => void this.handle(req, res));
		// Keep-alive sockets would hold the process open after tests end.
		this.server.keepAliveTimeout = 1000;
		await new Promise<void>((resolve, reject) => {
			this.server!.once('error', reject);
			this.server!.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
		});
		const { address, port } = this.server.address() as AddressInfo;
		this.address = `http://${address}:${port}`;
		return this;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const rawBody = await readBody(req);
		const target = req.url ?? '/';
		const parsed = new URL(target, 'http://sandbox.invalid');
		const segments = parsed.pathname.split('/').slice(1).map(safeDecode);
		const query = Object.fromEntries(parsed.searchParams);
		const contentType = req.headers['content-type'];
		const record: RecordedRequest = {
			method: req.method ?? 'GET',
			url: target,
			segments,
			query,
			auth: this.readAuth(req.headers.authorization),
			contentType,
			status: 0,
			request_id: randomBytes(16).toString('hex'),
		};

		let result: RouteResult;
		let body: unknown;
		try {
			if (rawBody.length > 0 && contentType?.split(';')[0].trim() === 'application/json') {
				body = JSON.parse(rawBody);
			}
		} catch {
			body = undefined;
			result = failure(400, 1007, 'Request body could not be parsed', 'The request body is not valid JSON');
		}
		record.body = this.withoutPasswords(body);

		result ??= this.dispatch(record, rawBody, body);
		record.status = result.status;
		this.requests.push(record);
		this.options.onRequest?.(record);

		const head = { request_id: record.request_id, method: record.method, http_code: result.status };
		const payload = JSON.stringify(
			result.list
				? {
						...head,
						response: result.list.items.map((data) => ({ code: 200, error_data: null, status: 'success', data })),
						metadata: result.list.metadata,
					}
				: {
						...head,
						response: {
							code: result.status,
							error_data: result.error ?? null,
							status: result.error ? 'failure' : 'success',
							data: result.error ? null : (result.data ?? null),
						},
					},
		);
		res.writeHead(result.status, { 'Content-Type': 'application/json; charset=utf-8' });
		res.end(payload);
	}

	private dispatch(record: RecordedRequest, rawBody: string, body: unknown): RouteResult {
		if (!record.auth || record.auth.username !== this.options.apiKey || !record.auth.tokenMatches) {
			return failure(401, 1010, 'Authorization failed', 'Invalid API key or token for this account');
		}
		const [v2, accounts, sid, ...rest] = record.segments;
		if (v2 !== 'v2' || accounts !== 'accounts' || sid === undefined) {
			return failure(404, 1000, 'Not found', 'No such resource');
		}
		if (sid !== this.options.accountSid) {
			return failure(401, 1010, 'Authorization failed', 'The credentials are not valid for this account');
		}
		for (const route of this.routes) {
			if (route.method !== record.method || route.pattern.length !== rest.length) continue;
			const params: Record<string, string> = {};
			const matches = route.pattern.every((part, i) => {
				if (part.startsWith(':')) params[part.slice(1)] = rest[i];
				return part.startsWith(':') || part === rest[i];
			});
			if (!matches) continue;
			if ((record.method === 'PUT' || record.method === 'POST') && rawBody.length > 0) {
				if (record.contentType?.split(';')[0].trim() !== 'application/json') {
					return failure(415, 1011, 'Unsupported content type', 'Content-Type must be application/json');
				}
			}
			return route.handler({ params, query: record.query, body, sandbox: this });
		}
		return failure(404, 1000, 'Not found', 'No such resource');
	}

	private readAuth(header: string | undefined): RecordedRequest['auth'] {
		const match = /^Basic\s+(.+)$/i.exec(header ?? '');
		if (!match) return null;
		const decoded = Buffer.from(match[1], 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		if (colon < 0) return { username: decoded, tokenMatches: false };
		return { username: decoded.slice(0, colon), tokenMatches: decoded.slice(colon + 1) === this.options.apiToken };
	}

	private withoutPasswords(body: unknown): unknown {
		if (typeof body !== 'object' || body === null || !('password' in body)) return body;
		const password = (body as { password: unknown }).password;
		return { ...body, password: typeof password === 'string' ? this.fingerprint(password) : password };
	}

	private listUsers(query: Record<string, string>): RouteResult {
		const limit = query.limit === undefined ? 20 : Number(query.limit);
		const offset = query.offset === undefined ? 0 : Number(query.offset);
		if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
			return failure(400, 1002, 'Invalid parameter', 'limit must be a whole number from 1 to 50');
		}
		if (!Number.isInteger(offset) || offset < 0) {
			return failure(400, 1002, 'Invalid parameter', 'offset must be a whole number from 0');
		}
		const all = [...this.users.values()];
		const page = all.slice(offset, offset + limit);
		return { status: 200, list: { items: page, metadata: { total: all.length, count: page.length, offset, limit } } };
	}

	private setSipPassword({ params, body }: RouteContext): RouteResult {
		const user = this.users.get(params.userId);
		if (!user) return userNotFound();
		const device = user.devices.find((d) => String(d.id) === params.deviceId);
		if (!device) return failure(404, 1000, 'Not found', `Device ${params.deviceId} not found for this user`);
		if (device.type !== 'sip') {
			return failure(400, 1002, 'Invalid parameter', 'A password can only be set on a SIP device');
		}
		const password = (body as { password?: unknown } | undefined)?.password;
		if (password === undefined || password === null || password === '') {
			return failure(400, 1001, 'Mandatory parameter missing', 'password is required');
		}
		if (typeof password !== 'string' || !exotelAcceptsSipPassword(password)) {
			return failure(
				400,
				1002,
				'Invalid parameter',
				'password must be at least 8 characters long and contain 3 of: lower case, upper case, digits, special characters',
			);
		}
		this.passwordHashes.set(`${user.id}/${device.id}`, this.fingerprint(password));
		return { status: 200, data: this.options.passwordResponseData === 'device' ? device : null };
	}
}

function failure(status: number, code: number, message: string, description: string): RouteResult {
	return { status, error: { code, message, description } };
}

function userNotFound(): RouteResult {
	return failure(404, 10801, 'User not found', 'No user with this id exists in the account');
}

function safeDecode(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

export async function startSandbox(options: SandboxOptions): Promise<ExotelSandbox> {
	return await new ExotelSandbox(options).start();
}
