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

/**
 * What a faulty answer's body looks like: Exotel's envelope, its older RestException shape
 * (its rate-limiting page's 429 example), or what a proxy might send — 'echo-authorization'
 * is a proxy's text page that repeats the request's Authorization header.
 */
export type FaultBody =
	| 'envelope'
	| 'rest-exception'
	| 'empty'
	| 'html'
	| 'malformed-json'
	| 'text'
	| 'echo-authorization';

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

/**
 * At most `limit` requests per window per account; beyond it, 429. With `headers` (the
 * default), as Exotel documents it: fixed windows aligned to the epoch, and every answer to a
 * matching request — success or failure — carries X-RateLimit-Limit, X-RateLimit-Remaining and
 * X-RateLimit-Reset (epoch seconds when the window ends; fractional for a window shorter than
 * a second's multiple). With `headers: false`, the sandbox's older rolling window and no
 * rate-limit headers: an account whose answers say nothing.
 */
export interface RateLimitRule extends FaultMatch, BodyShape {
	kind: 'rate-limit';
	limit: number;
	/** Default 60000 (Exotel's limits are per minute). */
	windowMs?: number;
	/** Send Retry-After (seconds until a slot frees, rounded up). Default true. */
	retryAfter?: boolean;
	/** Fixed windows and the X-RateLimit-* headers. Default true. */
	headers?: boolean;
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

/** What the rate limits say about one request: the 429 to send instead, and the headers for the answer. */
export interface Admission {
	refusal?: RawAnswer;
	headers: Record<string, string>;
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
		const entry = this.entries.find(
			(e) => e.rule.kind !== 'rate-limit' && e.remaining > 0 && e.matches(request),
		);
		if (!entry) return undefined;
		entry.hits++;
		entry.remaining--;
		return entry.rule as Exclude<FaultRule, RateLimitRule>;
	}

	/**
	 * Rate limits, for an authenticated request to `account`: the 429 to send if it does not fit
	 * every matching limit (else it counts against each), and the rate-limit headers for its
	 * answer. Refused requests do not count, so a client that waits Retry-After seconds does
	 * get through.
	 */
	admit(request: FaultTarget, account: string, now: number): Admission {
		const limits = this.entries.filter((e) => e.rule.kind === 'rate-limit' && e.matches(request));
		let refusal: { entry: Entry; waitMs: number } | undefined;
		for (const entry of limits) {
			const rule = entry.rule as RateLimitRule;
			const windowMs = rule.windowMs ?? 60_000;
			// A fixed window keeps the arrivals since it started; a rolling one those of the last windowMs.
			const since =
				rule.headers === false ? now - windowMs : Math.floor(now / windowMs) * windowMs - 1;
			const recent = (entry.admitted.get(account) ?? []).filter((t) => t > since);
			entry.admitted.set(account, recent);
			if (recent.length < rule.limit) continue;
			// Rolling: the oldest admitted request leaves the window at recent[0] + windowMs. Fixed: the window ends.
			const waitMs =
				rule.headers === false ? recent[0] + windowMs - now : since + 1 + windowMs - now;
			if (!refusal || waitMs > refusal.waitMs) refusal = { entry, waitMs };
		}
		if (!refusal) for (const entry of limits) entry.admitted.get(account)!.push(now);
		const headers = rateLimitHeaders(limits, account, now);
		if (!refusal) return { headers };
		refusal.entry.hits++;
		const rule = refusal.entry.rule as RateLimitRule;
		const answer = faultAnswer(request, {
			status: 429,
			body: rule.body,
			contentType: rule.contentType,
			retryAfter:
				rule.retryAfter === false ? undefined : Math.max(1, Math.ceil(refusal.waitMs / 1000)),
			errorCode: rule.body === 'rest-exception' ? undefined : 429,
			description: `More than ${rule.limit} requests in ${(rule.windowMs ?? 60_000) / 1000} s for this account`,
		});
		return { refusal: { ...answer, headers: { ...answer.headers, ...headers } }, headers };
	}
}

/** The X-RateLimit-* headers of the tightest matching limit that sends them (the one with the least left). */
function rateLimitHeaders(limits: Entry[], account: string, now: number): Record<string, string> {
	let tightest: Record<string, string> | undefined;
	let least = Number.POSITIVE_INFINITY;
	for (const entry of limits) {
		const rule = entry.rule as RateLimitRule;
		if (rule.headers === false) continue;
		const windowMs = rule.windowMs ?? 60_000;
		const remaining = Math.max(0, rule.limit - (entry.admitted.get(account)?.length ?? 0));
		if (remaining >= least) continue;
		least = remaining;
		const resetMs = (Math.floor(now / windowMs) + 1) * windowMs;
		tightest = {
			'X-RateLimit-Limit': String(rule.limit),
			'X-RateLimit-Remaining': String(remaining),
			'X-RateLimit-Reset':
				resetMs % 1000 === 0 ? String(resetMs / 1000) : (resetMs / 1000).toFixed(3),
		};
	}
	return tightest ?? {};
}

/** The answer a status fault sends; `authorization` is the request's header, for a proxy that echoes it. */
export function statusFaultAnswer(
	request: FaultTarget,
	rule: StatusFault,
	authorization?: string,
): RawAnswer {
	return faultAnswer(request, rule, authorization);
}

function faultAnswer(
	request: FaultTarget,
	shape: BodyShape & {
		status: number;
		retryAfter?: number | Date | string;
		errorCode?: number;
		description?: string;
	},
	authorization?: string,
): RawAnswer {
	const { status } = shape;
	const reason = STATUS_CODES[status] ?? 'Error';
	const headers: Record<string, string> = {};
	if (shape.retryAfter !== undefined) {
		headers['Retry-After'] =
			shape.retryAfter instanceof Date ? shape.retryAfter.toUTCString() : String(shape.retryAfter);
	}
	const envelope = () =>
		renderEnvelope(
			request,
			failure(
				status,
				shape.errorCode ?? (status === 500 ? 1004 : status),
				status === 500 ? 'Internal error' : reason,
				shape.description ?? reason,
			),
		);
	const bodies: Record<FaultBody, () => [string, string]> = {
		envelope: () => [JSON_CONTENT_TYPE, envelope()],
		// Exotel's rate-limiting page's example of a 429.
		'rest-exception': () => [
			JSON_CONTENT_TYPE,
			JSON.stringify({
				RestException: {
					Status: status,
					Message: status === 429 ? 'Too Many Requests' : reason,
					Code: status === 429 ? 'RATE_LIMIT_EXCEEDED' : String(status),
					MoreInfo: shape.description ?? reason,
				},
			}),
		],
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
		// A careless proxy's error page, repeating the request's headers.
		'echo-authorization': () => [
			'text/plain; charset=utf-8',
			`${status} ${reason}: upstream refused the request with Authorization: ${authorization ?? ''}`,
		],
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
	if ('times' in rule && rule.times !== undefined && !positiveInteger(rule.times))
		fail('times must be a whole number ≥ 1');
	switch (rule.kind) {
		case 'status':
			if (!Number.isInteger(rule.status) || rule.status < 100 || rule.status > 599)
				fail('status must be an HTTP status');
			break;
		case 'slow':
			if (!(rule.durationMs >= 0) || (rule.firstByteMs !== undefined && !(rule.firstByteMs >= 0)))
				fail('durations must be ≥ 0');
			break;
		case 'rate-limit':
			if (!positiveInteger(rule.limit)) fail('limit must be a whole number ≥ 1');
			if (rule.windowMs !== undefined && !positiveInteger(rule.windowMs))
				fail('windowMs must be a whole number ≥ 1');
			break;
		case 'reset':
		case 'hang':
			break;
		default:
			fail('unknown kind');
	}
}
