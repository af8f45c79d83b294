/**
 * A local HTTP endpoint that records the JSON bodies posted to it, e.g. by the HTTP Request
 * node of tools/dev/n8n/workflows.ts collectingTriggerWorkflow: what each execution received.
 */
import type { Server } from 'node:http';

import { startHttpServer, stopHttpServer } from '../http';

export interface Collected {
	execution: string;
	item: Record<string, unknown>;
	receivedAt: number;
}

export interface Collector {
	url: string;
	received: Collected[];
	/** Resolves once `count` bodies have arrived (at most `timeoutMs`). */
	waitFor: (count: number, timeoutMs: number) => Promise<void>;
	stop: () => Promise<void>;
}

export async function startCollector(): Promise<Collector> {
	const received: Collected[] = [];
	const server: Server = await startHttpServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			try {
				const parsed = JSON.parse(body) as { execution?: unknown; item?: Record<string, unknown> };
				received.push({
					execution: String(parsed.execution),
					item: parsed.item ?? {},
					receivedAt: Date.now(),
				});
				res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
			} catch {
				res.writeHead(400).end();
			}
		});
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return {
		url: `http://127.0.0.1:${port}/collect`,
		received,
		waitFor: async (count, timeoutMs) => {
			for (const started = Date.now(); received.length < count; ) {
				if (Date.now() - started > timeoutMs)
					throw new Error(`collector: ${received.length} of ${count} bodies after ${timeoutMs} ms`);
				await new Promise((resolve) => setTimeout(resolve, 200));
			}
		},
		stop: async () => await stopHttpServer(server),
	};
}
