/** The switches that make a rotation fail part-way: a 5xx at the N-th password change, or an action right after it. */
import {
	afterPasswordChanges,
	failPasswordChangeAt,
	isAcceptedPasswordChange,
	NODE_DEFAULT_ATTEMPTS,
} from '../../../../tools/dev/sandbox/passwordChanges';
import {
	startSandbox,
	type ExotelSandbox,
	type RecordedRequest,
} from '../../../../tools/dev/sandbox/server';
import { api, ASHA, CREDS, GOOD_PASSWORD, VIKRAM } from './testClient';

let sandbox: ExotelSandbox;
let hook: (request: RecordedRequest) => void = () => undefined;

beforeEach(async () => {
	hook = () => undefined;
	sandbox = await startSandbox({ ...CREDS, port: 0, onRequest: (r) => hook(r) });
});
afterEach(async () => {
	await sandbox.stop();
});

const setAsha = () =>
	api(sandbox, 'PUT', `users/${ASHA}/devices/101/password`, { body: { password: GOOD_PASSWORD } });
const setVikram = () =>
	api(sandbox, 'PUT', `users/${VIKRAM}/devices/201/password`, {
		body: { password: GOOD_PASSWORD },
	});

describe('failPasswordChangeAt', () => {
	it('lets the first N-1 changes through, fails the N-th through all of the node’s tries, then lets the re-run through', async () => {
		hook = failPasswordChangeAt(sandbox, 2);
		expect((await setAsha()).status).toBe(200);
		expect((await api(sandbox, 'GET', `users/${VIKRAM}`)).status).toBe(200); // reads do not count
		const tries = [];
		for (let i = 0; i < NODE_DEFAULT_ATTEMPTS; i++) tries.push((await setVikram()).status);
		expect(tries).toEqual(Array(NODE_DEFAULT_ATTEMPTS).fill(503));
		expect(sandbox.passwordOf(VIKRAM, 201)).toBeUndefined(); // nothing changed behind the 503s
		expect((await setVikram()).status).toBe(200);
		expect((await setAsha()).status).toBe(200); // once only
	});

	it('at 1, fails the very first change', async () => {
		hook = failPasswordChangeAt(sandbox, 1, 2);
		expect([(await setAsha()).status, (await setAsha()).status, (await setAsha()).status]).toEqual([
			503, 503, 200,
		]);
	});
});

describe('afterPasswordChanges', () => {
	it('acts once, right after the N-th accepted change; refused and other requests do not count', async () => {
		const seen: number[] = [];
		hook = afterPasswordChanges(2, () => seen.push(sandbox.requests.length));
		await api(sandbox, 'PUT', `users/${ASHA}/devices/101/password`, {
			body: { password: 'short' },
		}); // refused: 400
		await setAsha();
		expect(seen).toEqual([]);
		await setVikram();
		expect(seen).toEqual([3]);
		await setVikram();
		expect(seen).toEqual([3]);
	});

	it('knows a password change by its method, path and a 2xx', () => {
		const segments = ['v2', 'accounts', 'acme1', 'users', ASHA, 'devices', '101', 'password'];
		expect(isAcceptedPasswordChange({ method: 'PUT', segments, status: 200 })).toBe(true);
		expect(isAcceptedPasswordChange({ method: 'PUT', segments, status: 503 })).toBe(false);
		expect(isAcceptedPasswordChange({ method: 'GET', segments, status: 200 })).toBe(false);
		expect(
			isAcceptedPasswordChange({ method: 'PUT', segments: segments.slice(0, 7), status: 200 }),
		).toBe(false);
	});
});
