/**
 * `npm start [-- --port 5678] [--sandbox-port 4010] [--fresh] [--users N] [failure switches]`:
 * n8n's editor with this node loaded, against the local Exotel sandbox — no Exotel account needed.
 *
 * 1. installs the n8n runtime if needed (tools/dev/n8n/runtime.sh: n8n 2.41.1 on Node 24 from
 *    the npm registry, into ~/.cache/n8n-nodes-exotel-users; the first run prints a progress
 *    line every 20 s, npm's own output goes to a log file);
 * 2. starts the Exotel sandbox in this process on 127.0.0.1:4010 (a port in use is an error
 *    naming it, never moved), logging one line per request (method, path, status — never a
 *    body), with the three named users, or N users with `--users N` (the three, then generated
 *    ones: enough to try the user picker's search and paging on an account the size of a real one);
 * 3. prepares the user folder `.n8n-sandbox/` (kept between runs, so your own workflows
 *    stay): the node loaded from `dist/` as a custom extension (type `CUSTOM.exotelUsers`), the
 *    credentials "Exotel sandbox", "SMTP (your mail server)" and "Webhook callers (Header Auth)", the
 *    examples and "Exotel: try it" imported (re-imported, i.e. reset, at every start; what was
 *    published before is published again, and the recovery workflow always is);
 * 4. starts n8n on http://localhost:5678 with its owner set up (the same password hash at every
 *    start, so a browser stays signed in), logs in once over REST to prove the login works, and
 *    prints what to open and what to click.
 *
 * Failure switches, to watch recovery work (password changes counted from this start):
 * `--refuse-mail ADDRESS` (the local mailbox answers 550 to every mail to it), `--exotel-5xx-at N`
 * (the N-th password change answers 503 through all of the node's tries, once), `--kill-n8n-at N`
 * (n8n is killed with SIGKILL right after the N-th password change and started again, once).
 *
 * Ctrl-C (or SIGTERM/SIGHUP) stops n8n (its whole process group: n8n and its task runner)
 * and the sandbox, and exits 0.
 *
 * The setup itself is tools/dev/n8n/sandboxN8n.ts, which the browser tier runs too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

import { ROOT } from '../dev/n8n/n8n';
import {
	DEFAULT_FOLDER,
	prepareSandboxN8n,
	stopLeftoverN8n,
	TRY_IT,
	WEBHOOK_CALLER_CREDENTIAL,
	type SandboxN8n,
} from '../dev/n8n/sandboxN8n';
import { OWNER } from '../dev/n8n/server';
import { MIN_USERS, parseStartArgs, type StartArgs } from '../dev/n8n/startArgs';
import { TerminalLog } from '../dev/n8n/terminalLog';
import { CREDENTIAL } from '../dev/n8n/workflows';
import { SANDBOX_CREDENTIALS } from '../dev/sandbox/cli';
import { afterPasswordChanges, failPasswordChangeAt } from '../dev/sandbox/passwordChanges';
import type { RecordedRequest } from '../dev/sandbox/server';

async function installRuntime(): Promise<void> {
	// Run by `npm start`, this process has the project's .npmrc in its environment as npm_config_*
	// variables: ignore-scripts=true would reach the runtime's own npm and stop node@24's
	// installer (it fetches the binary in a preinstall script) and the sqlite3 build.
	const env = { ...process.env };
	delete env.npm_config_ignore_scripts;
	// stderr carries the progress (one line per download on the first run); stdout only the paths.
	const child = spawn('bash', [join(ROOT, 'tools', 'dev', 'n8n', 'runtime.sh'), 'install'], {
		env,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	const code = await new Promise<number | null>((resolve, reject) => {
		child.once('error', reject);
		child.once('exit', (exitCode) => resolve(exitCode));
	});
	if (code !== 0)
		throw new Error(`installing the n8n runtime failed (exit ${code}); see the messages above`);
}

/** Says who got a mail, as it arrives; the text (with a password) stays in the mailbox. */
function announceMail(mailbox: SandboxN8n['mailbox']): void {
	let seen = 0;
	const next = (): void => {
		void mailbox.waitFor(seen + 1, 24 * 3600_000).then(
			(mails) => {
				for (const mail of mails.slice(seen))
					console.log(`[mailbox] to ${mail.to.join(', ')}: "${mail.subject}"`);
				seen = mails.length;
				next();
			},
			() => undefined,
		);
	};
	next();
}

function banner(setup: SandboxN8n, args: StartArgs): string {
	const { editorUrl, sandbox } = setup;
	const n8nLocal = editorUrl;
	const examples = setup.workflows
		.filter((w) => w.id !== TRY_IT.id)
		.map((w) => `      - ${w.name}`);
	const rule = '─'.repeat(78);
	const all = [...sandbox.users.values()];
	const named = all
		.slice(0, MIN_USERS)
		.map((u) => `${u.first_name} ${u.last_name}`)
		.join(', ');
	const users =
		all.length > MIN_USERS ? `${named} and ${all.length - MIN_USERS} generated ones` : named;
	const published =
		setup.published
			.map((id) => `"${setup.workflows.find((w) => w.id === id)?.name ?? id}"`)
			.join(', ') || 'none';
	const token = `${WEBHOOK_CALLER_CREDENTIAL.header}: ${setup.webhookToken}`;
	return [
		'',
		rule,
		` n8n is ready, with the Exotel node and the Exotel sandbox: open ${editorUrl}`,
		rule,
		` Sign in:   ${OWNER.email}   password ${OWNER.password}`,
		'',
		` Try it:    Overview → open the workflow "${TRY_IT.name}" → click "Execute workflow".`,
		`            Double-click the "${TRY_IT.exotelNode}" node: its output panel shows Exotel's`,
		'            envelope (request_id, http_code 200, response.status "success") and the',
		'            generated sipPassword. The sandbox logs the request below.',
		` Credential: Overview → Credentials → "${CREDENTIAL.name}" (Region: Custom, Base URL ${sandbox.url},`,
		`            API Key ${SANDBOX_CREDENTIALS.apiKey}, API Token ${SANDBOX_CREDENTIALS.apiToken}, Account SID ${SANDBOX_CREDENTIALS.accountSid}).`,
		' Examples (Overview → Workflows):',
		...examples,
		`            Published (kept across restarts): ${published}.`,
		'            The webhook ones: click "Execute workflow", then send the trigger, e.g.',
		`            curl -X POST ${n8nLocal}/webhook-test/exotel-new-hire -H 'content-type: application/json' -H '${token}' \\`,
		`                 -d '{"employee_id":"E-2041","first_name":"Farah","last_name":"Khan","email":"farah.khan@example.com"}'`,
		`            curl -X POST ${n8nLocal}/webhook-test/exotel-reset-softphone -H 'content-type: application/json' -H '${token}' \\`,
		`                 -d '{"ticket_id":"T-1042","requester_email":"asha.rao@example.com"}'`,
		`            (their callers prove themselves with that header: credential "${WEBHOOK_CALLER_CREDENTIAL.name}")`,
		` Sandbox:   ${sandbox.url} (Exotel's Users API; users ${users}; state resets at each start)`,
		` Mailbox:   SMTP on ${setup.mailbox.host}:${setup.mailbox.port}: the examples' Send Email nodes deliver here (credential`,
		'            "SMTP (your mail server)"); each mail is announced below by recipient and subject, never its text.',
		` Folder:    ${setup.folder.folder} (kept between runs, sign-in and publishing too; the credentials and these`,
		"            workflows are re-imported at each start; n8n's log: .n8n/logs/n8n.log in it; npm start -- --fresh empties it)",
		...failures(args),
		'',
		' Ctrl-C stops n8n and the sandbox.',
		rule,
		'',
	].join('\n');
}

/** The banner's lines for the failure switches in effect, or how to turn them on. */
function failures(args: StartArgs): string[] {
	const on = [
		...args.refuseMail.map(
			(address) =>
				`the mailbox refuses every mail to ${address} (SMTP 550), until npm start is restarted without it`,
		),
		...(args.exotel5xxAt === undefined
			? []
			: [
					`Exotel answers 503 to password change ${args.exotel5xxAt} through all of the node's 6 tries`,
				]),
		...(args.killN8nAt === undefined
			? []
			: [`n8n is killed right after password change ${args.killN8nAt}, then started again`]),
	];
	if (on.length === 0)
		return [
			' Failures:  none; to watch recovery work, start with --refuse-mail ADDRESS, --exotel-5xx-at N or --kill-n8n-at N (README)',
		];
	return [
		` Failures:  ${on[0]}`,
		...on.slice(1).map((line) => `            ${line}`),
		'            (password changes are counted from this start; the 503s and the kill happen once, so a re-run succeeds)',
	];
}

/** The parent pid of a process, from /proc (Linux); undefined when unknown. */
function parentOf(pid: number): number | undefined {
	try {
		// /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
	} catch {
		return undefined;
	}
}

/**
 * Calls `onGone` when the process that launched tsx goes away. `npm start` runs
 * `sh -c "npm run build && tsx tools/scripts/start.ts"`; a SIGTERM (or SIGINT) sent to npm alone is
 * forwarded to that sh, which dies of it without passing it on — this process would then
 * keep n8n and the sandbox running with nobody to stop them. The launcher is watched instead:
 * when it is gone (tsx, our parent, is re-parented), everything is stopped.
 */
function watchLauncher(onGone: () => void): void {
	const tsx = process.ppid;
	const launcher = parentOf(tsx);
	if (launcher === undefined || launcher <= 1) return;
	const timer = setInterval(() => {
		if (parentOf(tsx) !== launcher) {
			clearInterval(timer);
			onGone();
		}
	}, 1000);
	timer.unref();
}

async function main(): Promise<void> {
	let args: StartArgs;
	try {
		args = parseStartArgs(process.argv.slice(2));
	} catch (error) {
		console.error((error as Error).message);
		process.exit(2);
	}
	const started = Date.now();
	const say = (line: string) => console.log(`[start] ${line}`);

	// Ctrl-C at any point: stop what runs, once. A Ctrl-C pressed again after a few seconds of
	// stopping forces it; one right after the first is ignored (tsx relays a Ctrl-C that
	// reached the whole process group to this process a second time).
	let setup: SandboxN8n | undefined;
	let starting: ChildProcess | undefined;
	let stopping = 0;
	const shutdown = async (reason: string, code: number) => {
		if (stopping) {
			if (Date.now() - stopping < 3000) return;
			say('forced: killing n8n');
			if (starting?.pid !== undefined) {
				try {
					process.kill(-starting.pid, 'SIGKILL');
				} catch {
					/* gone */
				}
			}
			process.exit(code);
		}
		stopping = Date.now();
		say(`${reason}: stopping n8n and the Exotel sandbox …`);
		try {
			if (setup) await setup.stop();
			else if (starting?.pid !== undefined && starting.exitCode === null) {
				try {
					process.kill(-starting.pid, 'SIGTERM');
				} catch {
					/* gone */
				}
			}
		} finally {
			say('stopped.');
			process.exit(code);
		}
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
		process.on(signal, () => void shutdown(signal, 0));
	watchLauncher(() => void shutdown('npm start was stopped', 0));

	await installRuntime();
	if (stopping) return;
	if (args.fresh) {
		say(`--fresh: removing ${DEFAULT_FOLDER}`);
		await stopLeftoverN8n(DEFAULT_FOLDER, say);
		rmSync(DEFAULT_FOLDER, { recursive: true, force: true });
	}
	// n8n's start-up chatter (deprecation notices, runner and licence messages) is not shown: a
	// failed start prints its last lines. Once it is ready, what n8n prints is passed on, but a
	// failed execution's stack trace stays in n8n's log file (one line here says so).
	let n8nReady = false;
	const n8nLog = new TerminalLog(
		relative(process.cwd(), join(DEFAULT_FOLDER, '.n8n', 'logs', 'n8n.log')),
		(line) => process.stdout.write(`[n8n] ${line}\n`),
	);
	// The failure switches: each counts the password changes Exotel accepted since the start.
	const hooks: Array<(request: RecordedRequest) => void> = [];
	let crashing = false;
	setup = await prepareSandboxN8n({
		port: args.port,
		sandboxPort: args.sandboxPort,
		users: args.users,
		log: say,
		onN8nLog: (text) => {
			if (n8nReady) n8nLog.push(text);
		},
		onSandboxRequest: (line, request) => {
			console.log(`[exotel sandbox] ${line}`);
			for (const hook of hooks) hook(request);
		},
		onN8nSpawn: (child) => (starting = child),
	});
	if (stopping) {
		await setup.stop();
		return;
	}
	n8nReady = true;
	const watchExit = (running: SandboxN8n['n8n']) =>
		running.process.once('exit', (code) => {
			if (!stopping && !crashing)
				void shutdown(`n8n exited on its own (code ${code}); see its output above`, 1);
		});
	watchExit(setup.n8n);
	const ready = setup;
	for (const address of args.refuseMail) ready.mailbox.refuseRecipient(address, 550);
	if (args.exotel5xxAt !== undefined)
		hooks.push(failPasswordChangeAt(ready.sandbox, args.exotel5xxAt));
	if (args.killN8nAt !== undefined) {
		hooks.push(
			afterPasswordChanges(args.killN8nAt, () => {
				crashing = true;
				say(
					`--kill-n8n-at ${args.killN8nAt}: killing n8n (SIGKILL) after password change ${args.killN8nAt}, then starting it again …`,
				);
				ready.crashN8n().then(
					(restarted) => {
						crashing = false;
						watchExit(restarted);
						say(
							'n8n is running again: at its start it marks the run it lost as crashed and starts that workflow’s error workflow, if any',
						);
					},
					(error: unknown) =>
						void shutdown(
							`n8n did not start again: ${error instanceof Error ? error.message : String(error)}`,
							1,
						),
				);
			}),
		);
	}
	console.log(banner(setup, args));
	announceMail(setup.mailbox);
	say(`ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(`[start] ${error instanceof Error ? error.message : String(error)}`);
		process.exit(1);
	});
}
