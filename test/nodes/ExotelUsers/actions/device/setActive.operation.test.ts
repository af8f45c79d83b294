import type { INodeParameters } from 'n8n-workflow';

import { ExotelUsersApi } from '../../../../../credentials/ExotelUsersApi.credentials';
import { runNode } from '../../../../../tools/dev/harness/n8n';
import type { FaultRule, RecordedRequest } from '../../../../../tools/dev/sandbox/server';
import {
	ASHA,
	VIKRAM,
	byEmail,
	byId,
	expectNoSecrets,
	failure,
	useTestbed,
} from '../../../../support/exotel';

/** Runs after the sandbox answered a request: lets a test change the account between two requests. */
let afterRequest: ((request: RecordedRequest) => void) | undefined;
const bed = useTestbed({ onRequest: (request) => afterRequest?.(request) });
beforeEach(() => {
	afterRequest = undefined;
});

const setActive = (
	deviceId: string | number | INodeParameters,
	userId: INodeParameters = byId(ASHA.id),
	extra: INodeParameters = {},
) =>
	bed.run({
		parameters: {
			resource: 'device',
			operation: 'setActive',
			userId,
			deviceId: typeof deviceId === 'object' ? deviceId : byId(deviceId),
			...extra,
		},
	});

const asha = () => bed.sandbox.users.get(ASHA.id)!;
const availability = () => asha().devices.map((d) => [d.id, d.available]);
const writes = () =>
	bed.sandbox.requests
		.filter((r) => r.method === 'PUT')
		.map((r) => [r.segments.at(-1), (r.body as { available: boolean }).available]);

describe('Device → Set Active Device', () => {
	it('turns the device that is on off first, then the chosen one on, and outputs the devices after the switch', async () => {
		const output = await setActive(ASHA.tel);
		expect(writes()).toEqual([
			['101', false],
			['102', true],
		]);
		expect(availability()).toEqual([
			[101, false],
			[102, true],
		]);
		expect(output).toHaveLength(1);
		expect(output[0].json).toMatchObject({
			user_id: ASHA.id,
			device_id: '102',
			device_type: 'tel',
			changed: true,
			turned_off: ['101'],
			devices: [
				{ id: 101, type: 'sip', available: false },
				{ id: 102, type: 'tel', available: true },
			],
		});
		expect(output[0].pairedItem).toEqual({ item: 0 });
		// Whose device, for the next node: a telephone has no SIP username.
		expect(output[0].json).toMatchObject({
			first_name: 'Asha',
			last_name: 'Rao',
			email: 'asha.rao@example.com',
			contact_uri: '+919876543210',
		});
		expect(output[0].json).not.toHaveProperty('sip_username');
	});

	it('switches back the same way', async () => {
		await setActive(ASHA.tel);
		const output = await setActive(ASHA.sip);
		expect(output[0].json).toMatchObject({ first_name: 'Asha', sip_username: 'asharao101' });
		expect(writes().slice(2)).toEqual([
			['102', false],
			['101', true],
		]);
		expect(output[0].json.devices).toMatchObject([{ available: true }, { available: false }]);
	});

	it('sends nothing when the device is already the one that is on', async () => {
		const output = await setActive(ASHA.sip);
		expect(bed.sandbox.requests.map((r) => r.method)).toEqual(['GET']);
		expect(output[0].json).toMatchObject({
			changed: false,
			turned_off: [],
			devices: [
				{ id: 101, available: true },
				{ id: 102, available: false },
			],
		});
	});

	it('finds the user by email', async () => {
		await setActive(ASHA.tel, byEmail('asha.rao@example.com'));
		expect(availability()).toEqual([
			[101, false],
			[102, true],
		]);
	});

	it('refuses an unverified device by name before turning anything off', async () => {
		asha().devices[1].verified = false;
		const error = await failure(setActive(ASHA.tel));
		expect(error.message).toBe(
			'Device 102 (tel, Asha mobile) is not verified, so Exotel will not turn it on',
		);
		expect(error.description).toMatch(
			/^Nothing was changed\. Exotel turns on only a verified device/,
		);
		expect(writes()).toEqual([]);
		expect(availability()).toEqual([
			[101, true],
			[102, false],
		]);
	});

	it('names the device when Exotel says it is unverified (409/10809), and turns the other device back on', async () => {
		// The number is changed in the dashboard after the node read the devices.
		afterRequest = (request) => {
			if (request.method === 'PUT' && request.segments.at(-1) === '101')
				asha().devices[1].verified = false;
		};
		const error = await failure(setActive(ASHA.tel, byId(ASHA.id), { options: { retry: false } }));
		expect(error.message).toMatch(
			/^Exotel answered 409 Conflict \(error 10809.*; device 102 \(tel, Asha mobile\) is not verified$/,
		);
		expect(error.description).toMatch(
			/^On: 101 \(sip, Asha softphone\)\. Off: 102 \(tel, Asha mobile\)\. Device 101 \(sip, Asha softphone\) was turned off and then back on\. The user is as before\. Exotel turns on only a verified device/,
		);
		expect(writes()).toEqual([
			['101', false],
			['102', true],
			['101', true],
		]);
		expect(availability()).toEqual([
			[101, true],
			[102, false],
		]);
		expectNoSecrets(error, [bed.secrets.apiToken]);
	});

	it('says a device is not the user’s, listing theirs, with nothing sent', async () => {
		const error = await failure(setActive(VIKRAM.sip));
		expect(error.message).toBe(
			`Device 201 is not one of user ${ASHA.id}’s devices (devices: 101 (sip, Asha softphone), 102 (tel, Asha mobile))`,
		);
		expect(writes()).toEqual([]);
	});

	it('names an empty Device before any request', async () => {
		const error = await failure(setActive({ __rl: true, mode: 'list', value: '' }));
		expect(error.message).toContain('Device is empty');
		expect(bed.sandbox.requests).toEqual([]);
	});

	it('under Continue On Fail, gives one paired item per input: the switch, and the error', async () => {
		asha().devices[1].verified = false;
		const output = await bed.run({
			parameters: {
				resource: 'device',
				operation: 'setActive',
				userId: byId(ASHA.id),
				deviceId: byId('={{ $json.device }}'),
			},
			items: [{ json: { device: 101 } }, { json: { device: 102 } }],
			continueOnFail: true,
		});
		expect(output.map((o) => [o.pairedItem, o.json.error ?? o.json.device_id])).toEqual([
			[{ item: 0 }, '101'],
			[{ item: 1 }, 'Device 102 (tel, Asha mobile) is not verified, so Exotel will not turn it on'],
		]);
	});
});

/**
 * Issue 22 §1: a switch that fails, loses an answer or is stopped at any step ends with an
 * error or an output that names the devices' real state — the sandbox's, read here
 * independently — turns the device that was on back on when none is left, and never calls
 * the request "safe to retry".
 */
describe('Set Active Device after a failure, a lost answer or a Stop', () => {
	// Small waits, two attempts per request: every fault below outlasts the retries.
	const OPTIONS = { retryBaseDelay: 0.01, maxAttempts: 2, timeout: 0.5 };
	const PARAMETERS: INodeParameters = {
		resource: 'device',
		operation: 'setActive',
		userId: byId(ASHA.id),
		deviceId: byId(ASHA.tel),
		options: OPTIONS,
	};
	const PUT_SIP = 'PUT users/:userId/devices/101';
	const PUT_TEL = 'PUT users/:userId/devices/102';
	const GET_USER = 'GET users/:userId';

	/** What Exotel holds, in the node's words: `On: 101 (sip, Asha softphone). Off: 102 (tel, Asha mobile).` */
	const realState = () => {
		const name = (d: { id: number | string; type: string; name?: string }) =>
			`${d.id} (${d.type}, ${d.name})`;
		const list = (on: boolean) =>
			asha()
				.devices.filter((d) => d.available === on)
				.map(name)
				.join(', ') || 'none';
		return `On: ${list(true)}. Off: ${list(false)}.`;
	};
	const asBefore = () =>
		expect(availability()).toEqual([
			[101, true],
			[102, false],
		]);

	/** Adds `rule` once the sandbox has answered a request matching `when` (each call adds to the others). */
	const after = (when: (r: RecordedRequest) => boolean, rule: FaultRule) => {
		const before = afterRequest;
		let added = false;
		afterRequest = (request) => {
			before?.(request);
			if (!added && when(request)) {
				added = true;
				bed.sandbox.faults.add(rule);
			}
		};
	};
	const isPut = (device: string, available: boolean) => (r: RecordedRequest) =>
		r.method === 'PUT' &&
		r.segments.at(-1) === device &&
		(r.body as { available?: boolean })?.available === available;

	const run = async (parameters = PARAMETERS) => await failure(bed.run({ parameters }));

	it('the answer to turning the old device off is lost (Exotel did it): the device is turned back on, and the error says so', async () => {
		bed.sandbox.faults.add({ kind: 'reset', processed: true, route: PUT_SIP, times: 2 });
		const error = await run();
		asBefore();
		expect(error.message).toMatch(/^Could not reach Exotel/);
		expect(error.description).toContain(
			`${realState()} Device 101 (sip, Asha softphone) was turned off and then back on. The user is as before.`,
		);
		expect(error.description).not.toMatch(/safe to retry/);
		expect(writes()).toEqual([
			['101', false],
			['101', false],
			['101', true],
		]);
		expectNoSecrets(error, [bed.secrets.apiToken]);
	});

	it('a turn-on that landed but whose answer was lost is recognised: the output names the switch, read back, and nothing asks for the old device', async () => {
		after(isPut('101', false), { kind: 'reset', processed: true, route: PUT_TEL, times: 2 });
		const output = await bed.run({ parameters: PARAMETERS });
		expect(availability()).toEqual([
			[101, false],
			[102, true],
		]);
		expect(output[0].json).toMatchObject({
			device_id: '102',
			changed: true,
			read_back: true,
			devices: [
				{ id: 101, available: false },
				{ id: 102, available: true },
			],
		});
		// No attempt to turn 101 back on, which Exotel would refuse (403/10810).
		expect(writes()).toEqual([
			['101', false],
			['102', true],
			['102', true],
		]);
	});

	it('a 5xx on the turn-on: the old device is turned back on; the error keeps Exotel’s answer and names the state', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 503, route: PUT_TEL });
		const error = await run();
		asBefore();
		expect(error.message).toMatch(
			/^Exotel answered 503 Service Unavailable.*gave up after 2 attempts$/,
		);
		expect(error.description).toMatch(
			new RegExp(
				`^${escape(realState())} Device 101 \\(sip, Asha softphone\\) was turned off and then back on\\. The user is as before\\. This is a failure on Exotel’s side\\. If it persists`,
			),
		);
		expect(error.description).not.toMatch(/safe to retry/);
	});

	it('a 5xx on the turn-off (nothing changed): no rollback, the state named', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 500, route: PUT_SIP });
		const error = await run();
		asBefore();
		expect(error.description).toMatch(
			new RegExp(`^${escape(realState())} The user is as before\\.`),
		);
		expect(writes()).toEqual([
			['101', false],
			['101', false],
		]);
	});

	it('the rollback’s own answer is lost (Exotel did it): the devices read back say it worked', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 503, route: PUT_TEL });
		after(isPut('101', false), { kind: 'reset', processed: true, route: PUT_SIP });
		const error = await run();
		asBefore();
		expect(error.description).toContain(
			`${realState()} Device 101 (sip, Asha softphone) was turned off and then back on. The user is as before.`,
		);
	});

	it('no device left on — the rollback refused too: an error of its own, with the one thing to do', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 503, route: PUT_TEL });
		after(isPut('101', false), { kind: 'status', status: 503, route: PUT_SIP });
		const error = await run();
		expect(availability()).toEqual([
			[101, false],
			[102, false],
		]);
		expect(error.message).toBe(`No device of user ${ASHA.id} is on — the agent takes no calls`);
		expect(error.description).toMatch(
			/^Turn device 101 \(sip, Asha softphone\) on: Device → Set Active Device with Device 101\. /,
		);
		expect(error.description).toContain(realState());
		expect(realState()).toBe('On: none. Off: 101 (sip, Asha softphone), 102 (tel, Asha mobile).');
		expect(error.description).toMatch(/What went wrong: Exotel answered 503/);
	});

	it('the devices cannot be read back: the state is called unknown, never safe to retry, never “turn the old one on”', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 503, route: PUT_TEL });
		after(isPut('101', false), { kind: 'status', status: 503, route: PUT_SIP });
		after(isPut('102', true), { kind: 'status', status: 503, route: GET_USER });
		const error = await run();
		expect(error.description).toMatch(
			/^The devices could not be read back after this failure, so their state is unknown: device 101 \(sip, Asha softphone\) may be off/,
		);
		expect(error.description).toContain(
			'Check which device is on (Device → Get Many) before running again.',
		);
		expect(error.description).not.toMatch(/safe to retry|Turn device/);
	});

	it('without a read-back, a rollback Exotel accepted still tells the state (it turns a device on only when no other is on)', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 503, route: PUT_TEL });
		after(isPut('102', true), { kind: 'status', status: 503, route: GET_USER });
		const error = await run();
		asBefore();
		expect(error.description).toContain(
			`${realState()} Device 101 (sip, Asha softphone) was turned off and then back on. The user is as before.`,
		);
	});

	it('under Continue On Fail, the error item carries the devices as Exotel holds them', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 503, route: PUT_TEL });
		after(isPut('101', false), { kind: 'status', status: 503, route: PUT_SIP });
		const output = await bed.run({ parameters: PARAMETERS, continueOnFail: true });
		expect(output).toHaveLength(1);
		expect(output[0].pairedItem).toEqual({ item: 0 });
		expect(output[0].json).toMatchObject({
			error: `No device of user ${ASHA.id} is on — the agent takes no calls`,
			user_id: ASHA.id,
			device_id: '102',
			devices_on: [],
			devices: [
				{ id: 101, available: false },
				{ id: 102, available: false },
			],
		});
	});

	describe('n8n’s Stop (the execution’s cancel signal) at each step', () => {
		let stop: AbortController;
		beforeEach(() => {
			stop = new AbortController();
		});
		const stopWhen = (when: (r: RecordedRequest) => boolean, rule?: FaultRule) => {
			afterRequest = (request) => {
				if (!when(request) || stop.signal.aborted) return;
				stop.abort();
				if (rule) bed.sandbox.faults.add(rule);
			};
		};
		const runStopped = async () =>
			await runNode({
				nodeType: bed.node,
				credentialType: new ExotelUsersApi(),
				credentials: bed.credentials(),
				parameters: PARAMETERS,
				abortSignal: stop.signal,
			});

		it('during the first read: nothing is turned off; the error names the devices', async () => {
			stopWhen((r) => r.method === 'GET');
			const error = await failure(runStopped());
			expect(error.message).toBe('Set Active Device was stopped before it finished');
			expect(error.description).toBe(
				`Nothing was changed: it stopped before turning any device on or off. ${realState()}`,
			);
			expect(writes()).toEqual([]);
			asBefore();
		});

		it('after the old device went off: it is turned back on', async () => {
			stopWhen(isPut('101', false));
			const error = await failure(runStopped());
			expect(error.message).toBe('Set Active Device was stopped before it finished');
			expect(error.description).toBe(
				`${realState()} Device 101 (sip, Asha softphone) was turned off and then back on. The user is as before.`,
			);
			expect(writes()).toEqual([
				['101', false],
				['101', true],
			]);
			asBefore();
		});

		it('during the turn-on’s backoff (a 503): no further turn-on, the old device back on', async () => {
			bed.sandbox.faults.add({ kind: 'status', status: 503, route: PUT_TEL, times: 1 });
			stopWhen(isPut('102', true));
			const error = await failure(runStopped());
			expect(error.description).toContain(
				`${realState()} Device 101 (sip, Asha softphone) was turned off and then back on. The user is as before.`,
			);
			expect(writes()).toEqual([
				['101', false],
				['102', true],
				['101', true],
			]);
			asBefore();
		});

		it('during the rollback: the rollback goes on (its own retries) and the old device ends on', async () => {
			bed.sandbox.faults.add({ kind: 'status', status: 503, route: PUT_TEL });
			after(isPut('101', false), { kind: 'status', status: 503, route: PUT_SIP, times: 1 });
			const chained = afterRequest!;
			afterRequest = (request) => {
				chained(request);
				if (isPut('101', true)(request) && !stop.signal.aborted) stop.abort();
			};
			const error = await failure(runStopped());
			expect(stop.signal.aborted).toBe(true);
			expect(writes()).toEqual([
				['101', false],
				['102', true],
				['102', true],
				['101', true],
				['101', true],
			]);
			asBefore();
			expect(error.description).toContain(
				`${realState()} Device 101 (sip, Asha softphone) was turned off and then back on. The user is as before.`,
			);
		});

		it('while the turn-on is answered (it landed; the Stop cut its answer off): the error says the switch was made', async () => {
			stopWhen(isPut('102', true));
			const error = await failure(runStopped());
			expect(availability()).toEqual([
				[101, false],
				[102, true],
			]);
			expect(error.message).toBe('Set Active Device was stopped before it finished');
			expect(error.description).toBe(`The switch was made before the Stop: ${realState()}`);
			expect(realState()).toBe('On: 102 (tel, Asha mobile). Off: 101 (sip, Asha softphone).');
			// Nothing tried to turn 101 back on: Exotel would refuse it (403/10810).
			expect(writes()).toEqual([
				['101', false],
				['102', true],
			]);
		});
	});
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
