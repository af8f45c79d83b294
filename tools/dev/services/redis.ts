/**
 * A throw-away Redis for tests: Debian's `redis-server` (tools/dev/services/install.sh installs it) on a
 * free port, bound to 127.0.0.1, working folder temporary, no persistence (no RDB snapshots, no
 * AOF). `stop()` ends it and removes the folder. `dumpAll()` reads every key and every value
 * through Redis's own protocol (a tiny client below), for a search of everything Redis holds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { collectOutput, freePort, stopGroup, waitFor } from './common';

/** A RESP reply: simple/bulk string (Buffer), integer, array, null, or an error. */
export type Reply = Buffer | number | null | Error | Reply[];

export interface RedisKeyDump {
	key: string;
	type: string;
	/** Every value the key holds, flattened (hash fields and values, list/set items, zset members and scores, stream ids, fields and values). */
	values: Buffer[];
}

export interface Redis {
	host: string;
	port: number;
	folder: string;
	/** The `QUEUE_BULL_REDIS_*` settings n8n needs in queue mode. */
	n8nEnv(): Record<string, string>;
	/** Sends one command and returns its reply. */
	command(...args: Array<string | number>): Promise<Reply>;
	/** Every key with its type and all its values. */
	dumpAll(): Promise<RedisKeyDump[]>;
	/** `dumpAll()` as one text (latin1, so no byte is lost), for a secret search. */
	dumpText(): Promise<string>;
	log(): string;
	stop(): Promise<void>;
}

/** Sends commands over one connection and parses the RESP replies, in order. */
async function withConnection<T>(
	port: number,
	use: (send: (args: Array<string | number>) => Promise<Reply>) => Promise<T>,
): Promise<T> {
	const socket = connect({ host: '127.0.0.1', port });
	await new Promise<void>((resolve, reject) => {
		socket.once('connect', resolve);
		socket.once('error', reject);
	});
	let buffer = Buffer.alloc(0);
	const waiting: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
	let failure: Error | undefined;
	socket.on('error', (error) => {
		failure = error;
		for (const w of waiting.splice(0)) w.reject(error);
	});
	socket.on('data', (chunk: Buffer) => {
		buffer = Buffer.concat([buffer, chunk]);
		for (;;) {
			const parsed = parse(buffer, 0);
			if (!parsed) break;
			buffer = buffer.subarray(parsed.end);
			waiting.shift()?.resolve(parsed.reply);
		}
	});
	const send = (args: Array<string | number>) =>
		new Promise<Reply>((resolve, reject) => {
			if (failure) return reject(failure);
			waiting.push({ resolve, reject });
			const parts = args.map((a) => Buffer.from(String(a)));
			socket.write(
				Buffer.concat([
					Buffer.from(`*${parts.length}\r\n`),
					...parts.flatMap((p) => [Buffer.from(`$${p.length}\r\n`), p, Buffer.from('\r\n')]),
				]),
			);
		});
	try {
		return await use(send);
	} finally {
		socket.destroy();
	}
}

/** Parses one RESP2 reply at `offset`; undefined if the buffer does not hold all of it yet. */
function parse(buffer: Buffer, offset: number): { reply: Reply; end: number } | undefined {
	const lineEnd = buffer.indexOf('\r\n', offset);
	if (lineEnd < 0) return undefined;
	const kind = String.fromCharCode(buffer[offset]);
	const line = buffer.subarray(offset + 1, lineEnd).toString('latin1');
	const next = lineEnd + 2;
	switch (kind) {
		case '+':
			return { reply: Buffer.from(line, 'latin1'), end: next };
		case '-':
			return { reply: new Error(line), end: next };
		case ':':
			return { reply: Number(line), end: next };
		case '$': {
			const length = Number(line);
			if (length < 0) return { reply: null, end: next };
			if (buffer.length < next + length + 2) return undefined;
			return { reply: Buffer.from(buffer.subarray(next, next + length)), end: next + length + 2 };
		}
		case '*': {
			const count = Number(line);
			if (count < 0) return { reply: null, end: next };
			const items: Reply[] = [];
			let at = next;
			for (let i = 0; i < count; i++) {
				const item = parse(buffer, at);
				if (!item) return undefined;
				items.push(item.reply);
				at = item.end;
			}
			return { reply: items, end: at };
		}
		default:
			throw new Error(`unexpected RESP reply type ${JSON.stringify(kind)}`);
	}
}

function flatten(reply: Reply): Buffer[] {
	if (reply === null) return [];
	if (Buffer.isBuffer(reply)) return [reply];
	if (typeof reply === 'number') return [Buffer.from(String(reply))];
	if (reply instanceof Error) throw reply;
	return reply.flatMap(flatten);
}

/** The command that reads every value of a key of this type. */
function readCommand(type: string, key: Buffer): Array<string | number> | undefined {
	const k = key.toString('latin1');
	switch (type) {
		case 'string':
			return ['GET', k];
		case 'hash':
			return ['HGETALL', k];
		case 'list':
			return ['LRANGE', k, 0, -1];
		case 'set':
			return ['SMEMBERS', k];
		case 'zset':
			return ['ZRANGE', k, 0, -1, 'WITHSCORES'];
		case 'stream':
			return ['XRANGE', k, '-', '+'];
		default:
			return undefined;
	}
}

export async function startRedis(): Promise<Redis> {
	const folder = mkdtempSync(join(tmpdir(), 'exotel-redis-'));
	const port = await freePort();
	const child = spawn(
		'redis-server',
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--dir',
			folder,
			'--save',
			'',
			'--appendonly',
			'no',
			'--protected-mode',
			'yes',
			'--daemonize',
			'no',
			'--loglevel',
			'warning',
		],
		{ cwd: folder, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	const output = collectOutput(child);
	const stop = async () => {
		await stopGroup(child, 'SIGTERM', 10_000);
		rmSync(folder, { recursive: true, force: true });
	};
	let spawnError: Error | undefined;
	child.once('error', (error) => (spawnError = error));

	const command = async (...args: Array<string | number>) =>
		await withConnection(port, async (send) => await send(args));
	try {
		await waitFor(
			async () => {
				if (spawnError) throw spawnError;
				if (child.exitCode !== null) throw new Error('exited');
				const pong = await command('PING');
				return Buffer.isBuffer(pong) && pong.toString() === 'PONG';
			},
			20_000,
			() =>
				`redis-server did not start${spawnError ? ` (${spawnError.message}: run \`bash tools/dev/services/install.sh\`)` : ''}:\n${output().slice(-3000)}`,
		);
	} catch (error) {
		await stop();
		throw error;
	}

	const dumpAll = async (): Promise<RedisKeyDump[]> =>
		await withConnection(port, async (send) => {
			const keys: Buffer[] = [];
			let cursor = '0';
			do {
				const [next, batch] = (await send(['SCAN', cursor, 'COUNT', 1000])) as [Buffer, Buffer[]];
				cursor = next.toString();
				keys.push(...batch);
			} while (cursor !== '0');
			const dumps: RedisKeyDump[] = [];
			for (const key of keys) {
				const type = ((await send(['TYPE', key.toString('latin1')])) as Buffer).toString();
				if (type === 'none') continue; // expired meanwhile
				const read = readCommand(type, key);
				if (!read)
					throw new Error(
						`Redis key ${key.toString('latin1')} has type ${type}, which this dump cannot read`,
					);
				dumps.push({ key: key.toString('latin1'), type, values: flatten(await send(read)) });
			}
			return dumps;
		});

	return {
		host: '127.0.0.1',
		port,
		folder,
		n8nEnv: () => ({ QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(port) }),
		command,
		dumpAll,
		dumpText: async () =>
			(await dumpAll())
				.map((d) => [d.key, d.type, ...d.values.map((v) => v.toString('latin1'))].join('\n'))
				.join('\n\n'),
		log: output,
		stop,
	};
}
