import { request } from 'node:http';

/**
 * POSTs `body` as JSON and reads the answer as text, and as JSON when it is. node:http, not
 * fetch: a rotation's answer may take minutes, beyond fetch's 300 s header timeout.
 */
export async function postJson(
	url: string,
	body: unknown,
): Promise<{ status: number; text: string; json: any }> {
	return await new Promise((resolve, reject) => {
		const payload = JSON.stringify(body);
		const req = request(
			url,
			{
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'content-length': Buffer.byteLength(payload),
				},
			},
			(res) => {
				let text = '';
				res.setEncoding('utf8');
				res.on('data', (chunk: string) => (text += chunk));
				res.on('end', () => {
					let json: any;
					try {
						json = JSON.parse(text);
					} catch {
						json = undefined;
					}
					resolve({ status: res.statusCode ?? 0, text, json });
				});
			},
		);
		req.on('error', reject);
		req.end(payload);
	});
}
