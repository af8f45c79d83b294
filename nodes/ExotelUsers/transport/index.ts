import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';
import { randomInt } from 'node:crypto';

import { listDataOf, metadataOf } from '../helpers/envelope';
import { translateExotelError, type ExotelErrorEnvelope, type FailedCall } from '../helpers/errors';
import { checkId } from '../helpers/ids';
import { hasFields, isJsonObject } from '../helpers/records';
import { SlidingWindowLimiter, type Clock } from '../helpers/pacing';
import { DEFAULT_RETRY_POLICY, decideRetry, isRetryable, type AttemptFailure, type RetryPolicy } from '../helpers/retry';
import { accountPath, baseUrlFor } from '../helpers/url';

export const CREDENTIAL_TYPE = 'exotelUsersApi';

export interface ExotelRequest {
	method: IHttpRequestMethods;
	/** Path below /v2/accounts/{sid}; each segment is percent-encoded. */
	path: Array<string | number>;
	body?: IDataObject;
	qs?: IDataObject;
	/** Values of this request that must never appear in an error (e.g. the new SIP password). */
	secrets?: string[];
	/**
	 * For a request that is not safe to repeat (a POST): after a failure that leaves open
	 * whether it took effect (5xx, no answer), finds out. Returns the result if it did, or
	 * undefined if it did not — then the request is retried. Without it, such a request is
	 * never retried after an ambiguous failure.
	 */
	recover?: () => Promise<IDataObject | undefined>;
	/** Hints for this request's errors by Exotel error code (see translateExotelError). */
	hints?: Record<string, string>;
}

/** How one execution talks to Exotel: retries, timeout and pacing, from the node's options. */
export interface TransportSettings {
	retry: RetryPolicy;
	timeoutMs?: number;
	/** Shared by every request of the execution, so the whole run stays under the limit. */
	limiter?: SlidingWindowLimiter;
	/** The credential's host, SID and token, read once per execution (n8n decrypts it on each read). */
	account?: Account;
}

interface Account {
	baseUrl: string;
	accountSid: string;
	token: string;
}

/** Exotel's limit is per minute; tests shrink the minute so pacing can be checked quickly. */
export const PACING = { windowMs: 60_000 };

const settingsByExecution = new WeakMap<object, TransportSettings>();

/** Called once per execution by the router, before any request. */
export function configureTransport(context: IExecuteFunctions, settings: TransportSettings): void {
	settingsByExecution.set(context, settings);
}

export function createLimiter(context: IExecuteFunctions, requestsPerMinute: number): SlidingWindowLimiter {
	return new SlidingWindowLimiter(requestsPerMinute, PACING.windowMs, clockOf(context));
}

function clockOf(context: ExotelContext): Clock {
	// A cancelled execution must not sit out a backoff or a pacing wait.
	const signal = 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
	return { now: () => Date.now(), sleep: async (ms, own) => await sleep(ms, own ?? signal) };
}

type ExotelContext = IExecuteFunctions | ILoadOptionsFunctions;

/**
 * Errors this module raises carry the envelope Exotel returned, so Continue On Fail can
 * pass it on. The envelope has been through the same redaction as the message.
 */
export class ExotelApiError extends NodeApiError {
	envelope?: ExotelErrorEnvelope;
}

/**
 * What the request helper's error says about the failure, read field by field. The error
 * itself — whose `cause` holds the request config with the Authorization header and the
 * body — is never passed on.
 */
export function readHelperError(error: unknown): AttemptFailure & { body?: unknown } {
	if (!hasFields(error)) return {};
	const cause = hasFields(error.cause) ? error.cause : undefined;
	const response = hasFields(cause?.response) ? cause.response : undefined;
	const context = hasFields(error.context) ? error.context : undefined;

	const status = Number(response?.status ?? error.httpCode);
	if (status >= 200 && status < 300) {
		// The answer started but was cut off (n8n reports "stream has been aborted" with the
		// status it had): as good as no answer, and worth another attempt.
		return { networkCode: 'ETRUNCATED' };
	}
	if (Number.isInteger(status) && status > 0) {
		return { status, body: response && 'data' in response ? response.data : context?.data };
	}
	// Nothing answered: n8n puts the socket's code (ECONNRESET, ECONNABORTED for a timeout…)
	// in httpCode, and axios in cause.code.
	const networkCode = [error.httpCode, cause?.code].find((c): c is string => typeof c === 'string' && /^E[A-Z_]+$/.test(c));
	return { networkCode };
}

async function resolveAccount(this: ExotelContext, itemIndex: number): Promise<Account> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE, itemIndex);
	const base = baseUrlFor(credentials);
	if (!base.ok) {
		throw new NodeOperationError(this.getNode(), `Exotel credential: ${base.problem}`, { itemIndex });
	}
	const sid = checkId(credentials.accountSid);
	if (!sid.ok) {
		throw new NodeOperationError(this.getNode(), `Exotel credential: Account SID ${sid.problem}`, { itemIndex });
	}
	const token = typeof credentials.apiToken === 'string' ? credentials.apiToken : '';
	return { baseUrl: base.url, accountSid: sid.id, token };
}

export function exotelApiError(
	node: INode,
	itemIndex: number,
	failure: FailedCall,
): ExotelApiError {
	const translated = translateExotelError(failure);
	const error = new ExotelApiError(node, (translated.envelope ?? {}) as JsonObject, {
		message: translated.message,
		description: translated.description,
		httpCode: translated.httpCode,
		itemIndex,
	});
	error.envelope = translated.envelope;
	return error;
}

/**
 * The one way this package talks to Exotel: builds the URL from the credential's region,
 * sends the request through n8n's authenticated helper — paced, and retried where that is
 * safe — and turns any failure into an error that names the status, Exotel's error code,
 * the request_id and the attempts made, and nothing secret.
 */
export async function exotelApiRequest(
	this: ExotelContext,
	itemIndex: number,
	request: ExotelRequest,
): Promise<IDataObject> {
	const settings: TransportSettings = settingsByExecution.get(this) ?? { retry: DEFAULT_RETRY_POLICY };
	settings.account ??= await resolveAccount.call(this, itemIndex);
	const { baseUrl, accountSid, token } = settings.account;
	const clock = clockOf(this);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: baseUrl + accountPath(accountSid, ...request.path),
		json: true,
	};
	if (request.body !== undefined) options.body = request.body;
	if (request.qs !== undefined) options.qs = request.qs;
	if (settings.timeoutMs !== undefined) options.timeout = settings.timeoutMs;

	const secrets = [token, ...(request.secrets ?? [])];
	const fail = (failure: FailedCall) =>
		exotelApiError(this.getNode(), itemIndex, {
			host: new URL(baseUrl).host,
			secrets,
			hints: request.hints,
			method: request.method,
			...failure,
		});

	for (let attempt = 1; ; attempt++) {
		const slot = await settings.limiter?.acquire();
		let outcome: Outcome;
		try {
			outcome = await sendOnce(this, options, settings.timeoutMs, clock);
		} finally {
			slot?.release();
		}
		if ('answer' in outcome) return outcome.answer;

		const failure = outcome.failure;
		if (failure.unexpected) throw fail({ ...failure, attempts: attempt });
		// A POST that failed without a clear "no" may have created something: ask before repeating it.
		if (request.method === 'POST' && failure.status !== 429 && isRetryable(failure)) {
			if (!request.recover) throw fail({ ...failure, attempts: attempt, stoppedBecause: 'it is not safe to repeat' });
			const recovered = await request.recover();
			if (recovered) return recovered;
		}
		const decision = decideRetry(failure, attempt, settings.retry, clock.now(), randomInt(1_000_000) / 1_000_000);
		if (!decision.retry) throw fail({ ...failure, attempts: attempt, stoppedBecause: decision.why });
		await clock.sleep(decision.waitMs);
	}
}

type Outcome = { answer: IDataObject } | { failure: AttemptFailure & { body?: unknown; unexpected?: boolean } };

/** Marks a request that outlived its deadline. */
const DEADLINE_PASSED = Symbol('deadline passed');

/** Why a deadline is called off; made once, as an abort without a reason builds an exception each time. */
const ANSWERED = new Error('answered before the deadline');

/**
 * One attempt. Every HTTP answer comes back as a full response — n8n's error objects differ
 * between versions (n8n 1.x drops the response headers, and with them Retry-After) — and
 * only a request that got no complete answer throws.
 */
async function sendOnce(context: ExotelContext, options: IHttpRequestOptions, timeoutMs: number | undefined, clock: Clock): Promise<Outcome> {
	const sent = context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, {
		...options,
		ignoreHttpStatusErrors: true,
		returnFullResponse: true,
	}) as Promise<unknown>;
	// n8n's timeout stops at the answer's headers; a body that trickles in must not hold the
	// item longer than the Timeout either.
	const deadline = new AbortController();
	const expired = timeoutMs === undefined ? undefined : clock.sleep(timeoutMs + 50, deadline.signal).then(() => DEADLINE_PASSED, () => undefined);
	let response: unknown;
	try {
		response = await (expired ? Promise.race([sent, expired]) : sent);
	} catch (error) {
		return { failure: readHelperError(error) };
	} finally {
		deadline.abort(ANSWERED);
	}
	if (response === DEADLINE_PASSED) {
		sent.catch(() => undefined); // it is abandoned; its eventual failure is of no interest
		return { failure: { networkCode: 'ETIMEDOUT' } };
	}
	const full = hasFields(response) ? response : {};
	const status = Number(full.statusCode);
	const body = full.body;
	if (status >= 200 && status < 300) {
		// n8n hands back a 2xx body it cannot parse as a string; a proxy's page is not Exotel's envelope.
		if (isJsonObject(body)) return { answer: body as IDataObject };
		return { failure: { status, body, unexpected: true } };
	}
	const headers = hasFields(full.headers) ? full.headers : {};
	const retryAfter = headers['retry-after'];
	return { failure: { status, body, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined } };
}

/** Exotel's largest page for list endpoints. */
export const MAX_PAGE_SIZE = 50;

/**
 * Pages through a list endpoint with offset and Exotel's largest page, until `max` records
 * are collected or `metadata.total` is reached. Returns the records in Exotel's order.
 */
export async function exotelApiRequestAllPages(
	this: ExotelContext,
	itemIndex: number,
	request: Omit<ExotelRequest, 'method'>,
	max = Number.POSITIVE_INFINITY,
): Promise<IDataObject[]> {
	const records: IDataObject[] = [];
	for (let offset = 0; records.length < max; ) {
		const limit = Math.min(MAX_PAGE_SIZE, max - records.length);
		const envelope = await exotelApiRequest.call(this, itemIndex, {
			...request,
			method: 'GET',
			qs: { ...request.qs, offset, limit },
		});
		const page = listDataOf(envelope);
		records.push(...page.slice(0, max - records.length));
		offset += page.length;
		const total = metadataOf(envelope)?.total;
		// Without metadata, a short page is the last one.
		if (page.length === 0 || (total !== undefined ? offset >= total : page.length < limit)) break;
	}
	return records;
}
