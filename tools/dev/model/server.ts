/**
 * A scripted OpenAI-compatible chat model on 127.0.0.1, for proving what an AI agent does
 * with the Exotel tool without a real model: it serves `POST /v1/chat/completions` and
 * `POST /v1/responses` (plain and streamed) and `GET /v1/models`, answers each request with
 * the next turn of a script (see script.ts), and records every request body it received, so
 * a test can check what reached the "model": the tools and schemas it was offered and the
 * tool results it was sent.
 *
 * Point n8n's OpenAI credential (`openAiApi`) at `baseUrl` with `apiKey`.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { startHttpServer, stopHttpServer } from '../http';
import { readConversation, type ModelApi, type ModelConversation } from './conversation';
import { nextReply, type Reply, type ScriptedConversation } from './script';
import { chatCompletion, errorBody, modelList, response, streamPayloads } from './wire';

export type {
	ModelConversation,
	OfferedTool,
	ToolResult,
	PastToolCall,
	JsonSchema,
} from './conversation';
export type { ScriptedConversation, Turn, CallTurn, SayTurn, Reply } from './script';

export interface ModelServerOptions {
	script: ScriptedConversation[];
	/** The bearer token clients must send (default: none checked). */
	apiKey?: string;
	/** The model ids `GET /v1/models` lists (default `['scripted-model']`). */
	models?: string[];
	host?: string;
	port?: number;
}

export interface RecordedModelRequest {
	api: ModelApi;
	path: string;
	/** The request body exactly as parsed. */
	body: unknown;
	/** The body read as a conversation. */
	conversation: ModelConversation;
	/** The scripted conversation it matched, if any. */
	scripted?: string;
	/** Which reply of the model this was (0 = the first). */
	turn: number;
	reply: Reply;
	receivedAt: number;
}

const MAX_BODY = 5 * 1024 * 1024;

export class ModelServer {
	readonly requests: RecordedModelRequest[] = [];
	private server?: Server;
	private script: ScriptedConversation[];
	private calls = 0;

	constructor(private readonly options: ModelServerOptions) {
		this.script = options.script;
	}

	/** http://127.0.0.1:PORT */
	get url(): string {
		const address = this.server?.address() as AddressInfo | null;
		if (!address) throw new Error('the model server is not listening');
		return `http://127.0.0.1:${address.port}`;
	}

	/** What an OpenAI client takes as its base URL: `${url}/v1`. */
	get baseUrl(): string {
		return `${this.url}/v1`;
	}

	async start(): Promise<this> {
		this.server = await startHttpServer(
			(req, res) => void this.handle(req, res),
			this.options.port,
			this.options.host,
		);
		return this;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		await stopHttpServer(server);
	}

	/** Forgets the recorded requests and, if given, takes a new script. */
	reset(script?: ScriptedConversation[]): void {
		this.requests.length = 0;
		if (script) this.script = script;
	}

	/** The recorded requests of one scripted conversation. */
	requestsOf(conversation: string): RecordedModelRequest[] {
		return this.requests.filter((request) => request.scripted === conversation);
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '');
		const send = (status: number, body: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		if (
			this.options.apiKey !== undefined &&
			req.headers.authorization !== `Bearer ${this.options.apiKey}`
		) {
			req.resume();
			return send(401, errorBody('Incorrect API key provided.', 401));
		}
		if (req.method === 'GET' && path === '/v1/models')
			return send(200, modelList(this.options.models ?? ['scripted-model']));
		const api: ModelApi | undefined =
			path === '/v1/chat/completions' ? 'chat' : path === '/v1/responses' ? 'responses' : undefined;
		if (req.method !== 'POST' || !api) {
			req.resume();
			return send(404, errorBody(`scripted model: no route ${req.method} ${path}`, 404));
		}

		let body: unknown;
		try {
			body = JSON.parse(await readBody(req));
		} catch (error) {
			return send(
				400,
				errorBody(`scripted model: the body is not JSON (${(error as Error).message})`, 400),
			);
		}
		const conversation = readConversation(api, body);
		this.calls += 1;
		const step = nextReply(this.script, conversation, this.calls);
		this.requests.push({
			api,
			path,
			body,
			conversation,
			scripted: step.conversation,
			turn: step.turn,
			reply: step.reply,
			receivedAt: Date.now(),
		});

		const reply = step.reply;
		if (reply.kind === 'error') return send(reply.status, errorBody(reply.message, reply.status));
		const id = `scripted${this.calls}`;
		const model = conversation.model || 'scripted-model';
		const promptTokens = Math.max(1, Math.ceil(JSON.stringify(body).length / 4));
		if (!conversation.stream) {
			return send(
				200,
				api === 'chat'
					? chatCompletion(`chatcmpl-${id}`, model, reply, promptTokens)
					: response(id, model, reply, promptTokens),
			);
		}
		const options = (body as { stream_options?: { include_usage?: boolean } }).stream_options;
		res.writeHead(200, {
			'content-type': 'text/event-stream',
			'cache-control': 'no-cache',
			connection: 'keep-alive',
		});
		for (const payload of streamPayloads(
			api,
			api === 'chat' ? `chatcmpl-${id}` : id,
			model,
			reply,
			promptTokens,
			options?.include_usage === true,
		)) {
			res.write(
				api === 'responses'
					? `event: ${String(payload.type)}\ndata: ${JSON.stringify(payload)}\n\n`
					: `data: ${JSON.stringify(payload)}\n\n`,
			);
		}
		if (api === 'chat') res.write('data: [DONE]\n\n');
		res.end();
	}
}

async function readBody(req: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > MAX_BODY) throw new Error(`larger than ${MAX_BODY} bytes`);
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks).toString('utf8');
}

export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
	return await new ModelServer(options).start();
}
