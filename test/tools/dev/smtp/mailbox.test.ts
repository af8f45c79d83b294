import { createTransport } from 'nodemailer';

import { startMailbox, type Mailbox } from '../../../../tools/dev/smtp/mailbox';

describe('the local mailbox', () => {
	let mailbox: Mailbox;
	beforeEach(async () => {
		mailbox = await startMailbox();
	});
	afterEach(async () => {
		await mailbox.close();
	});

	const send = async (to: string, text: string, timeouts: { greetingTimeout?: number } = {}) =>
		await createTransport({
			host: mailbox.host,
			port: mailbox.port,
			secure: false,
			ignoreTLS: true,
			...timeouts,
		}).sendMail({
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
		expect(mailbox.failures()).toMatchObject([{ to: 'a@example.com', kind: 'refused', code: 451 }]);
	});

	it('refuses one recipient for good (550, in any case of the address) and accepts the others', async () => {
		mailbox.refuseRecipient('Closed@Example.com');
		await expect(send('closed@example.com', 'lost')).rejects.toThrow(/rejected: 550/);
		await expect(send('CLOSED@example.com', 'lost again')).rejects.toThrow(/550/);
		await send('open@example.com', 'kept');
		expect(mailbox.messages().map((m) => m.to)).toEqual([['open@example.com']]);
		expect(mailbox.failures().map((f) => `${f.to} ${f.code}`)).toEqual([
			'closed@example.com 550',
			'closed@example.com 550',
		]);
		mailbox.acceptRecipient('closed@example.com');
		await send('closed@example.com', 'now');
		expect(mailbox.to('closed@example.com')).toHaveLength(1);
	});

	it('takes another refusal code, e.g. 554', async () => {
		mailbox.refuseRecipient('spam-trap@example.com', 554);
		await expect(send('spam-trap@example.com', 'x')).rejects.toThrow(/554/);
	});

	it('goes down (connection refused) and comes back on the same port, keeping what it had', async () => {
		await send('a@example.com', 'before');
		const { port } = mailbox;
		await mailbox.goDown();
		expect(mailbox.isUp()).toBe(false);
		await expect(send('a@example.com', 'while down')).rejects.toThrow(/ECONNREFUSED/);
		await mailbox.comeBack();
		expect(mailbox.port).toBe(port);
		await send('a@example.com', 'after');
		expect(mailbox.to('a@example.com').map((m) => m.text.trim())).toEqual(['before', 'after']);
	});

	it('drops a connection in the middle of a message: the sender gets an error, nothing is kept', async () => {
		mailbox.dropNext(1);
		await expect(send('a@example.com', 'cut')).rejects.toThrow();
		await send('a@example.com', 'whole');
		expect(mailbox.messages().map((m) => m.text.trim())).toEqual(['whole']);
		expect(mailbox.failures()).toMatchObject([{ to: 'a@example.com', kind: 'dropped' }]);
	});

	it('answers too slowly for a client with a shorter greeting timeout, then normally again', async () => {
		mailbox.answerSlowly(2_000, 1);
		await expect(send('a@example.com', 'late', { greetingTimeout: 200 })).rejects.toThrow(
			/Greeting never received/,
		);
		await send('a@example.com', 'on time', { greetingTimeout: 1_000 });
		expect(mailbox.messages().map((m) => m.text.trim())).toEqual(['on time']);
	});
});
