/* eslint-disable @n8n/community-nodes/no-restricted-imports -- not shipped: linted by eslint.support.config.mjs */
/**
 * Fault injection for retry, timeout and rate-limit tests: rules that make the sandbox
 * misbehave the way Exotel, or something in front of it, can.
 *
 *   sandbox.faults.add({ kind: 'status', status: 503, times: 2 });            // the next 2 requests get 503
 *   sandbox.faults.add({ kind: 'status', status: 429, retryAfter: 1, route: 'PUT users/:userId/devices/:deviceId/password' });
 *   sandbox.faults.add({ kind: 'reset', userId: ASHA, times: 1 });           // drop Asha's next request
 *   sandbox.faults.add({ kind: 'rate-limit', limit: 5, windowMs: 1000 });   // 5 requests per rolling second
 *
 * Rules are kept in the order added. A request takes the first matching rule of kinds
 * status/reset/hang/slow (spending one of its `times`); those act like a gateway in front of
 * Exotel, before authentication. Rate limits act behind authentication, like Exotel's own
 * per-account limit, and a request must fit every matching one.
 */
import { STATUS_CODES } from 'node:http';

import {
	failure,
	isTargeted,
	JSON_CONTENT_TYPE,
	parseRoute,
	renderEnvelope,
	type RawAnswer,
	type RouteSpec,
} from './protocol';

export type FaultKind = 'status' | 'reset' | 'hang' | 'slow' | 'rate-limit';

/** What a faulty answer's body looks like: Exotel's envelope, or what a proxy might send. */
export type FaultBody = 'envelope' | 'empty' | 'html' | 'malformed-json' | 'text';

/** Which requests a rule applies to; with neither field, every request. */
export interface FaultMatch {
	/** Requests about this user: the path segment after `users/`. */
	userId?: string;
	/** 'METHOD pattern' or 'pattern' (any method), below /v2/accounts/{sid}, e.g. 'PUT users/:userId/devices/:deviceId/password'. */
	route?: string;
}

interface Counted {
	/** Apply to the next N matching requests only; default: every one. */
	times?: number;
}

interface BodyShape {
	/** Default 'envelope'. */
	body?: FaultBody;
	/** Overrides the Content-Type the body would get (e.g. 'text/html' on an envelope). */
	contentType?: string;
}

/** Answer with this status instead of handling the request. */
export interface StatusFault extends FaultMatch, Counted, BodyShape {
	kind: 'status';
	status: number;
	/** Retry-After: seconds (a number), an HTTP date (a Date), or a raw header value. */
	retryAfter?: number | Date | string;
	/** error_data.code in an envelope body; default 1004 for 500, else the HTTP status (Exotel documents none). */
	errorCode?: number;
}

/** Close the connection with a TCP reset, sending nothing. */
export interface ResetFault extends FaultMatch, Counted {
	kind: 'reset';
	/** Handle the request first (its effects happen), then drop the answer. Default false. */
	processed?: boolean;
}

/** Never answer; the client must time out. `stop()` still closes such connections at once. */
export interface HangFault extends FaultMatch, Counted {
	kind: 'hang';
	/** Handle the request first (its effects happen), then never answer. Default false. */
	processed?: boolean;
}

/** Answer normally, but spread the body over `durationMs`. */
export interface SlowFault extends FaultMatch, Counted {
	kind: 'slow';
	durationMs: number;
	/** Wait this long before sending the status line and headers too. Default 0. */
	firstByteMs?: number;
}

/** At most `limit` requests per rolling `windowMs` per account; beyond it, 429. */
export interface RateLimitRule extends FaultMatch, BodyShape {
	kind: 'rate-limit';
	limit: number;
	/** Default 60000 (Exotel's limits are per minute). */
	windowMs?: number;
	/** Send Retry-After (seconds until a slot frees, rounded up). Default true. */
	retryAfter?: boolean;
}

export type FaultRule = StatusFault | ResetFault | HangFault | SlowFault | RateLimitRule;

/** A rule's live state, returned by `add`. */
export interface FaultHandle {
	readonly rule: FaultRule;
	/** Requests the rule has acted on (for a rate limit: requests it refused). */
	readonly hits: number;
	/** Requests it will still act on; Infinity when unlimited. */
	readonly remaining: number;
	remove(): void;
}

/** The parts of a recorded request a rule looks at. */
export interface FaultTarget {
	method: string;
	segments: string[];
	request_id: string;
}

class Entry implements FaultHandle {
	hits = 0;

	remaining: number;

	readonly route?: RouteSpec;

	/** Rate limits only: arrival times of admitted requests, per account. */
	readonly admitted = new Map<string, number[]>();

	constructor(
		readonly rule: FaultRule,
		private readonly owner: Faults,
	) {
		this.route = rule.route === undefined ? undefined : parseRoute(rule.route);
		this.remaining = 'times' in rule && rule.times !== undefined ? rule.times : Infinity;
	}

	matches(request: FaultTarget): boolean {
		return isTargeted(request, { userId: this.rule.userId, route: this.route });
	}

	remove(): void {
		this.owner.remove(this);
	}
}

export class Faults {
	private entries: Entry[] = [];

	add(rule: FaultRule): FaultHandle {
		checkRule(rule);
		const entry = new Entry(rule, this);
		this.entries.push(entry);
		return entry;
	}

	/** Removes every rule, rate limits included (and their history). */
	clear(): void {
		this.entries = [];
	}

	remove(handle: FaultHandle): void {
		this.entries = this.entries.filter((e) => e !== handle);
	}

	/** The rules still in force. */
	get active(): readonly FaultHandle[] {
		return this.entries.filter((e) => e.remaining > 0);
	}

	/** The gateway-level fault for this request, if any, spending one of its `times`. */
	take(request: FaultTarget): Exclude<FaultRule, RateLimitRule> | undefined {
		const entry = this.entries.find((e) => e.rule.kind !== 'rate-limit' && e.remaining > 0 && e.matches(request));
		if (!entry) return undefined;
		entry.hits++;
		entry.remaining--;
		return entry.rule as Exclude<FaultRule, RateLimitRule>;
	}

	/**
	 * Rate limits, for an authenticated request to `account`: undefined if it fits every
	 * matching limit (it then counts against each), else the 429 to send. Refused requests
	 * do not count, so a client that waits Retry-After seconds does get through.
	 */
	admit(request: FaultTarget, account: string, now: number): RawAnswer | undefined {
		const limits = this.entries.filter((e) => e.rule.kind === 'rate-limit' && e.matches(request));
		let refusal: { entry: Entry; waitMs: number } | undefined;
		for (const entry of limits) {
			const rule = entry.rule as RateLimitRule;
			const windowMs = rule.windowMs ?? 60_000;
			const recent = (entry.admitted.get(account) ?? []).filter((t) => t > now - windowMs);
			entry.admitted.set(account, recent);
			if (recent.length < rule.limit) continue;
			// The oldest admitted request leaves the window at recent[0] + windowMs; that frees a slot.
			const waitMs = recent[0] + windowMs - now;
			if (!refusal || waitMs > refusal.waitMs) refusal = { entry, waitMs };
		}
		if (refusal) {
			refusal.entry.hits++;
			const rule = refusal.entry.rule as RateLimitRule;
			return faultAnswer(request, {
				status: 429,
				body: rule.body,
				contentType: rule.contentType,
				retryAfter: rule.retryAfter === false ? undefined : Math.max(1, Math.ceil(refusal.waitMs / 1000)),
				description: `More than ${rule.limit} requests in ${(rule.windowMs ?? 60_000) / 1000} s for this account`,
			});
		}
		for (const entry of limits) entry.admitted.get(account)!.push(now);
		return undefined;
	}
}

/** The answer a status fault sends. */
export function statusFaultAnswer(request: FaultTarget, rule: StatusFault): RawAnswer {
	return faultAnswer(request, rule);
}

function faultAnswer(
	request: FaultTarget,
	shape: BodyShape & { status: number; retryAfter?: number | Date | string; errorCode?: number; description?: string },
): RawAnswer {
	const { status } = shape;
	const reason = STATUS_CODES[status] ?? 'Error';
	const headers: Record<string, string> = {};
	if (shape.retryAfter !== undefined) {
		headers['Retry-After'] = shape.retryAfter instanceof Date ? shape.retryAfter.toUTCString() : String(shape.retryAfter);
	}
	const envelope = () =>
		renderEnvelope(
			request,
			failure(status, shape.errorCode ?? (status === 500 ? 1004 : status), status === 500 ? 'Internal error' : reason, shape.description ?? reason),
		);
	const bodies: Record<FaultBody, () => [string, string]> = {
		envelope: () => [JSON_CONTENT_TYPE, envelope()],
		// An empty body that still claims to be JSON: the case a careless client trips on.
		empty: () => [JSON_CONTENT_TYPE, ''],
		html: () => [
			'text/html',
			`<html><head><title>${status} ${reason}</title></head><body><center><h1>${status} ${reason}</h1></center><hr><center>nginx</center></body></html>`,
		],
		// The envelope cut off mid-way, as a dropped proxy stream delivers it.
		'malformed-json': () => {
			const whole = envelope();
			return [JSON_CONTENT_TYPE, whole.slice(0, Math.floor(whole.length / 2))];
		},
		text: () => ['text/plain; charset=utf-8', `${status} ${reason}`],
	};
	const [contentType, body] = bodies[shape.body ?? 'envelope']();
	headers['Content-Type'] = shape.contentType ?? contentType;
	return { status, headers, body };
}

/** Refuses a rule that could not mean what its author hoped, at the line that added it. */
function checkRule(rule: FaultRule): void {
	const positiveInteger = (value: unknown) => Number.isInteger(value) && (value as number) > 0;
	const fail = (problem: string) => {
		throw new TypeError(`Fault rule ${JSON.stringify(rule)}: ${problem}`);
	};
	if (rule.route !== undefined) parseRoute(rule.route);
	if ('times' in rule && rule.times !== undefined && !positiveInteger(rule.times)) fail('times must be a whole number ≥ 1');
	switch (rule.kind) {
		case 'status':
			if (!Number.isInteger(rule.status) || rule.status < 100 || rule.status > 599) fail('status must be an HTTP status');
			break;
		case 'slow':
			if (!(rule.durationMs >= 0) || (rule.firstByteMs !== undefined && !(rule.firstByteMs >= 0))) fail('durations must be ≥ 0');
			break;
		case 'rate-limit':
			if (!positiveInteger(rule.limit)) fail('limit must be a whole number ≥ 1');
			if (rule.windowMs !== undefined && !positiveInteger(rule.windowMs)) fail('windowMs must be a whole number ≥ 1');
			break;
		case 'reset':
		case 'hang':
			break;
		default:
			fail('unknown kind');
	}
}
