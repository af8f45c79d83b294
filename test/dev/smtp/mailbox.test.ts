/* eslint-disable @n8n/community-nodes/no-restricted-imports -- not shipped: linted by eslint.support.config.mjs */
import { createTransport } from 'nodemailer';

import { startMailbox, type Mailbox } from '../../../dev/smtp/mailbox';

describe('the local mailbox', () => {
	let mailbox: Mailbox;
	beforeEach(async () => {
		mailbox = await startMailbox();
	});
	afterEach(async () => {
		await mailbox.close();
	});

	const send = async (to: string, text: string) =>
		await createTransport({ host: mailbox.host, port: mailbox.port, secure: false, ignoreTLS: true }).sendMail({
			from: 'it@example.com',
			to,
			subject: 'Your SIP password',
			text,
		});

	it('keeps each message with its recipient and decoded text', async () => {
		await send('Asha.Rao@example.com', 'SIP username: sip:asha\nPassword: Blue-Kite-42=é');
		await send('ravi@example.com', 'second');
		const [first] = mailbox.to('asha.rao@example.com');
		expect(first.subject).toBe('Your SIP password');
		expect(first.text).toContain('Password: Blue-Kite-42=é');
		expect(mailbox.to('ravi@example.com').map((m) => m.text.trim())).toEqual(['second']);
		expect(mailbox.messages()).toHaveLength(2);
	});

	it('waits for messages still to come', async () => {
		const waiting = mailbox.waitFor(1, 10_000);
		await send('a@example.com', 'x');
		await expect(waiting).resolves.toHaveLength(1);
	});

	it('refuses the next messages when asked, as a mail server that is down', async () => {
		mailbox.refuseNext(1);
		await expect(send('a@example.com', 'lost')).rejects.toThrow(/451/);
		await send('a@example.com', 'kept');
		expect(mailbox.messages().map((m) => m.text.trim())).toEqual(['kept']);
	});
});
