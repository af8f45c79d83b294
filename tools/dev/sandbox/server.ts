/**
 * The Exotel sandbox: a small HTTP server on 127.0.0.1 that speaks Exotel's CCM Users API
 * (see docs/exotel-api.md) closely enough to test, demo and benchmark the node without
 * an Exotel account. It checks Basic auth, keeps users and devices in memory, answers with
 * Exotel's envelope and error codes, and records every request for tests to assert on.
 * Fault rules (`faults`, see faults.ts) make it fail on purpose: error statuses, dropped
 * and hung connections, slow bodies and an enforced rate limit.
 *
 * It keeps no password in clear: a device stores a salted hash, and a recorded request
 * body shows a password as its fingerprint (see `fingerprint`).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { startHttpServer, stopHttpServer } from '../http';
import {
	Faults,
	statusFaultAnswer,
	type FaultBody,
	type FaultKind,
	type SlowFault,
} from './faults';
import { seedUsers, type User } from './model';
import {
	belowAccount,
	failure,
	isJson,
	isTargeted,
	JSON_CONTENT_TYPE,
	matchPattern,
	notFound,
	parseRoute,
	renderEnvelope,
	type RawAnswer,
	type RouteContext,
	type RouteHandler,
	type RouteResult,
} from './protocol';
import { recordRequest } from './recordRequest';
import { USERS_API, type UserStore } from './usersApi';

export { manyUsers, seedUsers, type ActiveCall, type Device, type Role, type User } from './model';
export type { ErrorData, ListMetadata, RouteContext, RouteHandler, RouteResult } from './protocol';
export type {
	FaultBody,
	FaultHandle,
	FaultKind,
	FaultMatch,
	FaultRule,
	RateLimitRule,
} from './faults';

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
	/** The status answered; 0 when no answer was sent (a `reset` or `hang` fault). */
	status: number;
	request_id: string;
	/** When the request arrived (Date.now(), ms), for pacing assertions. */
	receivedAt: number;
	/** Set when a fault rule or the rate limit shaped the answer. */
	fault?: FaultKind;
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
	/** Whether the account has VOIP (new users get a SIP device, a phone number is optional). Default true. */
	voip?: boolean;
	/**
	 * A rate limit that survives `reset()`, e.g. Exotel's { limit: 50, windowMs: 60000 }: fixed
	 * windows and the X-RateLimit-* headers, unless `headers: false`; `body` shapes the 429.
	 */
	rateLimit?: { limit: number; windowMs?: number; headers?: boolean; body?: FaultBody };
	/** Called once per request, after it was answered (or dropped); gets no body and no credentials. */
	onRequest?: (request: RecordedRequest) => void;
	/** The time (ms) for arrivals and rate-limit windows; default Date.now. Tests move it by hand. */
	now?: () => number;
}

export interface SandboxStats {
	total: number;
	/** Requests per answered status; 0 counts requests that got no answer. */
	byStatus: Record<number, number>;
	/** Requests per fault that shaped them. */
	byFault: Partial<Record<FaultKind, number>>;
	/** Arrival times (ms), in order, and the gaps between consecutive ones. */
	receivedAt: number[];
	gapsMs: number[];
}

interface Route {
	method: string;
	/** Segments below /v2/accounts/{sid}; `:name` captures a segment. */
	pattern: string[];
	handler: RouteHandler;
}

const UNPARSEABLE = failure(
	400,
	1007,
	'Request body could not be parsed',
	'The request body is not valid JSON',
);

export class ExotelSandbox {
	readonly requests: RecordedRequest[] = [];

	users = new Map<string, User>();

	/** Fault rules; cleared by `reset()`. */
	readonly faults = new Faults();

	private readonly salt = randomBytes(16).toString('hex');

	private readonly passwordHashes = new Map<string, string>();

	private readonly routes: Route[] = [];

	/** Timers of slow answers in progress, cancelled by `stop()`. */
	private readonly timers = new Set<NodeJS.Timeout>();

	private lastDeviceId = 0;

	private server?: Server;

	private address = '';

	constructor(readonly options: SandboxOptions) {
		this.reset();
		const store = this.store();
		for (const [method, pattern, handler] of USERS_API)
			this.route(method, pattern, (context) => handler(store, context));
	}

	/** Adds an endpoint (after the built-in ones, which win on a tie). */
	route(method: string, pattern: string, handler: RouteHandler): void {
		this.routes.push({ method, pattern: pattern.split('/'), handler });
	}

	/** Forgets recorded requests, passwords and fault rules, and restores the seeded users. */
	reset(): void {
		this.requests.length = 0;
		this.passwordHashes.clear();
		this.users = new Map(
			(this.options.users ?? seedUsers()).map((u) => [u.id, structuredClone(u)]),
		);
		const deviceIds = [...this.users.values()]
			.flatMap((u) => u.devices.map((d) => Number(d.id)))
			.filter(Number.isInteger);
		this.lastDeviceId = Math.max(0, ...deviceIds);
		this.faults.clear();
		if (this.options.rateLimit) this.faults.add({ kind: 'rate-limit', ...this.options.rateLimit });
	}

	get url(): string {
		return this.address;
	}

	/** A one-way, per-sandbox fingerprint of a password, as recorded in place of the password. */
	fingerprint(password: string): string {
		return (
			'sha256:' +
			createHash('sha256')
				.update(this.salt + password)
				.digest('hex')
		);
	}

	/** The fingerprint of the password last set on a device, if any. */
	passwordOf(userId: string, deviceId: string | number): string | undefined {
		return this.passwordHashes.get(`${userId}/${deviceId}`);
	}

	/** Counts over the recorded requests, optionally only those matching a route and/or user. */
	stats(filter: { route?: string; userId?: string } = {}): SandboxStats {
		const route = filter.route === undefined ? undefined : parseRoute(filter.route);
		const selected = this.requests.filter((r) => isTargeted(r, { userId: filter.userId, route }));
		const byStatus: Record<number, number> = {};
		const byFault: SandboxStats['byFault'] = {};
		for (const r of selected) {
			byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
			if (r.fault) byFault[r.fault] = (byFault[r.fault] ?? 0) + 1;
		}
		const receivedAt = selected.map((r) => r.receivedAt).sort((a, b) => a - b);
		return {
			total: selected.length,
			byStatus,
			byFault,
			receivedAt,
			gapsMs: receivedAt.slice(1).map((t, i) => t - receivedAt[i]),
		};
	}

	async start(): Promise<this> {
		this.server = await startHttpServer(
			(req, res) => void this.handle(req, res),
			this.options.port,
			this.options.host,
		);
		const { address, port } = this.server.address() as AddressInfo;
		this.address = `http://${address}:${port}`;
		return this;
	}

	/** Closes every connection, hung and slow ones included, so it returns promptly. */
	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		await stopHttpServer(server);
	}

	/**
	 * Answers a request in this process, without HTTP, as a request over the socket is answered
	 * (recorded, authenticated, rate-limited, status faults applied; reset, hang and slow faults
	 * need a socket and are not). For tests that send thousands of requests on a fake clock.
	 */
	answerInProcess(request: {
		method: string;
		url: string;
		authorization?: string;
		contentType?: string;
		body?: string;
	}): RawAnswer {
		const rawBody = request.body ?? '';
		const headers = { authorization: request.authorization, 'content-type': request.contentType };
		const { record, body, unparseable } = recordRequest(
			{ method: request.method, url: request.url, headers } as IncomingMessage,
			rawBody,
			this.options.now?.() ?? Date.now(),
			this,
		);
		const fault = this.faults.take(record);
		if (fault) record.fault = fault.kind;
		const answer =
			fault?.kind === 'status'
				? statusFaultAnswer(record, fault, request.authorization)
				: this.respond(record, rawBody, body, unparseable);
		record.status = answer.status;
		this.log(record);
		return answer;
	}

	/** The sandbox's state as the Users API handlers see it. */
	private store(): UserStore {
		const currentUsers = () => this.users;
		return {
			// A getter: reset() replaces the Map, and handlers must see the current one.
			get users() {
				return currentUsers();
			},
			voip: this.options.voip ?? true,
			passwordResponseData: this.options.passwordResponseData ?? 'null',
			nextDeviceId: () => ++this.lastDeviceId,
			setPassword: (userId, deviceId, password) =>
				this.passwordHashes.set(`${userId}/${deviceId}`, this.fingerprint(password)),
			forgetPasswords: (userId) => {
				for (const key of this.passwordHashes.keys())
					if (key.startsWith(`${userId}/`)) this.passwordHashes.delete(key);
			},
		};
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const receivedAt = this.options.now?.() ?? Date.now();
		let rawBody: string;
		try {
			rawBody = await readBody(req);
		} catch {
			return; // the client went away mid-request: there is no one to answer
		}
		const { record, body, unparseable } = recordRequest(req, rawBody, receivedAt, this);

		const fault = this.faults.take(record);
		if (fault) record.fault = fault.kind;
		switch (fault?.kind) {
			case 'status':
				return this.send(res, record, statusFaultAnswer(record, fault, req.headers.authorization));
			case 'reset':
			case 'hang':
				// With `processed`, the request takes effect and only the answer is lost.
				if (fault.processed) this.respond(record, rawBody, body, unparseable);
				record.status = 0;
				this.log(record);
				if (fault.kind === 'reset') req.socket.resetAndDestroy();
				// A hung request keeps its socket until the client gives up or stop() closes it.
				return;
			case 'slow':
				return this.dribble(res, record, this.respond(record, rawBody, body, unparseable), fault);
			default:
				return this.send(res, record, this.respond(record, rawBody, body, unparseable));
		}
	}

	/** Exotel's answer: body check, authentication, rate limit, then the route. */
	private respond(
		record: RecordedRequest,
		rawBody: string,
		body: unknown,
		unparseable: boolean,
	): RawAnswer {
		const envelope = (result: RouteResult, headers: Record<string, string> = {}): RawAnswer => ({
			status: result.status,
			headers: { 'Content-Type': JSON_CONTENT_TYPE, ...headers },
			body: renderEnvelope(record, result),
		});
		if (unparseable) return envelope(UNPARSEABLE);
		const denied = this.authenticate(record);
		if (denied) return envelope(denied);
		// Authenticated, so segments[2] is this account's SID: the limit is per account.
		const admission = this.faults.admit(
			record,
			record.segments[2],
			this.options.now?.() ?? Date.now(),
		);
		if (admission.refusal) {
			record.fault ??= 'rate-limit';
			return admission.refusal;
		}
		return envelope(this.dispatch(record, rawBody, body), admission.headers);
	}

	private authenticate(record: RecordedRequest): RouteResult | undefined {
		if (!record.auth || record.auth.username !== this.options.apiKey || !record.auth.tokenMatches) {
			return failure(
				401,
				1010,
				'Authorization failed',
				'Invalid API key or token for this account',
			);
		}
		const below = belowAccount(record.segments);
		if (!below) return notFound();
		if (record.segments[2] !== this.options.accountSid) {
			return failure(
				401,
				1010,
				'Authorization failed',
				'The credentials are not valid for this account',
			);
		}
		return undefined;
	}

	private dispatch(record: RecordedRequest, rawBody: string, body: unknown): RouteResult {
		const below = belowAccount(record.segments) ?? [];
		for (const route of this.routes) {
			if (route.method !== record.method) continue;
			const params = matchPattern(route.pattern, below);
			if (!params) continue;
			if (
				(record.method === 'PUT' || record.method === 'POST') &&
				rawBody.length > 0 &&
				!isJson(record.contentType)
			) {
				return failure(
					415,
					1011,
					'Unsupported content type',
					'Content-Type must be application/json',
				);
			}
			const context: RouteContext = { params, query: record.query, body, sandbox: this };
			try {
				return route.handler(context);
			} catch (error) {
				// A bug in a handler (a custom route's, say) answers as Exotel's own errors do, and stays visible.
				console.error('Exotel sandbox: route handler failed', error);
				return failure(500, 1004, 'Internal error', 'The sandbox could not handle this request');
			}
		}
		return notFound();
	}

	private log(record: RecordedRequest): void {
		this.requests.push(record);
		this.options.onRequest?.(record);
	}

	private send(res: ServerResponse, record: RecordedRequest, answer: RawAnswer): void {
		record.status = answer.status;
		this.log(record);
		res.writeHead(answer.status, answer.headers);
		res.end(answer.body);
	}

	/** A normal answer, its body sent in pieces spread over `durationMs`. */
	private dribble(
		res: ServerResponse,
		record: RecordedRequest,
		answer: RawAnswer,
		fault: SlowFault,
	): void {
		record.status = answer.status;
		this.log(record);
		const body = Buffer.from(answer.body);
		const pieces = Math.max(1, Math.min(body.length, 10));
		const size = Math.ceil(body.length / pieces);
		const later = (ms: number, action: () => void) => {
			const timer = setTimeout(() => {
				this.timers.delete(timer);
				if (!res.destroyed) action();
			}, ms);
			this.timers.add(timer);
		};
		later(fault.firstByteMs ?? 0, () => {
			res.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(body.length) });
			res.flushHeaders();
			const step = fault.durationMs / pieces;
			for (let i = 0; i < pieces; i++) {
				const chunk = body.subarray(i * size, (i + 1) * size);
				// The last piece goes out at durationMs, so the whole body takes that long.
				later(step * (i + 1), () => (i === pieces - 1 ? res.end(chunk) : res.write(chunk)));
			}
		});
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
