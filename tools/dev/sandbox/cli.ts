/**
 * `npm run sandbox [-- --port 4010] [--rate-limit 50] [--seed-users 237]`: runs the Exotel
 * sandbox until Ctrl-C and prints the credential values that reach it. The key and token
 * are the sandbox's own, not secrets.
 *
 *   --port N          port to listen on (default $EXOTEL_SANDBOX_PORT or 4010)
 *   --rate-limit R    enforce R requests per minute per account, answering 429 beyond it, with
 *                     Exotel's X-RateLimit-* headers on every answer (fixed minutes)
 *   --rate-limit-headers off   the same limit in a rolling minute, without the headers
 *   --rate-limit-body rest-exception|envelope|text   the 429's body (default envelope)
 *   --seed-users N    start with N users (the three named ones first, then generated ones)
 *   --exotel-5xx-at N the N-th password change answers 503 through all of the node's tries
 *                     (6 in a row), then Exotel answers again: a rotation fails part-way
 */
import { failPasswordChangeAt } from './passwordChanges';
import { seedUsers, startSandbox, type ExotelSandbox, type RecordedRequest } from './server';

export const SANDBOX_CREDENTIALS = {
	apiKey: 'sandbox-key',
	apiToken: 'sandbox-token',
	accountSid: 'sandbox',
} as const;

export interface CliOptions {
	port: number;
	/** Requests per minute per account. */
	rateLimit?: number;
	/** false: no X-RateLimit-* headers (and a rolling minute). */
	rateLimitHeaders?: boolean;
	rateLimitBody?: 'rest-exception' | 'envelope' | 'text';
	seedUsers?: number;
	/** The N-th password change fails with 503 through the node's retries. */
	exotel5xxAt?: number;
}

const BODIES = ['rest-exception', 'envelope', 'text'] as const;

/** Reads the flags; throws with a usable message on a bad or unknown one. */
export function parseCliArgs(
	argv: readonly string[],
	env: NodeJS.ProcessEnv = process.env,
): CliOptions {
	const options: CliOptions = { port: Number(env.EXOTEL_SANDBOX_PORT ?? 4010) };
	for (let i = 0; i < argv.length; i += 2) {
		const [flag, raw] = [argv[i], argv[i + 1]];
		const value = raw !== undefined && /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
		const need = (min: number) => {
			if (!(value >= min))
				throw new Error(`${flag} needs a whole number ≥ ${min}, got ${raw ?? 'nothing'}`);
			return value;
		};
		if (flag === '--rate-limit-headers') {
			if (raw !== 'on' && raw !== 'off')
				throw new Error(`--rate-limit-headers needs on or off, got ${raw ?? 'nothing'}`);
			options.rateLimitHeaders = raw === 'on';
			continue;
		}
		if (flag === '--rate-limit-body') {
			const body = BODIES.find((b) => b === raw);
			if (!body)
				throw new Error(
					`--rate-limit-body needs one of ${BODIES.join(', ')}, got ${raw ?? 'nothing'}`,
				);
			options.rateLimitBody = body;
			continue;
		}
		if (flag === '--port') options.port = need(0);
		else if (flag === '--rate-limit') options.rateLimit = need(1);
		else if (flag === '--seed-users') options.seedUsers = need(0);
		else if (flag === '--exotel-5xx-at') options.exotel5xxAt = need(1);
		else
			throw new Error(
				`Unknown option ${flag}; use --port N, --rate-limit R, --rate-limit-headers on|off, --rate-limit-body B, --seed-users N, --exotel-5xx-at N`,
			);
	}
	return options;
}

/** How many seeded users to list by name before summarising the rest. */
const LISTED_USERS = 10;

export async function runSandbox(
	options: CliOptions,
	print: (line: string) => void = console.log,
): Promise<ExotelSandbox> {
	let hook: (request: RecordedRequest) => void = () => undefined;
	const sandbox = await startSandbox({
		...SANDBOX_CREDENTIALS,
		port: options.port,
		users: options.seedUsers === undefined ? undefined : seedUsers(options.seedUsers),
		rateLimit:
			options.rateLimit === undefined
				? undefined
				: {
						limit: options.rateLimit,
						windowMs: 60_000,
						headers: options.rateLimitHeaders,
						body: options.rateLimitBody,
					},
		onRequest: (r) => {
			print(
				`${r.method} ${r.url} -> ${r.status}${r.fault ? ` [${r.fault}]` : ''} (request_id ${r.request_id})`,
			);
			hook(r);
		},
	});
	if (options.exotel5xxAt !== undefined) {
		hook = failPasswordChangeAt(sandbox, options.exotel5xxAt);
		print(
			`Password change ${options.exotel5xxAt} (counted from now) answers 503 six times in a row (the node's default tries), then Exotel answers again`,
		);
	}
	print(`Exotel sandbox listening on ${sandbox.url}`);
	print('Exotel credential for n8n:');
	print(`  API Key:     ${SANDBOX_CREDENTIALS.apiKey}`);
	print(`  API Token:   ${SANDBOX_CREDENTIALS.apiToken}`);
	print(`  Account SID: ${SANDBOX_CREDENTIALS.accountSid}`);
	print(`  Region:      Custom`);
	print(`  Base URL:    ${sandbox.url}`);
	if (options.rateLimit !== undefined) {
		const headers =
			options.rateLimitHeaders === false
				? 'no rate-limit headers'
				: 'X-RateLimit-* headers on every answer';
		print(
			`Rate limit: ${options.rateLimit} requests per minute per account (429 beyond it; ${headers})`,
		);
	}
	print('Seeded users (user_id / SIP device_id):');
	const users = [...sandbox.users.values()];
	for (const user of users.slice(0, LISTED_USERS)) {
		const sip = user.devices.filter((d) => d.type === 'sip').map((d) => d.id);
		print(
			`  ${user.first_name} ${user.last_name}: ${user.id} / ${sip.length ? sip.join(', ') : '(no SIP device)'}`,
		);
	}
	if (users.length > LISTED_USERS)
		print(`  … and ${users.length - LISTED_USERS} more (GET /users to page through them)`);
	return sandbox;
}

async function main(): Promise<void> {
	let options: CliOptions;
	try {
		options = parseCliArgs(process.argv.slice(2));
	} catch (error) {
		console.error((error as Error).message);
		process.exit(2);
	}
	let sandbox: ExotelSandbox;
	try {
		sandbox = await runSandbox(options);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
		console.error(
			`Port ${options.port} is already in use (another sandbox, or npm start?). Stop what uses it, or pick another: --port ${options.port + 1}`,
		);
		process.exit(2);
	}
	const stop = () => void sandbox.stop().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

if (require.main === module) void main();
