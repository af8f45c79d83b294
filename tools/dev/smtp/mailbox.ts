/**
 * A local mailbox: an SMTP server on loopback that keeps every message it accepts. The
 * examples deliver SIP passwords with n8n's Send Email node; in the tests the mailbox is the
 * truth of what an agent received. No TLS and no login (n8n's SMTP credential with SSL/TLS off
 * and any user), so nothing here needs a certificate.
 *
 * It can also fail the way real mail servers do, so that delivery failures can be tested:
 * refuse one recipient for good (550), refuse the next messages for now (451), go down and come
 * back on the same port, drop a connection in the middle of a message, or answer too slowly
 * (the client times out waiting for the greeting).
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Mail {
	/** Envelope recipients, lower case. */
	to: string[];
	from: string;
	subject: string;
	/** The plain-text body (decoded), or the HTML body's text when there is no plain part. */
	text: string;
	html: string;
	/** When the mailbox accepted it (ms since the epoch). */
	receivedAt: number;
}

/** A delivery the mailbox did not accept, and why. */
export interface Failure {
	/** The recipient (lower case), when the failure was about one. */
	to?: string;
	/** `refused`: an SMTP error code was sent; `dropped`: the connection was cut mid-message. (While down, nothing answers: nothing to record.) */
	kind: 'refused' | 'dropped';
	/** The SMTP reply code sent, for `refused`. */
	code?: number;
	at: number;
}

export interface Mailbox {
	host: string;
	port: number;
	/** Every message accepted so far, in the order accepted. */
	messages(): Mail[];
	/** The messages one address received, in order. */
	to(address: string): Mail[];
	/** Every delivery attempt the mailbox saw and did not accept, in order. */
	failures(): Failure[];
	/** Resolves once at least `count` messages were accepted; rejects after `timeoutMs`. */
	waitFor(count: number, timeoutMs?: number): Promise<Mail[]>;
	/** Refuses the next `count` messages (SMTP 451, a temporary failure), as a mail server that is down would. */
	refuseNext(count: number): void;
	/** Refuses every message to `address` for good (by default 550: no such mailbox), as a mistyped or closed address. */
	refuseRecipient(address: string, code?: number): void;
	/** Accepts mail to `address` again after refuseRecipient. */
	acceptRecipient(address: string): void;
	/** Closes the next `count` connections in the middle of a message: the client gets no answer, nothing is kept. */
	dropNext(count: number): void;
	/** Holds the greeting of the next `count` connections for `delayMs`: a client with a shorter greeting timeout gives up. */
	answerSlowly(delayMs: number, count?: number): void;
	/** Stops listening and cuts every open connection: clients see the connection refused. */
	goDown(): Promise<void>;
	/** Listens again, on the same port. */
	comeBack(): Promise<void>;
	/** Whether it is listening. */
	isUp(): boolean;
	clear(): void;
	close(): Promise<void>;
}

export async function startMailbox(port = 0, host = '127.0.0.1'): Promise<Mailbox> {
	const mails: Mail[] = [];
	const failures: Failure[] = [];
	const waiters = new Set<() => void>();
	const refusedRecipients = new Map<string, number>();
	let refuse = 0;
	let drop = 0;
	let slow = { count: 0, delayMs: 0 };

	const create = () => {
		const created: SMTPServer = new SMTPServer({
			authOptional: true,
			disabledCommands: ['STARTTLS'],
			hideSTARTTLS: true,
			disableReverseLookup: true,
			logger: false,
			onConnect(_session, callback) {
				if (slow.count <= 0) return callback();
				slow.count--;
				const timer = setTimeout(() => callback(), slow.delayMs);
				timer.unref();
			},
			onRcptTo(address, _session, callback) {
				const to = address.address.toLowerCase();
				const permanent = refusedRecipients.get(to);
				if (permanent !== undefined) {
					failures.push({ to, kind: 'refused', code: permanent, at: Date.now() });
					callback(
						Object.assign(new Error(`Mailbox ${to} unavailable`), { responseCode: permanent }),
					);
					return;
				}
				if (refuse > 0) {
					refuse--;
					failures.push({ to, kind: 'refused', code: 451, at: Date.now() });
					callback(
						Object.assign(new Error('Mailbox unavailable, try again later'), { responseCode: 451 }),
					);
					return;
				}
				callback();
			},
			onData(stream, session, callback) {
				if (drop > 0) {
					drop--;
					const to = session.envelope.rcptTo[0]?.address.toLowerCase();
					failures.push({ ...(to ? { to } : {}), kind: 'dropped', at: Date.now() });
					// Cut the connection once the message has started to arrive: no reply, nothing kept.
					stream.once('data', () => {
						for (const connection of created.connections) {
							const c = connection as unknown as { id: string; _socket: { destroy(): void } };
							if (c.id === session.id) c._socket.destroy();
						}
					});
					stream.resume();
					return;
				}
				simpleParser(stream)
					.then((parsed) => {
						mails.push({
							to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
							from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
							subject: parsed.subject ?? '',
							text:
								parsed.text ??
								(typeof parsed.html === 'string' ? parsed.html.replace(/<[^>]*>/g, ' ') : ''),
							html: typeof parsed.html === 'string' ? parsed.html : '',
							receivedAt: Date.now(),
						});
						for (const wake of waiters) wake();
						callback();
					})
					.catch((error: Error) => callback(error));
			},
		});
		return created;
	};

	const listen = async (server: SMTPServer, on: number) =>
		await new Promise<void>((resolve, reject) => {
			server.server.once('error', reject);
			server.listen(on, host, () => {
				server.server.off('error', reject);
				resolve();
			});
		});

	let server: SMTPServer | undefined = create();
	await listen(server, port);
	const address = server.server.address();
	const boundPort = typeof address === 'object' && address ? address.port : port;

	const stop = async () => {
		const closing = server;
		server = undefined;
		if (!closing) return;
		const closed = new Promise<void>((resolve) => closing.server.close(() => resolve()));
		for (const connection of closing.connections)
			(connection as unknown as { _socket: { destroy(): void } })._socket.destroy();
		await closed;
	};

	return {
		host,
		port: boundPort,
		messages: () => [...mails],
		to: (to) => mails.filter((m) => m.to.includes(to.toLowerCase())),
		failures: () => [...failures],
		async waitFor(count, timeoutMs = 60_000) {
			if (mails.length >= count) return [...mails];
			return await new Promise<Mail[]>((resolve, reject) => {
				const timer = setTimeout(() => {
					waiters.delete(check);
					reject(new Error(`mailbox: ${mails.length} of ${count} messages after ${timeoutMs} ms`));
				}, timeoutMs);
				const check = () => {
					if (mails.length < count) return;
					clearTimeout(timer);
					waiters.delete(check);
					resolve([...mails]);
				};
				waiters.add(check);
			});
		},
		refuseNext(count) {
			refuse = count;
		},
		refuseRecipient(to: string, code = 550) {
			refusedRecipients.set(to.toLowerCase(), code);
		},
		acceptRecipient(to) {
			refusedRecipients.delete(to.toLowerCase());
		},
		dropNext(count) {
			drop = count;
		},
		answerSlowly(delayMs, count = Number.POSITIVE_INFINITY) {
			slow = { count, delayMs };
		},
		goDown: stop,
		async comeBack() {
			if (server) return;
			const next = create();
			await listen(next, boundPort);
			server = next;
		},
		isUp: () => server !== undefined,
		clear() {
			mails.length = 0;
			failures.length = 0;
		},
		close: stop,
	};
}

/** n8n's SMTP credential for this mailbox (type `smtp`), as import:credentials or the REST API takes it. */
export function smtpCredentialData(
	mailbox: Pick<Mailbox, 'host' | 'port'>,
): Record<string, unknown> {
	return {
		host: mailbox.host,
		port: mailbox.port,
		secure: false,
		disableStartTls: true,
		user: '',
		password: '',
	};
}
