/**
 * The one way this package talks to Exotel. A client is built once per execution (by the
 * router, from the node's Options) or per editor lookup (the user picker, with short
 * settings), and every request goes through three plain stages:
 *
 *   1. send one attempt, paced through the account's window (send.ts, helpers/accountPacing.ts);
 *   2. decide whether to try again, and how long to wait (helpers/retry.ts);
 *   3. translate the final failure into an error that names the status, Exotel's error code,
 *      the request_id and the attempts made, and nothing secret (helpers/errors.ts).
 *
 * Nothing here outlives the client but the account's window, which the process shares.
 */
import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Lease } from '../helpers/accountPacing';
import { listDataOf, metadataOf } from '../helpers/envelope';
import { translateExotelError, type ErrorHints, type ExotelErrorEnvelope, type FailedCall } from '../helpers/errors';
import { checkId } from '../helpers/ids';
import type { Clock } from '../helpers/pacing';
import { decideRetry, leavesOpen, parseRetryAfter, type RetryPolicy, type StopReason } from '../helpers/retry';
import { accountPath, baseUrlFor } from '../helpers/url';
import { CREDENTIAL_TYPE, sendOnce, type AttemptFailureWithBody, type ExotelContext } from './send';
import type { Transport } from './pacing';

export { CREDENTIAL_TYPE } from './send';

/** Exotel's largest page for list endpoints. */
export const MAX_PAGE_SIZE = 50;

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

	/** The last failure leaves open whether Exotel carried the request out (no answer, a 5xx, a 2xx that was not an envelope). */
	outcomeUnknown = false;
}

interface Account {
	baseUrl: string;
	accountSid: string;
	token: string;
}

type AccountRead = { ok: true; account: Account } | { ok: false; problem: string };

/** A lookup remembered for the execution: its answer once in, and the request while in flight. */
interface Remembered {
	pending: Promise<unknown>;
	value?: unknown;
	settled: boolean;
}

export class ExotelClient {
	private accountRead?: Promise<AccountRead>;

	/** Lookups (a user by id or email) already asked in this execution. */
	private readonly remembered = new Map<string, Remembered>();

	private lease?: Lease;

	private closed = false;

	private readonly signal?: AbortSignal;

	private readonly clock: Clock;

	constructor(
		private readonly context: ExotelContext,
		private readonly settings: ClientSettings,
		private readonly transport: Transport,
	) {
		this.clock = transport.clock;
		// A cancelled execution must not sit out a backoff or a pacing wait.
		this.signal = 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
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

		let idempotent = request.idempotent;
		for (let attempt = 1; ; attempt++) {
			const outcome = await this.attempt(options);
			if ('answer' in outcome) return outcome.answer;
			const { failure } = outcome;
			const decide = () =>
				decideRetry(failure, { attempt, idempotent, policy: this.settings.retry, nowMs: this.clock.now(), random: this.transport.random() });
			let decision = decide();
			if (!decision.retry && decision.stop.kind === 'unsafe-to-repeat' && !request.idempotent && request.recover) {
				const recovered = await request.recover();
				if (recovered) return recovered;
				idempotent = true; // it did not take effect: sending it again is safe
				decision = decide();
			}
			if (!decision.retry) throw this.error(itemIndex, account, request, failure, attempt, decision.stop);
			await this.clock.sleep(decision.waitMs, this.signal);
		}
	}

	/**
	 * Pages through a list endpoint with offset and Exotel's largest page, until `max` records
	 * are collected or `metadata.total` is reached. Returns the records in Exotel's order.
	 */
	async requestAllPages(itemIndex: number, request: Omit<RequestBase, 'method'>, max = Number.POSITIVE_INFINITY): Promise<IDataObject[]> {
		const records: IDataObject[] = [];
		for (let offset = 0; records.length < max; ) {
			const limit = Math.min(MAX_PAGE_SIZE, max - records.length);
			const envelope = await this.request(itemIndex, {
				...request,
				method: 'GET',
				idempotent: true,
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

	/**
	 * A lookup asked once per execution however many items need it: items that need it at
	 * the same time share the request. Only answers are kept: a failure is each item's own
	 * (its error names the item), so an item that waited on one asks again itself.
	 */
	async remember<T>(key: string, load: () => Promise<T>): Promise<T> {
		const known = this.remembered.get(key);
		if (known) {
			try {
				return (await known.pending) as T;
			} catch {
				// fall through: this item asks for itself
			}
		}
		const entry: Remembered = { pending: load(), settled: false };
		this.remembered.set(key, entry);
		entry.pending.then(
			(value) => {
				entry.value = value;
				entry.settled = true;
			},
			() => {
				if (this.remembered.get(key) === entry) this.remembered.delete(key);
			},
		);
		return (await entry.pending) as T;
	}

	/** Remembers an answer that came with another lookup (a user found by email is that user by id too). */
	keep(key: string, value: unknown): void {
		this.remembered.set(key, { pending: Promise.resolve(value), value, settled: true });
	}

	/** Forgets remembered answers that a change made stale. */
	forget(stale: (key: string, value: unknown) => boolean): void {
		for (const [key, entry] of this.remembered) {
			if (!entry.settled || stale(key, entry.value)) this.remembered.delete(key);
		}
	}

	/** The execution is over: its Requests per Minute no longer counts for the account. */
	close(): void {
		this.closed = true;
		this.lease?.leave();
	}

	/** The credential, read once (n8n decrypts it on every read); a bad one fails each item that needs it. */
	private async account(itemIndex: number): Promise<Account> {
		this.accountRead ??= this.readAccount(itemIndex).catch((error: unknown) => {
			this.accountRead = undefined;
			throw error;
		});
		const read = await this.accountRead;
		if (!read.ok) throw new NodeOperationError(this.context.getNode(), `Exotel credential: ${read.problem}`, { itemIndex });
		if (!this.lease && !this.closed) {
			this.lease = this.transport.pacing.join(`${read.account.baseUrl} ${read.account.accountSid}`, this.settings.requestsPerMinute);
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
		return { ok: true, account: { baseUrl: base.url, accountSid: sid.id, token } };
	}

	/** Stage 1: one attempt, with its place in the account's window; Exotel's 429 is reported to the window. */
	private async attempt(options: IHttpRequestOptions) {
		const slot = await this.lease?.acquire({ signal: this.signal, wait: this.settings.waitForPace !== false });
		let failure: AttemptFailureWithBody | undefined;
		try {
			const outcome = await sendOnce(this.context, options, this.settings.timeoutMs, this.clock);
			if ('failure' in outcome) failure = outcome.failure;
			return outcome;
		} finally {
			const refused = failure?.status === 429;
			slot?.done(refused ? { refused, retryAfterMs: parseRetryAfter(failure?.retryAfter, this.clock.now()) } : undefined);
		}
	}

	/** Stage 3: the final failure as the item's error. */
	private error(itemIndex: number, account: Account, request: ExotelRequest, failure: AttemptFailureWithBody, attempts: number, stop: StopReason): ExotelError {
		const call: FailedCall = {
			...failure,
			host: new URL(account.baseUrl).host,
			secrets: [account.token, ...(request.secrets ?? [])],
			idempotent: request.idempotent,
			hints: request.hints,
			attempts,
			stop,
		};
		const translated = translateExotelError(call);
		const error = new ExotelError(this.context.getNode(), (translated.envelope ?? {}) as JsonObject, {
			message: translated.message,
			description: translated.description,
			httpCode: translated.httpCode,
			itemIndex,
		});
		error.envelope = translated.envelope;
		error.outcomeUnknown = leavesOpen(failure) || failure.unexpected === true;
		return error;
	}
}
