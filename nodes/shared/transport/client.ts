/**
 * The one way this package talks to Exotel. A client is built once per execution (by the
 * router, from the node's Options) or per editor lookup (the pickers, with short settings),
 * and every request goes through three plain stages:
 *
 *   1. send one attempt, paced in the account's pacer (send.ts, pacing/);
 *   2. decide whether to try again, and how long to wait (retry.ts);
 *   3. translate the final failure into an error that names the status, Exotel's error code,
 *      the request_id and the attempts made, and nothing secret (errors.ts).
 *
 * What happens on a 429, in this folder: the pacer learns from the answer's headers (or slows
 * down without them, pacing/), the retry waits for Retry-After or the backoff (retry.ts), and
 * the final error says so (errors.ts). Nothing here outlives the client but the account's
 * pacer, which the process shares.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { listDataOf, metadataOf, walkPages, type Page } from '../envelope';
import { checkId } from '../ids';
import { accountKey, accountPath, baseUrlFor } from '../url';
import { credentialSecrets } from './credentialSecrets';
import {
	redactJson,
	translateExotelError,
	type ErrorHints,
	type ExotelErrorEnvelope,
	type FailedCall,
} from './errors';
import type { LimitFollowed, Lease } from './pacing/accountPacer';
import type { Clock } from './pacing/clock';
import type { ProcessPacing } from './pacing/processPacing';
import {
	decideRetry,
	outcomeUnknown,
	parseRetryAfter,
	type RetryPolicy,
	type StopReason,
} from './retry';
import {
	CREDENTIAL_TYPE,
	sendOnce,
	type AttemptFailureWithBody,
	type ExotelContext,
	type Outcome,
} from './send';

interface RequestBase {
	method: IHttpRequestMethods;
	/** Path below /v2/accounts/{sid}; each segment is percent-encoded. */
	path: Array<string | number>;
	body?: IDataObject;
	qs?: IDataObject;
	/** Values of this request that must never appear in an error (e.g. the new SIP password). */
	secrets?: string[];
	/** The operation's own hints for this request's errors. */
	hints?: ErrorHints;
	/**
	 * Stops this request's waits instead of the execution's cancel signal: a request that must
	 * go out after a Stop (a rollback) passes a deadline of its own (`deadline()`).
	 */
	signal?: AbortSignal;
}

/**
 * A request, and whether sending it twice does no more than sending it once. One that is not
 * idempotent (a create) is repeated only after an answer that says it was not carried out (a
 * 429) — or after `recover` found out that it was not.
 */
export type ExotelRequest =
	| (RequestBase & { idempotent: true })
	| (RequestBase & {
			idempotent: false;
			/**
			 * After a failure that leaves open whether the request took effect (5xx, no answer):
			 * the result if it did, or undefined if it did not — then it is sent again.
			 */
			recover?: () => Promise<IDataObject | undefined>;
	  });

/** How a client sends. */
export interface ClientSettings {
	retry: RetryPolicy;
	timeoutMs: number;
	/** 0: no limit of this client's own. */
	requestsPerMinute: number;
	/** false: requests are counted in the account's window but never wait in it (the user picker). */
	waitForPace?: boolean;
}

/** The user picker's settings: a person is waiting, so short timeouts and no long retries. */
export const PICKER_SETTINGS: ClientSettings = {
	retry: { enabled: true, maxAttempts: 2, baseDelayMs: 500, maxDelayMs: 2000 },
	timeoutMs: 10_000,
	requestsPerMinute: 0,
	waitForPace: false,
};

/**
 * The errors a client raises carry the envelope Exotel returned, so Continue On Fail can
 * pass it on. The envelope has been through the same redaction as the message.
 */
export class ExotelError extends NodeApiError {
	envelope?: ExotelErrorEnvelope;

	/**
	 * Whether the failure leaves open if Exotel carried the request out: no answer or a
	 * timeout, a 5xx after the retries, or a 2xx that was not Exotel's envelope. A change may
	 * have been made (a password set) although the item failed.
	 */
	outcomeUnknown = false;
}

interface Account {
	baseUrl: string;
	accountSid: string;
	/** Every form the credential's secret can take on the wire or in an echo: never in an error or an output. */
	secrets: string[];
}

/** What the account's limit cost this client, for the execution hint. */
interface PaceStats {
	/** Time spent waiting for the account's limit: in the pacer, and before retrying a 429. */
	waitedMs: number;
	refusals: number;
	limit: LimitFollowed;
}

type AccountRead = { ok: true; account: Account } | { ok: false; problem: string };

export class ExotelClient {
	private accountRead?: Promise<AccountRead>;

	private lease?: Lease;

	private closed = false;

	private readonly signal?: AbortSignal;

	private readonly clock: Clock;

	private readonly stats: PaceStats = { waitedMs: 0, refusals: 0, limit: undefined };

	constructor(
		private readonly context: ExotelContext,
		private readonly settings: ClientSettings,
		private readonly processPacing: ProcessPacing,
	) {
		this.clock = processPacing.clock;
		// A cancelled execution must not sit out a backoff or a pacing wait.
		this.signal =
			'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
	}

	/** Sends `request` — paced, and retried where that is safe — and returns Exotel's envelope. */
	async request(itemIndex: number, request: ExotelRequest): Promise<IDataObject> {
		const account = await this.account(itemIndex);
		const options: IHttpRequestOptions = {
			method: request.method,
			url: account.baseUrl + accountPath(account.accountSid, ...request.path),
			json: true,
		};
		if (request.body !== undefined) options.body = request.body;
		if (request.qs !== undefined) options.qs = request.qs;

		const secrets = [...account.secrets, ...(request.secrets ?? [])];
		const signal = request.signal ?? this.signal;
		let idempotent = request.idempotent;
		for (let attempt = 1; ; attempt++) {
			const outcome = await this.attempt(options, signal, request.signal);
			// An answer passes through the same redaction as an error: Exotel may echo a password.
			if ('answer' in outcome) return redactJson(outcome.answer, secrets);
			const { failure } = outcome;
			const decide = () =>
				decideRetry(failure, {
					attempt,
					idempotent,
					policy: this.settings.retry,
					nowMs: this.clock.now(),
					random: this.processPacing.random(),
				});
			let decision = decide();
			if (
				!decision.retry &&
				decision.stop.kind === 'unsafe-to-repeat' &&
				!request.idempotent &&
				request.recover
			) {
				const recovered = await request.recover();
				if (recovered) return recovered;
				idempotent = true; // it did not take effect: sending it again is safe
				decision = decide();
			}
			if (!decision.retry)
				throw this.error(itemIndex, account, request, failure, attempt, decision.stop);
			if (failure.status === 429) this.stats.waitedMs += decision.waitMs;
			await this.clock.sleep(decision.waitMs, signal);
		}
	}

	/**
	 * A signal that aborts `ms` from now on the client's clock, for requests that must go out
	 * even after the execution was cancelled (a rollback) but not wait for ever. Call `end()`
	 * once they are done.
	 */
	deadline(ms: number): { signal: AbortSignal; end: () => void } {
		const deadline = new AbortController();
		const ended = new AbortController();
		this.clock.sleep(ms, ended.signal).then(
			() => deadline.abort(new Error(`gave up after ${Math.round(ms / 100) / 10} s`)),
			() => undefined,
		);
		return { signal: deadline.signal, end: () => ended.abort() };
	}

	/** One page of a list endpoint (GET, safe to repeat): its records and Exotel's total. */
	async requestPage(
		itemIndex: number,
		request: Omit<RequestBase, 'method'>,
		offset: number,
		limit: number,
	): Promise<Page> {
		const envelope = await this.request(itemIndex, {
			...request,
			method: 'GET',
			idempotent: true,
			qs: { ...request.qs, offset, limit },
		});
		return { records: listDataOf(envelope), total: metadataOf(envelope)?.total };
	}

	/**
	 * Pages through a list endpoint with offset and Exotel's largest page, until `max` records
	 * are collected or `metadata.total` is reached. Returns the records in Exotel's order.
	 */
	async requestAllPages(
		itemIndex: number,
		request: Omit<RequestBase, 'method'>,
		max = Number.POSITIVE_INFINITY,
	): Promise<IDataObject[]> {
		const readPage = async (offset: number, limit: number) =>
			await this.requestPage(itemIndex, request, offset, limit);
		const walk = await walkPages(readPage, () => true, 0, {
			enough: max,
			maxPages: Number.POSITIVE_INFINITY,
			upTo: max,
		});
		return walk.matches.slice(0, max);
	}

	/**
	 * The execution is over: its Requests per Minute no longer counts for the account. After a
	 * run that waited for the account's limit or met 429s, the execution says why it took its time.
	 */
	close(): void {
		if (this.closed) return;
		this.closed = true;
		this.stats.limit = this.lease?.limitFollowed() ?? this.stats.limit;
		this.lease?.leave();
		const hint = paceHint(this.stats);
		const context = this.context as Partial<Pick<IExecuteFunctions, 'addExecutionHints'>>;
		// n8n before 1.x's execution hints has no addExecutionHints; the editor's lookups neither.
		if (hint && typeof context.addExecutionHints === 'function')
			context.addExecutionHints({ message: hint, location: 'outputPane' });
	}

	/** The credential, read once (n8n decrypts it on every read); a bad one fails each item that needs it. */
	private async account(itemIndex: number): Promise<Account> {
		this.accountRead ??= this.readAccount(itemIndex).catch((error: unknown) => {
			this.accountRead = undefined;
			throw error;
		});
		const read = await this.accountRead;
		if (!read.ok)
			throw new NodeOperationError(this.context.getNode(), `Exotel credential: ${read.problem}`, {
				itemIndex,
			});
		if (!this.lease && !this.closed) {
			this.lease = this.processPacing.pacing.join(
				accountKey(read.account.baseUrl, read.account.accountSid),
				this.settings.requestsPerMinute,
			);
		}
		return read.account;
	}

	private async readAccount(itemIndex: number): Promise<AccountRead> {
		const credentials = await this.context.getCredentials(CREDENTIAL_TYPE, itemIndex);
		const base = baseUrlFor(credentials);
		if (!base.ok) return { ok: false, problem: base.problem };
		const sid = checkId(credentials.accountSid);
		if (!sid.ok) return { ok: false, problem: `Account SID ${sid.problem}` };
		const token = typeof credentials.apiToken === 'string' ? credentials.apiToken : '';
		const key = typeof credentials.apiKey === 'string' ? credentials.apiKey : '';
		const passwordKey = typeof credentials.passwordKey === 'string' ? credentials.passwordKey : '';
		return {
			ok: true,
			account: {
				baseUrl: base.url,
				accountSid: sid.id,
				secrets: credentialSecrets(key, token, passwordKey),
			},
		};
	}

	/** Stage 1: one attempt, with its place in the account's pacer, which learns what the answer says. */
	private async attempt(
		options: IHttpRequestOptions,
		signal: AbortSignal | undefined,
		cancel: AbortSignal | undefined,
	): Promise<Outcome> {
		// A cancelled execution sends nothing more (a request it must still send passes its own signal).
		signal?.throwIfAborted();
		const asked = this.clock.now();
		const slot = await this.lease?.acquire({ signal, wait: this.settings.waitForPace !== false });
		this.stats.waitedMs += this.clock.now() - asked;
		let outcome: Outcome | undefined;
		try {
			outcome = await sendOnce(this.context, options, this.settings.timeoutMs, this.clock, cancel);
			return outcome;
		} finally {
			const failure = outcome && 'failure' in outcome ? outcome.failure : undefined;
			const refused = failure?.status === 429;
			if (refused) this.stats.refusals++;
			slot?.done({
				refused,
				retryAfterMs: refused ? parseRetryAfter(failure?.retryAfter, this.clock.now()) : undefined,
				maxHoldMs: this.settings.retry.maxDelayMs,
				rateLimit: outcome?.rateLimit,
			});
			this.stats.limit = this.lease?.limitFollowed() ?? this.stats.limit;
		}
	}

	/** Stage 3: the final failure as the item's error. */
	private error(
		itemIndex: number,
		account: Account,
		request: ExotelRequest,
		failure: AttemptFailureWithBody,
		attempts: number,
		stop: StopReason,
	): ExotelError {
		const call: FailedCall = {
			...failure,
			host: new URL(account.baseUrl).host,
			secrets: [...account.secrets, ...(request.secrets ?? [])],
			idempotent: request.idempotent,
			hints: request.hints,
			attempts,
			stop,
		};
		const translated = translateExotelError(call);
		const error = new ExotelError(
			this.context.getNode(),
			(translated.envelope ?? {}) as JsonObject,
			{
				message: translated.message,
				description: translated.description,
				httpCode: translated.httpCode,
				itemIndex,
			},
		);
		error.envelope = translated.envelope;
		error.outcomeUnknown = outcomeUnknown(failure);
		return error;
	}
}

/** The execution hint after a run the account's limit slowed down; undefined when it did not. */
export function paceHint(stats: PaceStats): string | undefined {
	const waitedS = Math.round(stats.waitedMs / 100) / 10;
	if (stats.refusals === 0 && waitedS < 1) return undefined;
	const limit =
		stats.limit?.source === 'exotel'
			? `Exotel’s limit for this account, ${stats.limit.perWindow} requests a minute (from its rate-limit headers)`
			: stats.limit?.source === 'setting'
				? `Requests per Minute, set to ${stats.limit.perWindow}`
				: 'Exotel’s 429 answers (the account sent no rate-limit headers), slowing down when they repeat';
	const refused = stats.refusals === 1 ? '1 request was' : `${stats.refusals} requests were`;
	return `This run waited ${waitedS} s in all for the Exotel account’s rate limit, following ${limit}; ${refused} refused with 429 (Too Many Requests) and retried or reported.`;
}
