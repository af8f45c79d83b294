/**
 * One attempt: a request through n8n's authenticated helper, and what came back. Every HTTP
 * answer comes back as a full response — n8n's error objects differ between versions (n8n 1.x
 * drops the response headers, and with them Retry-After) — and only a request that got no
 * complete answer throws inside the helper.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';

import { envelopeFailure } from '../envelope';
import { hasFields, isJsonObject } from '../records';
import { withCancelSignal } from './cancelSignal';
import type { Clock } from './pacing/clock';
import { readRateLimitHeaders, type RateLimitHeaders } from './pacing/headerBudget';
import type { AttemptFailure } from './retry';

export const CREDENTIAL_TYPE = 'exotelUsersApi';

export type ExotelContext = IExecuteFunctions | ILoadOptionsFunctions;

export type AttemptFailureWithBody = AttemptFailure & { body?: unknown };

/** What came back from one attempt, and Exotel's rate-limit headers on it (success or failure). */
export type Outcome = ({ answer: IDataObject } | { failure: AttemptFailureWithBody }) & {
	rateLimit?: RateLimitHeaders;
};

/**
 * What the request helper's error says about the failure, read field by field. The error
 * itself — whose `cause` holds the request config with the Authorization header and the
 * body — is never passed on.
 */
export function readHelperError(error: unknown): AttemptFailureWithBody {
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
	const networkCode = [error.httpCode, cause?.code].find(
		(c): c is string => typeof c === 'string' && /^E[A-Z_]+$/.test(c),
	);
	return { networkCode };
}

/** Marks a request that outlived its deadline. */
const DEADLINE_PASSED = Symbol('deadline passed');

/** Why a deadline is called off; made once, as an abort without a reason builds an exception each time. */
const ANSWERED = new Error('answered before the deadline');

/**
 * @param cancel a signal that cancels this request in place of the execution's (a rollback
 * that must go out after a Stop); by default n8n's own, where n8n applies one
 */
export async function sendOnce(
	context: ExotelContext,
	options: IHttpRequestOptions,
	timeoutMs: number,
	clock: Clock,
	cancel?: AbortSignal,
): Promise<Outcome> {
	const caller = cancel ? withCancelSignal(context, cancel) : context;
	const sent = context.helpers.httpRequestWithAuthentication.call(caller, CREDENTIAL_TYPE, {
		...options,
		timeout: timeoutMs,
		ignoreHttpStatusErrors: true,
		returnFullResponse: true,
	}) as Promise<unknown>;
	// n8n's timeout stops at the answer's headers; a body that trickles in must not hold the
	// item longer than the Timeout either.
	const deadline = new AbortController();
	const expired = clock.sleep(timeoutMs + 50, deadline.signal).then(
		() => DEADLINE_PASSED,
		() => undefined,
	);
	let response: unknown;
	try {
		response = await Promise.race([sent, expired]);
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
	const headers = hasFields(full.headers) ? full.headers : {};
	const rateLimit = readRateLimitHeaders(headers);
	if (status >= 200 && status < 300) {
		// n8n hands back a 2xx body it cannot parse as a string; a proxy's page is not Exotel's envelope.
		if (!isJsonObject(body)) return { failure: { status, body, unexpected: true }, rateLimit };
		// A 2xx is not success by itself: the envelope says whether Exotel carried the request out.
		const failed = envelopeFailure(body);
		if (!failed) return { answer: body, rateLimit };
		return {
			failure: {
				status: failed.status ?? status,
				body,
				envelopeFailed: true,
				records: failed.records,
			},
			rateLimit,
		};
	}
	const retryAfter = headers['retry-after'];
	return {
		failure: { status, body, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined },
		rateLimit,
	};
}
