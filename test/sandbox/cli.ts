/**
 * `npm run sandbox [-- --port 4010]`: runs the Exotel sandbox until Ctrl-C and prints the
 * credential values that reach it. The key and token are the sandbox's own, not secrets.
 */
import { startSandbox } from './server';

export const SANDBOX_CREDENTIALS = {
	apiKey: 'sandbox-key',
	apiToken: 'sandbox-token',
	accountSid: 'sandbox',
} as const;

async function main(): Promise<void> {
	const portArg = process.argv.indexOf('--port');
	const port = portArg > 0 ? Number(process.argv[portArg + 1]) : Number(process.env.EXOTEL_SANDBOX_PORT ?? 4010);
	const sandbox = await startSandbox({
		...SANDBOX_CREDENTIALS,
		port,
		onRequest: (r) => console.log(`${r.method} ${r.url} -> ${r.status} (request_id ${r.request_id})`),
	});
	console.log(`Exotel sandbox listening on ${sandbox.url}`);
	console.log('Exotel credential for n8n:');
	console.log(`  API Key:     ${SANDBOX_CREDENTIALS.apiKey}`);
	console.log(`  API Token:   ${SANDBOX_CREDENTIALS.apiToken}`);
	console.log(`  Account SID: ${SANDBOX_CREDENTIALS.accountSid}`);
	console.log(`  Region:      Custom`);
	console.log(`  Base URL:    ${sandbox.url}`);
	console.log('Seeded users (user_id / SIP device_id):');
	for (const user of sandbox.users.values()) {
		const sip = user.devices.filter((d) => d.type === 'sip').map((d) => d.id);
		console.log(`  ${user.first_name} ${user.last_name}: ${user.id} / ${sip.length ? sip.join(', ') : '(no SIP device)'}`);
	}
	const stop = () => void sandbox.stop().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

if (require.main === module) void main();
