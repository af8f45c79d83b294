/* eslint-disable @n8n/community-nodes/no-restricted-globals -- not shipped: linted by eslint.support.config.mjs */
/**
 * A local mailbox: an SMTP server on loopback that keeps every message it accepts. The
 * examples deliver SIP passwords with n8n's Send Email node; in the tests the mailbox is the
 * truth of what an agent received. No TLS and no login (n8n's SMTP credential with SSL/TLS off
 * and any user), so nothing here needs a certificate.
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

export interface Mailbox {
	host: string;
	port: number;
	/** Every message accepted so far, in the order accepted. */
	messages(): Mail[];
	/** The messages one address received, in order. */
	to(address: string): Mail[];
	/** Resolves once at least `count` messages were accepted; rejects after `timeoutMs`. */
	waitFor(count: number, timeoutMs?: number): Promise<Mail[]>;
	/** Refuses the next `count` messages (SMTP 451, a temporary failure), as a mail server that is down would. */
	refuseNext(count: number): void;
	/** Refuses every message to this address (any case) with `code` (default 550, mailbox unavailable). */
	refuseRecipient(address: string, code?: number): void;
	clear(): void;
	close(): Promise<void>;
}

export async function startMailbox(port = 0, host = '127.0.0.1'): Promise<Mailbox> {
	const mails: Mail[] = [];
	const waiters = new Set<() => void>();
	let refuse = 0;
	const refusedRecipients = new Map<string, number>();

	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		hideSTARTTLS: true,
		logger: false,
		onRcptTo(address, _session, callback) {
			const refusedWith = refusedRecipients.get(address.address.toLowerCase());
			if (refusedWith !== undefined) {
				callback(Object.assign(new Error(`Mailbox unavailable: ${address.address}`), { responseCode: refusedWith }));
				return;
			}
			if (refuse > 0) {
				refuse--;
				const error = Object.assign(new Error('Mailbox unavailable, try again later'), { responseCode: 451 });
				callback(error);
				return;
			}
			callback();
		},
		onData(stream, session, callback) {
			simpleParser(stream)
				.then((parsed) => {
					mails.push({
						to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
						from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
						subject: parsed.subject ?? '',
						text: parsed.text ?? (typeof parsed.html === 'string' ? parsed.html.replace(/<[^>]*>/g, ' ') : ''),
						html: typeof parsed.html === 'string' ? parsed.html : '',
						receivedAt: Date.now(),
					});
					for (const wake of waiters) wake();
					callback();
				})
				.catch((error: Error) => callback(error));
		},
	});

	await new Promise<void>((resolve, reject) => {
		server.server.once('error', reject);
		server.listen(port, host, () => resolve());
	});
	const address = server.server.address();
	const boundPort = typeof address === 'object' && address ? address.port : port;

	return {
		host,
		port: boundPort,
		messages: () => [...mails],
		to: (address) => mails.filter((m) => m.to.includes(address.toLowerCase())),
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
		refuseRecipient(address: string, code = 550) {
			refusedRecipients.set(address.toLowerCase(), code);
		},
		clear() {
			mails.length = 0;
		},
		async close() {
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** n8n's SMTP credential for this mailbox (type `smtp`), as import:credentials or the REST API takes it. */
export function smtpCredentialData(mailbox: Pick<Mailbox, 'host' | 'port'>): Record<string, unknown> {
	return { host: mailbox.host, port: mailbox.port, secure: false, disableStartTls: true, user: '', password: '' };
}
