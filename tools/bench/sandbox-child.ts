/**
 * The Exotel sandbox in a child process of the benchmark, so the measured process does
 * client work only. Listens on 127.0.0.1 (a free port), logs nothing, and talks to its
 * parent over IPC:
 *   → { type: 'ready', url, userId, deviceId }            once listening
 *   ← { type: 'rate-limit', limit, windowMs, headers }     enforce a limit (until the next drain): with
 *        headers, fixed windows and Exotel's X-RateLimit-* headers; without, a rolling window
 *   ← { type: 'drain', arrivals? }  → { type: 'drained', total, byStatus, arrivals? }
 *        counts of the requests since the last drain (with `arrivals`: each one's arrival
 *        time and status), then forgets them and every rule: the next batch starts alike
 *   ← { type: 'stop' } or the parent going away            closes the server and exits
 */
import { seedUsers, startSandbox } from '../dev/sandbox/server';
import { BENCH_CREDENTIALS, BENCH_DEVICES } from './lib';

export type ToSandbox =
	| { type: 'drain'; arrivals?: boolean }
	| { type: 'rate-limit'; limit: number; windowMs: number; headers: boolean }
	| { type: 'stop' };
export type FromSandbox =
	| { type: 'ready'; url: string; userId: string; deviceId: string }
	| {
			type: 'drained';
			total: number;
			byStatus: Record<number, number>;
			arrivals?: Array<[receivedAt: number, status: number]>;
	  }
	| { type: 'limited' };

async function main(): Promise<void> {
	const send = (message: FromSandbox) => process.send?.(message);
	// The bench's user: Asha with BENCH_DEVICES SIP devices (ids 1…), one per item of a run.
	const [asha, ...others] = seedUsers();
	const sip = asha.devices.find((d) => d.type === 'sip')!;
	const devices = Array.from({ length: BENCH_DEVICES }, (_, i) => ({
		...sip,
		id: i + 1,
		name: `Bench softphone ${i + 1}`,
		contact_uri: `sip:bench${i + 1}`,
	}));
	const sandbox = await startSandbox({
		...BENCH_CREDENTIALS,
		users: [{ ...asha, devices }, ...others],
	});
	const user = [...sandbox.users.values()].find((u) => u.devices.some((d) => d.type === 'sip'));
	const device = user?.devices.find((d) => d.type === 'sip');
	if (!user || !device) throw new Error('sandbox: no seeded user with a SIP device');

	const stop = () => void sandbox.stop().then(() => process.exit(0));
	process.on('disconnect', stop);
	process.on('message', (message: ToSandbox) => {
		if (message.type === 'stop') return stop();
		if (message.type === 'rate-limit') {
			sandbox.faults.add({
				kind: 'rate-limit',
				limit: message.limit,
				windowMs: message.windowMs,
				headers: message.headers,
			});
			send({ type: 'limited' });
		}
		if (message.type === 'drain') {
			const { total, byStatus } = sandbox.stats();
			const arrivals = message.arrivals
				? sandbox.requests.map((r): [number, number] => [r.receivedAt, r.status])
				: undefined;
			// reset() also clears fault rules, restores the seeded users and forgets passwords.
			sandbox.reset();
			send({ type: 'drained', total, byStatus, ...(arrivals ? { arrivals } : {}) });
		}
	});
	send({ type: 'ready', url: sandbox.url, userId: user.id, deviceId: String(device.id) });
}

void main().catch((error: unknown) => {
	console.error('bench sandbox:', error instanceof Error ? error.message : error);
	process.exit(1);
});
