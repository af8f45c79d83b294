/** `npm start`'s options: ports, the sandbox's size and the failure switches a builder types. */
import { parseStartArgs } from '../../../../tools/dev/n8n/startArgs';

describe('npm start’s options', () => {
	it('defaults: n8n on 5678 (or $N8N_PORT), the sandbox on 4010, no failure', () => {
		expect(parseStartArgs([], {})).toEqual({
			port: 5678,
			sandboxPort: 4010,
			fresh: false,
			refuseMail: [],
		});
		expect(parseStartArgs([], { N8N_PORT: '5690' }).port).toBe(5690);
	});

	it('reads ports, users, --fresh and the failure switches, as "--flag value" or "--flag=value"', () => {
		expect(
			parseStartArgs(
				[
					'--port=5679',
					'--sandbox-port',
					'4011',
					'--users',
					'237',
					'--fresh',
					'--refuse-mail',
					'asha.rao@example.com',
					'--refuse-mail=it-desk@example.com',
					'--exotel-5xx-at',
					'2',
					'--kill-n8n-at=3',
				],
				{},
			),
		).toEqual({
			port: 5679,
			sandboxPort: 4011,
			users: 237,
			fresh: true,
			refuseMail: ['asha.rao@example.com', 'it-desk@example.com'],
			exotel5xxAt: 2,
			killN8nAt: 3,
		});
	});

	it.each([
		[['--port', 'x'], /--port needs a whole number from 1 to 65535, e\.g\. --port 5679; got x/],
		[['--sandbox-port'], /--sandbox-port needs a whole number .* got nothing/],
		[['--users', '2'], /--users needs a whole number from 3/],
		[['--exotel-5xx-at', '0'], /--exotel-5xx-at needs a whole number from 1/],
		[['--kill-n8n-at', '-1'], /--kill-n8n-at needs a whole number/],
		[
			['--refuse-mail', 'asha'],
			/--refuse-mail needs an email address, e\.g\. --refuse-mail asha\.rao@example\.com; got asha/,
		],
		[
			['--verbose'],
			/Unknown option --verbose; use --port N .*--sandbox-port N.*--refuse-mail ADDRESS, --exotel-5xx-at N, --kill-n8n-at N/,
		],
	])('refuses %p, naming the option and what it takes', (argv, message) => {
		expect(() => parseStartArgs(argv, {})).toThrow(message);
	});

	it('refuses an N8N_PORT that is not a port', () => {
		expect(() => parseStartArgs([], { N8N_PORT: '99999' })).toThrow(/N8N_PORT needs a port number/);
	});
});
