/**
 * `npm run demo`: the node's Update SIP Password run in-process through n8n-core's real
 * request stack against a local Exotel sandbox — no n8n server, no Exotel account. Prints
 * what the next node in a workflow would receive: Exotel's envelope, then a refused item.
 */
import { randomBytes } from 'node:crypto';

import { runNode } from '../dev/harness/n8n';
import { startSandbox } from '../dev/sandbox/server';

// The built package, as n8n loads it (run `npm run build` first; `npm run demo` does).
const { ExotelUsers } =
	require('../../dist/nodes/ExotelUsers/ExotelUsers.node.js') as typeof import('../../nodes/ExotelUsers/ExotelUsers.node');
const { ExotelUsersApi } =
	require('../../dist/credentials/ExotelUsersApi.credentials.js') as typeof import('../../credentials/ExotelUsersApi.credentials');

async function main(): Promise<void> {
	const credentials = {
		apiKey: 'demo-key',
		apiToken: randomBytes(12).toString('hex'),
		accountSid: 'demo',
	};
	const sandbox = await startSandbox(credentials);
	const [asha] = sandbox.users.values();
	const password = `Demo-${randomBytes(4).toString('hex')}-Pw9!`;
	try {
		console.log(
			`Exotel sandbox on ${sandbox.url}; user ${asha.first_name} ${asha.last_name} (${asha.id}), SIP device 101\n`,
		);
		const [output] = await runNode({
			nodeType: new ExotelUsers(),
			credentialType: new ExotelUsersApi(),
			credentials: { ...credentials, region: 'custom', baseUrl: sandbox.url },
			continueOnFail: true,
			items: [{ json: { newPassword: password } }, { json: { newPassword: 'short1' } }],
			parameters: {
				resource: 'user',
				operation: 'updateSipPassword',
				userId: { __rl: true, mode: 'id', value: asha.id },
				deviceId: '101',
				password: '={{ $json.newPassword }}',
			},
		});
		console.log('Item 0 (a valid password) -> Exotel’s envelope:');
		console.log(JSON.stringify(output[0].json, null, 2));
		console.log('\nItem 1 (a password that breaks the policy) -> error item, nothing sent:');
		console.log(JSON.stringify(output[1].json, null, 2));
		console.log(
			`\nRequests the sandbox received: ${sandbox.requests.map((r) => `${r.method} ${r.url} -> ${r.status}`).join(', ')}`,
		);
	} finally {
		await sandbox.stop();
	}
}

void main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
