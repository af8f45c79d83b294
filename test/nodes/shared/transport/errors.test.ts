import {
	exotelErrorData,
	redact,
	stopText,
	translateExotelError,
} from '../../../../nodes/shared/transport/errors';
import type { StopReason } from '../../../../nodes/shared/transport/retry';

const REQUEST_ID = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';

function envelope(status: number, code: number, message: string, description: string) {
	return {
		request_id: REQUEST_ID,
		method: 'PUT',
		http_code: status,
		response: {
			code: status,
			error_data: { code, message, description },
			status: 'failure',
			data: null,
		},
	};
}

describe('translateExotelError', () => {
	it('names the status, Exotel’s code, message and description, and the request_id', () => {
		const result = translateExotelError({
			status: 404,
			body: envelope(404, 10801, 'User not found', 'No user with this id'),
		});
		expect(result.message).toBe(
			`Exotel answered 404 Not Found (error 10801: User not found): No user with this id [request_id ${REQUEST_ID}]`,
		);
		expect(result.httpCode).toBe('404');
		expect(result.envelope).toEqual({
			request_id: REQUEST_ID,
			http_code: 404,
			response: envelope(404, 10801, 'User not found', 'No user with this id').response,
		});
	});

	it.each([
		[400, 1002, /Exotel rejected a value/],
		[401, 1010, /API key, API token and account SID.*region/],
		[403, 1003, /does not allow this action/],
		[404, 1000, /user or device ID does not exist in this account and region/],
		[409, 10811, /conflicts with the current state/],
		[429, 0, /rate limit/],
		[500, 1004, /failure on Exotel’s side.*safe to retry/],
		[503, 0, /failure on Exotel’s side.*safe to retry/],
	])('gives a hint for %i', (status, code, hint) => {
		const result = translateExotelError({ status, body: envelope(status, code, 'x', 'y') });
		expect(result.description).toMatch(hint);
	});

	it('prefers a code-specific hint where Exotel’s code says more than the status', () => {
		expect(
			translateExotelError({ status: 403, body: envelope(403, 10814, 'Forbidden', 'KYC pending') })
				.description,
		).toMatch(/KYC is incomplete/);
	});

	it.each([
		['an empty body', undefined, 'Exotel answered 502 Bad Gateway with an empty body'],
		['an empty string', '', 'Exotel answered 502 Bad Gateway with an empty body'],
		[
			'an HTML page',
			'<html><body>Bad gateway</body></html>',
			'Exotel answered 502 Bad Gateway with an HTML page instead of JSON',
		],
		[
			'plain text',
			'upstream timed out\nmore',
			'Exotel answered 502 Bad Gateway with a non-JSON body ("upstream timed out")',
		],
		[
			'JSON without error_data',
			{ ok: false },
			'Exotel answered 502 Bad Gateway with a body without Exotel’s error details',
		],
	])('still explains %s', (_name, body, message) => {
		const result = translateExotelError({ status: 502, body });
		expect(result.message).toBe(message);
		expect(result.description).toMatch(/safe to retry/);
	});

	it('reads Exotel’s older RestException shape', () => {
		const body = { RestException: { Status: 429, Message: 'Too many requests' } };
		expect(translateExotelError({ status: 429, body }).message).toBe(
			'Exotel answered 429 Too Many Requests (error 429: Too many requests)',
		);
	});

	it('reads error_data from a list envelope', () => {
		const body = {
			request_id: REQUEST_ID,
			response: [
				{
					code: 400,
					status: 'failure',
					error_data: { code: 1002, message: 'Invalid parameter', description: 'limit' },
				},
			],
		};
		expect(exotelErrorData(body)).toEqual({
			code: '1002',
			message: 'Invalid parameter',
			description: 'limit',
		});
	});

	it('explains network failures without an HTTP status, keeping n8n’s generic texts out', () => {
		const result = translateExotelError({ networkCode: 'ECONNREFUSED', host: '127.0.0.1:9' });
		expect(result.message).toBe(
			'Could not reach Exotel at 127.0.0.1:9: the connection was refused',
		);
		// n8n replaces any message containing a code like ECONNREFUSED with its own generic text.
		expect(result.message).not.toMatch(/ECONN/);
		expect(result.description).toMatch(/ECONNREFUSED/);
		expect(result.description).toMatch(/region \(or base URL\)/);
		expect(result.httpCode).toBeUndefined();
	});

	it('removes secrets that Exotel echoes back, from the message and the envelope', () => {
		const secret = 'Sup3r$ecret!';
		const body = envelope(400, 1002, 'Invalid parameter', `password ${secret} is not allowed`);
		const result = translateExotelError({ status: 400, body, secrets: [secret, 'tok-123456'] });
		expect(JSON.stringify(result)).not.toContain(secret);
		expect(result.message).toContain('password [redacted] is not allowed');
	});

	it('does not call a failed request that is not idempotent safe to retry', () => {
		const server = translateExotelError({ status: 503, body: undefined, idempotent: false });
		expect(server.description).toMatch(/may or may not have been carried out/);
		expect(server.description).not.toMatch(/safe to retry/);
		const network = translateExotelError({ networkCode: 'ECONNRESET', idempotent: false });
		expect(network.description).toMatch(/may or may not have been carried out/);
		expect(network.description).not.toMatch(/safe to retry/);
	});

	it('uses the operation’s own advice for such a failure, and its own hints by code', () => {
		const hints = { unsure: 'Check with Get Many.', codes: { '10813': 'The email is taken.' } };
		expect(translateExotelError({ status: 502, idempotent: false, hints }).description).toMatch(
			/Check with Get Many\./,
		);
		expect(
			translateExotelError({ networkCode: 'ECONNRESET', idempotent: false, hints }).description,
		).toMatch(/Check with Get Many\.$/);
		// A 429 says the request was not carried out: no doubt to report.
		expect(translateExotelError({ status: 429, idempotent: false, hints }).description).not.toMatch(
			/Get Many/,
		);
		expect(
			translateExotelError({ status: 409, body: envelope(409, 10813, 'Conflict', 'taken'), hints })
				.description,
		).toBe('The email is taken.');
	});

	it('has no hints of its own for codes only one operation meets', () => {
		for (const code of [10810, 10813, 10817]) {
			expect(
				translateExotelError({ status: 403, body: envelope(403, code, 'Forbidden', 'x') })
					.description,
			).toBe(
				translateExotelError({ status: 403, body: envelope(403, 1003, 'Forbidden', 'x') })
					.description,
			);
		}
	});
});

describe('why a request was not retried', () => {
	/** One reason of every kind: adding a kind to StopReason fails to compile here until it has a row. */
	const REASONS: {
		[K in StopReason['kind']]: [Extract<StopReason, { kind: K }>, string | undefined];
	} = {
		final: [{ kind: 'final' }, undefined],
		'attempts-used': [{ kind: 'attempts-used', attempts: 6 }, undefined],
		'retries-off': [{ kind: 'retries-off' }, 'retries are off'],
		'wait-too-long': [
			{ kind: 'wait-too-long', askedMs: 120_000, maxMs: 60_000 },
			'Exotel asked to wait 120 s, longer than the longest wait allowed (60 s)',
		],
		'unsafe-to-repeat': [{ kind: 'unsafe-to-repeat' }, 'it is not safe to repeat'],
	};

	it.each(Object.values(REASONS))(
		'%j: its text, and the description starts with it',
		(stop, text) => {
			expect(stopText(stop)).toBe(text);
			const translated = translateExotelError({
				status: 503,
				stop,
				attempts: stop.kind === 'attempts-used' ? 6 : 1,
			});
			if (text)
				expect(translated.description).toMatch(
					new RegExp(`^Not retried: ${text.replace(/[()]/g, '\\$&')}\\. `),
				);
			else expect(translated.description).not.toMatch(/Not retried/);
		},
	);

	it('says in the message how many attempts were made, once there was more than one', () => {
		expect(
			translateExotelError({
				status: 503,
				stop: { kind: 'attempts-used', attempts: 3 },
				attempts: 3,
			}).message,
		).toMatch(/; gave up after 3 attempts$/);
		expect(
			translateExotelError({ status: 503, stop: { kind: 'final' }, attempts: 1 }).message,
		).not.toMatch(/gave up/);
	});
});

describe('redact', () => {
	it('replaces every occurrence and ignores secrets too short to be meaningful', () => {
		expect(redact('a-token a-token', ['a-token'])).toBe('[redacted] [redacted]');
		expect(redact('abc', ['ab'])).toBe('abc');
	});
});
