/**
 * A throw-away PostgreSQL for tests: Debian's server binaries (tools/dev/services/install.sh installs
 * them), a fresh cluster in a temporary folder, listening on a free port on 127.0.0.1 only, its
 * Unix socket inside that folder, tuned for speed rather than durability. `stop()` ends it and
 * removes the folder.
 *
 * PostgreSQL refuses to run as root: when the tests run as root (CI), the server runs as the
 * `postgres` system user that Debian's package creates, through `runuser`, in a folder that user
 * owns. Clients (psql, pg_dump) connect over TCP with a password and run as whoever we are.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { collectOutput, freePort, isRoot, run, stopGroup, waitFor } from './common';

export interface Postgres {
	host: string;
	port: number;
	user: string;
	password: string;
	/** The database created for the application (`n8n` unless asked otherwise). */
	database: string;
	/** PostgreSQL's major version, e.g. "15". */
	version: string;
	/** The temporary folder (cluster, socket, log). */
	folder: string;
	/** The `DB_POSTGRESDB_*` settings n8n needs, plus DB_TYPE. */
	n8nEnv(): Record<string, string>;
	/** Runs SQL with psql and returns its unaligned, tuples-only output. */
	query(sql: string): Promise<string>;
	/** `pg_dump` of the application's database as plain SQL text (schema and every row). */
	dump(): Promise<string>;
	/** What the server wrote to stdout/stderr. */
	log(): string;
	stop(): Promise<void>;
}

export interface PostgresOptions {
	database?: string;
}

/** The newest Debian PostgreSQL installed: /usr/lib/postgresql/<version>/bin. */
export function postgresBinDir(): { bin: string; version: string } {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root)
		? readdirSync(root)
				.filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
				.sort((a, b) => Number(a) - Number(b))
		: [];
	const version = versions.at(-1);
	if (!version)
		throw new Error(
			'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run `bash tools/dev/services/install.sh`',
		);
	return { bin: join(root, version, 'bin'), version };
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
	try {
		const [uid, gid] = await Promise.all([
			run('id', ['-u', 'postgres']),
			run('id', ['-g', 'postgres']),
		]);
		return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
	} catch {
		throw new Error(
			'running as root, PostgreSQL needs the `postgres` system user (created by Debian’s postgresql package)',
		);
	}
}

export async function startPostgres(options: PostgresOptions = {}): Promise<Postgres> {
	const { bin, version } = postgresBinDir();
	const database = options.database ?? 'n8n';
	const user = 'postgres';
	const password = randomBytes(12).toString('hex');
	const folder = mkdtempSync(join(tmpdir(), 'exotel-pg-'));
	const data = join(folder, 'data');
	const pwfile = join(folder, 'pwfile');
	writeFileSync(pwfile, password + '\n', { mode: 0o600 });

	const asRoot = isRoot();
	// As root: everything in the folder belongs to the postgres user, and its commands run as it.
	const owner = asRoot ? await postgresUser() : undefined;
	if (owner) {
		chownSync(folder, owner.uid, owner.gid);
		chownSync(pwfile, owner.uid, owner.gid);
	}
	const asServerUser = (command: string, args: string[]): [string, string[]] =>
		asRoot
			? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]]
			: [join(bin, command), args];

	let server: ChildProcess | undefined;
	let output = () => '';
	const stop = async () => {
		if (server) await stopGroup(server, 'SIGINT', 15_000); // SIGINT: PostgreSQL's fast shutdown
		rmSync(folder, { recursive: true, force: true });
	};

	try {
		const [initdb, initdbArgs] = asServerUser('initdb', [
			'-D',
			data,
			'-U',
			user,
			'--pwfile',
			pwfile,
			'--auth-local=trust',
			'--auth-host=scram-sha-256',
			'-E',
			'UTF8',
			'--locale=C',
			'--no-sync',
		]);
		await run(initdb, initdbArgs, { cwd: folder });
		rmSync(pwfile, { force: true });

		const port = await freePort();
		const [postgres, postgresArgs] = asServerUser('postgres', [
			'-D',
			data,
			'-p',
			String(port),
			'-k',
			folder,
			'-c',
			'listen_addresses=127.0.0.1',
			// A throw-away database: speed over durability.
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
			'-c',
			'max_connections=60',
			'-c',
			'shared_buffers=32MB',
		]);
		server = spawn(postgres, postgresArgs, {
			cwd: folder,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		output = collectOutput(server);

		const env = { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' };
		const connection = ['-h', '127.0.0.1', '-p', String(port), '-U', user];
		const psql = async (sql: string, db = database) =>
			(
				await run(
					join(bin, 'psql'),
					[...connection, '-d', db, '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
					{ env, maxBuffer: 256 * 1024 * 1024 },
				)
			).stdout;

		await waitFor(
			async () => {
				if (server!.exitCode !== null) throw new Error('exited');
				await run(join(bin, 'pg_isready'), ['-q', ...connection, '-d', 'postgres'], { env });
				return true;
			},
			30_000,
			() => `PostgreSQL ${version} did not start:\n${output().slice(-3000)}`,
		);
		await psql(`CREATE DATABASE ${database}`, 'postgres');

		return {
			host: '127.0.0.1',
			port,
			user,
			password,
			database,
			version,
			folder,
			n8nEnv: () => ({
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: '127.0.0.1',
				DB_POSTGRESDB_PORT: String(port),
				DB_POSTGRESDB_DATABASE: database,
				DB_POSTGRESDB_USER: user,
				DB_POSTGRESDB_PASSWORD: password,
			}),
			query: psql,
			dump: async () =>
				(
					await run(
						join(bin, 'pg_dump'),
						[...connection, '-d', database, '--no-owner', '--no-privileges', '--format=plain'],
						{
							env,
							maxBuffer: 512 * 1024 * 1024,
						},
					)
				).stdout,
			log: () => output(),
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
