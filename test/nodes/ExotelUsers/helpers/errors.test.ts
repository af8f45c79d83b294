import { exotelErrorData, redact, translateExotelError } from '../../../../nodes/ExotelUsers/helpers/errors';

const REQUEST_ID = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';

function envelope(status: number, code: number, message: string, description: string) {
	return {
		request_id: REQUEST_ID,
		method: 'PUT',
		http_code: status,
		response: { code: status, error_data: { code, message, description }, status: 'failure', data: null },
	};
}

describe('translateExotelError', () => {
	it('names the status, Exotel’s code, message and description, and the request_id', () => {
		const result = translateExotelError({ status: 404, body: envelope(404, 10801, 'User not found', 'No user with this id') });
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
		expect(translateExotelError({ status: 403, body: envelope(403, 10810, 'Forbidden', 'Another device is ON') }).description).toMatch(
			/only one device of a user to be ON/,
		);
	});

	it.each([
		['an empty body', undefined, 'Exotel answered 502 Bad Gateway with an empty body'],
		['an empty string', '', 'Exotel answered 502 Bad Gateway with an empty body'],
		['an HTML page', '<html><body>Bad gateway</body></html>', 'Exotel answered 502 Bad Gateway with an HTML page instead of JSON'],
		['plain text', 'upstream timed out\nmore', 'Exotel answered 502 Bad Gateway with a non-JSON body ("upstream timed out")'],
		['JSON without error_data', { ok: false }, 'Exotel answered 502 Bad Gateway with a body without Exotel’s error details'],
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
		const body = { request_id: REQUEST_ID, response: [{ code: 400, status: 'failure', error_data: { code: 1002, message: 'Invalid parameter', description: 'limit' } }] };
		expect(exotelErrorData(body)).toEqual({ code: '1002', message: 'Invalid parameter', description: 'limit' });
	});

	it('explains network failures without an HTTP status, keeping n8n’s generic texts out', () => {
		const result = translateExotelError({ networkCode: 'ECONNREFUSED', host: '127.0.0.1:9' });
		expect(result.message).toBe('Could not reach Exotel at 127.0.0.1:9: the connection was refused');
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

	it('does not call a failed create safe to retry', () => {
		const server = translateExotelError({ status: 503, body: undefined, method: 'POST' });
		expect(server.description).toMatch(/may or may not have been carried out/);
		expect(server.description).not.toMatch(/safe to retry/);
		const network = translateExotelError({ networkCode: 'ECONNRESET', method: 'POST' });
		expect(network.description).toMatch(/may or may not have been carried out/);
		expect(network.description).not.toMatch(/safe to retry/);
	});
});

describe('redact', () => {
	it('replaces every occurrence and ignores secrets too short to be meaningful', () => {
		expect(redact('a-token a-token', ['a-token'])).toBe('[redacted] [redacted]');
		expect(redact('abc', ['ab'])).toBe('abc');
	});
});
