/** The sandbox CLI's flags and what it prints. */
import { parseCliArgs, runSandbox, SANDBOX_CREDENTIALS } from '../../../../tools/dev/sandbox/cli';

describe('parseCliArgs', () => {
	it('defaults the port to $EXOTEL_SANDBOX_PORT, then 4010', () => {
		expect(parseCliArgs([], {})).toEqual({ port: 4010 });
		expect(parseCliArgs([], { EXOTEL_SANDBOX_PORT: '4500' })).toEqual({ port: 4500 });
	});

	it('reads --port, --rate-limit and --seed-users', () => {
		expect(
			parseCliArgs(['--port', '4011', '--rate-limit', '50', '--seed-users', '237'], {}),
		).toEqual({ port: 4011, rateLimit: 50, seedUsers: 237 });
	});

	it('reads --exotel-5xx-at: which password change fails', () => {
		expect(parseCliArgs(['--exotel-5xx-at', '3'], {})).toEqual({ port: 4010, exotel5xxAt: 3 });
	});

	it('reads the rate limit’s switches: headers off, and the 429’s body', () => {
		expect(
			parseCliArgs(
				[
					'--rate-limit',
					'50',
					'--rate-limit-headers',
					'off',
					'--rate-limit-body',
					'rest-exception',
				],
				{},
			),
		).toEqual({
			port: 4010,
			rateLimit: 50,
			rateLimitHeaders: false,
			rateLimitBody: 'rest-exception',
		});
	});

	it.each([
		[['--rate-limit-headers', 'no'], /on or off/],
		[['--rate-limit-body', 'xml'], /one of rest-exception, envelope, text/],
		[['--rate-limit'], /--rate-limit needs a whole number ≥ 1, got nothing/],
		[['--rate-limit', '0'], /≥ 1/],
		[['--seed-users', 'many'], /--seed-users needs a whole number/],
		[['--exotel-5xx-at', '0'], /--exotel-5xx-at needs a whole number ≥ 1/],
		[['--verbose', '1'], /Unknown option --verbose/],
	])('refuses %p', (argv, message) => {
		expect(() => parseCliArgs(argv, {})).toThrow(message);
	});
});

describe('runSandbox', () => {
	it('prints the credential, the rate limit and a summary of many users, and enforces the limit', async () => {
		const lines: string[] = [];
		const sandbox = await runSandbox({ port: 0, rateLimit: 1, seedUsers: 12 }, (line) =>
			lines.push(line),
		);
		try {
			expect(lines).toEqual(
				expect.arrayContaining([
					`Exotel sandbox listening on ${sandbox.url}`,
					`  API Key:     ${SANDBOX_CREDENTIALS.apiKey}`,
					'Rate limit: 1 requests per minute per account (429 beyond it; X-RateLimit-* headers on every answer)',
					'  Asha Rao: a3f1c2d4e5b60718293a4b5c6d7e8f90 / 101',
					'  … and 2 more (GET /users to page through them)',
				]),
			);
			const authorization =
				'Basic ' +
				Buffer.from(`${SANDBOX_CREDENTIALS.apiKey}:${SANDBOX_CREDENTIALS.apiToken}`).toString(
					'base64',
				);
			const get = () =>
				fetch(`${sandbox.url}/v2/accounts/${SANDBOX_CREDENTIALS.accountSid}/users`, {
					headers: { authorization },
				});
			expect((await get()).status).toBe(200);
			expect((await get()).status).toBe(429);
			expect(lines.filter((l) => l.startsWith('GET '))).toEqual([
				expect.stringMatching(
					/^GET \/v2\/accounts\/sandbox\/users -> 200 \(request_id [0-9a-f]{32}\)$/,
				),
				expect.stringMatching(/ -> 429 \[rate-limit\] \(request_id/),
			]);
		} finally {
			await sandbox.stop();
		}
	});
});
