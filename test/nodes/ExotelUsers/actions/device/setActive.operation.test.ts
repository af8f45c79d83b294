import type { INodeParameters } from 'n8n-workflow';

import type { RecordedRequest } from '../../../../../dev/sandbox/server';
import { ASHA, VIKRAM, byEmail, byId, expectNoSecrets, failure, useTestbed } from '../../../../support/exotel';

/** Runs after the sandbox answered a request: lets a test change the account between two requests. */
let afterRequest: ((request: RecordedRequest) => void) | undefined;
const bed = useTestbed({ onRequest: (request) => afterRequest?.(request) });
beforeEach(() => {
	afterRequest = undefined;
});

const setActive = (deviceId: string | number | INodeParameters, userId: INodeParameters = byId(ASHA.id), extra: INodeParameters = {}) =>
	bed.run({ parameters: { resource: 'device', operation: 'setActive', userId, deviceId: typeof deviceId === 'object' ? deviceId : byId(deviceId), ...extra } });

const asha = () => bed.sandbox.users.get(ASHA.id)!;
const availability = () => asha().devices.map((d) => [d.id, d.available]);
const writes = () => bed.sandbox.requests.filter((r) => r.method === 'PUT').map((r) => [r.segments.at(-1), (r.body as { available: boolean }).available]);

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
		expect(output[0].json).toMatchObject({ first_name: 'Asha', last_name: 'Rao', email: 'asha.rao@example.com', contact_uri: '+919876543210' });
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
		expect(output[0].json).toMatchObject({ changed: false, turned_off: [], devices: [{ id: 101, available: true }, { id: 102, available: false }] });
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
		expect(error.message).toBe('Device 102 (tel, Asha mobile) is not verified, so Exotel will not turn it on');
		expect(error.description).toMatch(/^Nothing was changed\. Exotel turns on only a verified device/);
		expect(writes()).toEqual([]);
		expect(availability()).toEqual([
			[101, true],
			[102, false],
		]);
	});

	it('names the device when Exotel says it is unverified (409/10809), and turns the other device back on', async () => {
		// The number is changed in the dashboard after the node read the devices.
		afterRequest = (request) => {
			if (request.method === 'PUT' && request.segments.at(-1) === '101') asha().devices[1].verified = false;
		};
		const error = await failure(setActive(ASHA.tel, byId(ASHA.id), { options: { retry: false } }));
		expect(error.message).toMatch(/^Exotel answered 409 Conflict \(error 10809.*; device 102 \(tel, Asha mobile\) is not verified$/);
		expect(error.description).toMatch(/Device 101 was turned off and then back on: the user is as before\.$/);
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
		expect(error.message).toBe(`Device 201 is not one of user ${ASHA.id}’s devices (devices: 101 (sip, Asha softphone), 102 (tel, Asha mobile))`);
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
			parameters: { resource: 'device', operation: 'setActive', userId: byId(ASHA.id), deviceId: byId('={{ $json.device }}') },
			items: [{ json: { device: 101 } }, { json: { device: 102 } }],
			continueOnFail: true,
		});
		expect(output.map((o) => [o.pairedItem, o.json.error ?? o.json.device_id])).toEqual([
			[{ item: 0 }, '101'],
			[{ item: 1 }, 'Device 102 (tel, Asha mobile) is not verified, so Exotel will not turn it on'],
		]);
	});
});
