/**
 * The local HTTP servers of the kit (the Exotel sandbox, the scripted model) start and stop
 * the same way: on loopback by default, short keep-alive so that idle sockets do not hold a
 * test process open, and a stop that closes every connection, hung ones included.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export async function startHttpServer(
	handle: (req: IncomingMessage, res: ServerResponse) => void,
	port = 0,
	host = '127.0.0.1',
): Promise<Server> {
	const server = createServer(handle);
	server.keepAliveTimeout = 1000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => resolve());
	});
	return server;
}

export async function stopHttpServer(server: Server): Promise<void> {
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
}
