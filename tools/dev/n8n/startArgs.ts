/**
 * `npm start`'s options (tools/scripts/start.ts): n8n's and the sandbox's ports, the sandbox's size,
 * a fresh folder, and the failure switches that let a builder watch recovery work.
 */
import { DEFAULT_N8N_PORT, DEFAULT_SANDBOX_PORT } from './sandboxN8n';

/** The examples and "Exotel: try it" act on the three named users: fewer would break them. */
export const MIN_USERS = 3;

export interface StartArgs {
	port: number;
	sandboxPort: number;
	fresh: boolean;
	users?: number;
	/** The local mailbox refuses mail to these addresses (SMTP 550). */
	refuseMail: string[];
	/** The Nth password change since the start answers 503 through all of the node's tries. */
	exotel5xxAt?: number;
	/** n8n is killed (SIGKILL) right after the Nth password change since the start, then started again. */
	killN8nAt?: number;
}

const USAGE =
	'use --port N (n8n, or env N8N_PORT), --sandbox-port N (the Exotel sandbox, default 4010), --users N (sandbox users, default 3), ' +
	'--fresh (start from an empty .n8n-sandbox/), --refuse-mail ADDRESS, --exotel-5xx-at N, --kill-n8n-at N';

export function parseStartArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): StartArgs {
	const args: StartArgs = {
		port: Number(env.N8N_PORT ?? DEFAULT_N8N_PORT),
		sandboxPort: DEFAULT_SANDBOX_PORT,
		fresh: false,
		refuseMail: [],
	};
	const whole = (
		flag: string,
		raw: string | undefined,
		min: number,
		max: number,
		example: string,
	): number => {
		const value = /^[0-9]+$/.test(raw ?? '') ? Number(raw) : NaN;
		if (!(value >= min && value <= max))
			throw new Error(
				`${flag} needs a whole number from ${min} to ${max}, e.g. ${flag} ${example}; got ${raw ?? 'nothing'}`,
			);
		return value;
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--fresh') {
			args.fresh = true;
			continue;
		}
		const [flag, inline] =
			arg.startsWith('--') && arg.includes('=')
				? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
				: [arg, undefined];
		const value = (): string | undefined => inline ?? argv[++i];
		if (flag === '--port') args.port = whole(flag, value(), 1, 65535, '5679');
		else if (flag === '--sandbox-port') args.sandboxPort = whole(flag, value(), 1, 65535, '4011');
		else if (flag === '--users') args.users = whole(flag, value(), MIN_USERS, 100_000, '237');
		else if (flag === '--exotel-5xx-at') args.exotel5xxAt = whole(flag, value(), 1, 100_000, '2');
		else if (flag === '--kill-n8n-at') args.killN8nAt = whole(flag, value(), 1, 100_000, '2');
		else if (flag === '--refuse-mail') {
			const address = value();
			if (!address || !/^[^@\s]+@[^@\s]+$/.test(address))
				throw new Error(
					`--refuse-mail needs an email address, e.g. --refuse-mail asha.rao@example.com; got ${address ?? 'nothing'}`,
				);
			args.refuseMail.push(address);
		} else throw new Error(`Unknown option ${arg}; ${USAGE}`);
	}
	if (!(args.port >= 1 && args.port <= 65535))
		throw new Error('N8N_PORT needs a port number, e.g. N8N_PORT=5679');
	return args;
}
