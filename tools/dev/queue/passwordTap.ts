/**
 * A pass-through HTTP proxy in front of the Exotel sandbox that remembers, in clear, every
 * `password` it saw in a request body — so a test can search n8n's database, Redis and logs for
 * the passwords the node generated inside n8n's worker processes. (The sandbox itself keeps
 * passwords only as salted fingerprints.) Everything else is forwarded unchanged: method, path,
 * headers, body, and the sandbox's status, headers and body back.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PasswordTap {
	/** The proxy's base URL: give this to the credential instead of the sandbox's. */
	url: string;
	/** Every password seen in a request body, in arrival order (repeats included). */
	passwords: string[];
	stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export async function startPasswordTap(target: string): Promise<PasswordTap> {
	const upstream = new URL(target);
	const passwords: string[] = [];
	const server: Server = createServer((req, res) => {
		void (async () => {
			const body = await readBody(req);
			try {
				const password = (JSON.parse(body.toString('utf8')) as { password?: unknown }).password;
				if (typeof password === 'string') passwords.push(password);
			} catch {
				// not JSON: nothing to remember
			}
			const forward = request(
				{
					host: upstream.hostname,
					port: upstream.port,
					method: req.method,
					path: req.url,
					headers: { ...req.headers, host: upstream.host },
				},
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				},
			);
			// The sandbox dropped or hung the connection (a fault): do the same to the client.
			forward.on('error', () => req.socket.destroy());
			forward.end(body);
		})().catch(() => req.socket.destroy());
	});
	server.keepAliveTimeout = 1000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		passwords,
		stop: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
