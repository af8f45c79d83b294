/**
 * Turns whatever came back from a failed Exotel call into a message a workflow builder can
 * act on. Pure: it sees only the HTTP status, the response body and a network error code —
 * never the request — so it cannot put a token or a password into an error by accident.
 */

import { isJsonObject } from '../records';
import { leavesOpen, type StopReason } from './retry';

export interface ExotelErrorData {
	code?: number | string;
	message?: string;
	description?: string;
}

/** The envelope fields Exotel returned with an error, passed on to the error output. */
export interface ExotelErrorEnvelope {
	request_id?: string;
	http_code?: number;
	response?: unknown;
}

/** Hints an operation gives for its own request, where it knows more than the general ones. */
export interface ErrorHints {
	/** By Exotel error code. */
	codes?: Record<string, string>;
	/** For a request that is not idempotent, when the failure leaves open whether it took effect. */
	unsure?: string;
	/**
	 * For a request that is idempotent, in place of "The request is safe to retry." (empty: say
	 * nothing) — where the request is one step of several, repeating it alone may not be safe.
	 */
	repeat?: string;
}

export interface FailedCall {
	/** HTTP status, when Exotel (or something in between) answered. */
	status?: number;
	/** The response body: parsed JSON, text, or nothing. */
	body?: unknown;
	/** A Node.js network error code such as ECONNREFUSED, when nothing answered. */
	networkCode?: string;
	/** Host the request went to, for network errors. */
	host?: string;
	/** Strings that must never appear in the result (token, passwords). */
	secrets?: string[];
	/** A 2xx answer that was not Exotel's JSON envelope. */
	unexpected?: boolean;
	/** A 2xx answer whose envelope reports a failure. */
	envelopeFailed?: boolean;
	/** A list answer with failed records: how many, of how many. */
	records?: { failed: number; total: number };
	/** Whether repeating the request is harmless (the default); one that is not may or may not have taken effect. */
	idempotent?: boolean;
	hints?: ErrorHints;
	/** How many times the request was sent in all. */
	attempts?: number;
	/** Why no further attempt was made. */
	stop?: StopReason;
}

export interface TranslatedError {
	message: string;
	description: string;
	httpCode?: string;
	envelope?: ExotelErrorEnvelope;
}

const STATUS_TEXT: Record<number, string> = {
	400: 'Bad Request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	405: 'Method Not Allowed',
	409: 'Conflict',
	415: 'Unsupported Media Type',
	429: 'Too Many Requests',
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
	504: 'Gateway Timeout',
};

/**
 * Hints for Exotel codes any operation can meet, whose fix is more specific than their status
 * class. Codes only one operation meets have their hint in that operation (ErrorHints.codes).
 */
const CODE_HINTS: Record<string, string> = {
	'10801':
		'No user with this ID exists in this account. Check the user ID (or find the user By Email or From List), and that the credential’s region is the account’s region.',
	'10814': 'The account’s KYC is incomplete. Complete it in the Exotel dashboard, then run again.',
	'10815': 'Trial accounts cannot do this. Upgrade the account or contact Exotel support.',
};

/** For a request that is not idempotent and whose operation gives no more specific advice. */
const UNSURE_IF_DONE = 'It may or may not have been carried out: check before running it again.';

/** What to say about repeating a request after a failure that may pass (5xx, no answer). */
function repeatAdvice(call: FailedCall): string {
	if (call.idempotent === false && leavesOpen(call)) return call.hints?.unsure ?? UNSURE_IF_DONE;
	return call.hints?.repeat ?? 'The request is safe to retry.';
}

/**
 * Why a request was not tried again, as the error description says it; undefined where the
 * message says enough (a final answer, or "gave up after N attempts").
 */
export function stopText(stop: StopReason): string | undefined {
	switch (stop.kind) {
		case 'final':
		case 'attempts-used':
			return undefined;
		case 'retries-off':
			return 'retries are off';
		case 'wait-too-long':
			return `Exotel asked to wait ${Math.ceil(stop.askedMs / 1000)} s, longer than the longest wait allowed (${Math.round(stop.maxMs / 1000)} s)`;
		case 'unsafe-to-repeat':
			return 'it is not safe to repeat';
	}
}

const sentences = (...parts: string[]) => parts.filter((part) => part !== '').join(' ');

function statusHint(status: number, call: FailedCall): string {
	if (status === 400)
		return 'Exotel rejected a value in the request. Correct the value it names and run again.';
	if (status === 401) {
		return 'Check the API key, API token and account SID in the Exotel credential, and that its region (Singapore or Mumbai) is the one the account lives in: a wrong region also answers 401.';
	}
	if (status === 403)
		return 'The credentials are valid, but Exotel does not allow this action for this account or device.';
	if (status === 404) {
		return 'The user or device ID does not exist in this account and region. Check both IDs (Get user lists a user’s devices), and that the credential’s region matches the account.';
	}
	if (status === 409)
		return 'The request conflicts with the current state of the user or device in Exotel.';
	if (status === 415)
		return 'Exotel expects a JSON body. This is a bug in the node: please report it.';
	if (status === 429) {
		return 'Exotel’s rate limit for this account was reached (it is shared by every workflow and every n8n worker using the account). Wait a minute and run again, or send fewer requests a minute.';
	}
	if (status >= 500) {
		return sentences(
			'This is a failure on Exotel’s side.',
			repeatAdvice(call),
			'If it persists, quote the request_id to Exotel support.',
		);
	}
	return 'Exotel did not accept the request.';
}

function text(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	if (typeof value === 'number') return String(value);
	return undefined;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces every secret found in a text, in any letter case (Exotel, or a proxy, may echo
 * input back, and may change its case on the way). Secrets shorter than 4 characters are
 * not looked for: they would match ordinary text. Every occurrence of every secret is found
 * first, overlapping ones included, and the text they cover goes as one: replacing one
 * secret must not leave part of another (an encoding that overlaps it) in the text.
 */
export function redact(value: string, secrets: string[] = []): string {
	// Every answer passes through here: look first, and build a pattern only for a secret that is there.
	const lower = value.toLowerCase();
	const found = new Set(
		secrets.filter((secret) => secret.length >= 4 && lower.includes(secret.toLowerCase())),
	);
	if (found.size === 0) return value;
	const spans: Array<[start: number, end: number]> = [];
	for (const secret of found) {
		const pattern = new RegExp(escapeRegExp(secret), 'gi');
		for (let match = pattern.exec(value); match; match = pattern.exec(value)) {
			spans.push([match.index, match.index + match[0].length]);
			pattern.lastIndex = match.index + 1;
		}
	}
	spans.sort((a, b) => a[0] - b[0]);
	let result = '';
	let at = 0;
	for (let i = 0; i < spans.length; ) {
		const start = spans[i][0];
		let end = spans[i][1];
		for (i++; i < spans.length && spans[i][0] <= end; i++) end = Math.max(end, spans[i][1]);
		result += value.slice(at, start) + '[redacted]';
		at = end;
	}
	return result + value.slice(at);
}

/** The same for a JSON value: Exotel's envelope is passed on to the error output and to the items. */
export function redactJson<T>(value: T, secrets: string[] = []): T {
	if (value === undefined) return value;
	const json = JSON.stringify(value);
	const cleaned = redact(
		json,
		secrets.map((s) => JSON.stringify(s).slice(1, -1)),
	);
	return cleaned === json ? value : (JSON.parse(cleaned) as T);
}

/** Reads error_data out of a v2 envelope, a list envelope, or Exotel's older RestException shape. */
export function exotelErrorData(body: unknown): ExotelErrorData | undefined {
	if (!isJsonObject(body)) return undefined;
	// For a list, the first record that carries error details.
	const response = Array.isArray(body.response)
		? body.response.find((item) => isJsonObject(item) && isJsonObject(item.error_data))
		: body.response;
	if (isJsonObject(response) && isJsonObject(response.error_data)) {
		const data = response.error_data;
		return {
			code: text(data.code),
			message: text(data.message),
			description: text(data.description),
		};
	}
	if (isJsonObject(body.RestException)) {
		const rest = body.RestException;
		return {
			code: text(rest.Code ?? rest.Status),
			message: text(rest.Message),
			description: text(rest.MoreInfo),
		};
	}
	return undefined;
}

function envelopeOf(body: unknown): ExotelErrorEnvelope | undefined {
	if (!isJsonObject(body) || !('response' in body || 'request_id' in body)) return undefined;
	const envelope: ExotelErrorEnvelope = {};
	if (typeof body.request_id === 'string') envelope.request_id = body.request_id;
	if (typeof body.http_code === 'number') envelope.http_code = body.http_code;
	if ('response' in body) envelope.response = body.response;
	return envelope;
}

function bodySummary(body: unknown, secrets: string[]): string {
	if (body === undefined || body === null || body === '') return 'an empty body';
	if (typeof body === 'string') {
		if (/^\s*</.test(body)) return 'an HTML page instead of JSON';
		// Redacted before it is cut short: a secret cut in two would no longer be found.
		const firstLine = redact(body.trim(), secrets).split('\n')[0].slice(0, 120);
		return `a non-JSON body ("${firstLine}")`;
	}
	return 'a body without Exotel’s error details';
}

const NETWORK_TEXT: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ECONNRESET: 'the connection was reset',
	ETIMEDOUT: 'the request timed out',
	ETRUNCATED: 'the answer was cut off',
	ECONNABORTED: 'the request timed out',
	ENOTFOUND: 'the host name could not be resolved',
	EAI_AGAIN: 'the host name could not be resolved',
	EPIPE: 'the connection was closed',
	ERR_CANCELED: 'the request was cancelled (the execution was stopped)',
};

export function translateExotelError(call: FailedCall): TranslatedError {
	const translated = translateAnswer(call);
	if (call.attempts !== undefined && call.attempts > 1)
		translated.message += `; gave up after ${call.attempts} attempts`;
	const stopped = call.stop && stopText(call.stop);
	if (stopped)
		translated.description = redact(
			`Not retried: ${stopped}. ${translated.description}`,
			call.secrets ?? [],
		);
	return translated;
}

function translateAnswer(call: FailedCall): TranslatedError {
	const secrets = call.secrets ?? [];

	if (call.status === undefined) {
		const what = (call.networkCode && NETWORK_TEXT[call.networkCode]) || 'no answer came back';
		// The code goes in the description: n8n swaps any message that contains one for its own generic text.
		const code = call.networkCode ? `Network error ${call.networkCode}. ` : '';
		return {
			message: redact(
				`Could not reach Exotel${call.host ? ` at ${call.host}` : ''}: ${what}`,
				secrets,
			),
			description: sentences(
				`${code}Check the network and the credential’s region (or base URL).`,
				repeatAdvice(call),
			),
		};
	}

	const status = call.status;
	if (call.unexpected) {
		return {
			message: redact(
				`Exotel answered ${status} with ${bodySummary(call.body, secrets)}, not its JSON envelope`,
				secrets,
			),
			description:
				'Something between n8n and Exotel (a proxy, or a wrong base URL) answered instead of Exotel. Check the credential’s region or base URL.',
			httpCode: String(status),
		};
	}
	const statusText = STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : '';
	const data = exotelErrorData(call.body);
	const envelope = redactJson(envelopeOf(call.body), secrets);

	const parts: string[] = [`Exotel answered ${status}${statusText}`];
	if (call.records)
		parts[0] = `Exotel answered with ${call.records.failed} of ${call.records.total} records failed`;
	else if (call.envelopeFailed)
		parts[0] = `Exotel’s answer reports a failure (${status}${statusText})`;
	if (data && (data.code || data.message)) {
		parts[0] += ` (${[data.code && `error ${data.code}`, data.message].filter(Boolean).join(': ')})`;
	}
	parts[0] += data?.description
		? `: ${data.description}`
		: data?.message
			? ''
			: ` with ${bodySummary(call.body, secrets)}`;
	if (envelope?.request_id) parts.push(`[request_id ${envelope.request_id}]`);

	const code = data?.code === undefined ? undefined : String(data.code);
	const hint =
		(code && (call.hints?.codes?.[code] ?? CODE_HINTS[code])) || statusHint(status, call);

	return {
		message: redact(parts.join(' '), secrets),
		description: redact(hint, secrets),
		httpCode: String(status),
		envelope,
	};
}
