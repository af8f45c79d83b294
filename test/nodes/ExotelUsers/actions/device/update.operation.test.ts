import type { INodeParameters } from 'n8n-workflow';

import { ASHA, VIKRAM, byEmail, byId, failure, useTestbed } from '../../../../support/exotel';

const bed = useTestbed();

const update = (deviceId: string | number | INodeParameters, updateFields: INodeParameters) =>
	bed.run({
		parameters: {
			resource: 'device',
			operation: 'update',
			userId: byId(ASHA.id),
			deviceId,
			updateFields,
		},
	});

describe('Device → Update', () => {
	it('turns a device off and outputs Exotel’s envelope with the device', async () => {
		const output = await update(ASHA.sip, { available: false });
		expect(bed.sandbox.requests[0]).toMatchObject({ method: 'PUT', body: { available: false } });
		expect(output[0].json).toMatchObject({
			http_code: 200,
			response: { data: { id: ASHA.sip, available: false } },
		});
	});

	it('names the device that is on when Exotel refuses a second one (403/10810), and which to turn off first', async () => {
		const error = await failure(update(ASHA.tel, { available: true }));
		expect(error.message).toMatch(
			/^Exotel answered 403 Forbidden \(error 10810.*\[request_id [0-9a-f]{32}\]; device 101 \(sip, Asha softphone\) is on$/,
		);
		expect(error.description).toBe(
			'Device 101 (sip, Asha softphone) is on, and Exotel allows only one device of a user to be on. Turn it off first (Device → Update, Available off), then turn this one on.',
		);
		expect(bed.sandbox.requests.map((r) => r.method)).toEqual(['PUT', 'GET']);
	});

	it('keeps Exotel’s own words for 10810 when the device that is on cannot be looked up', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 503, route: 'GET users/:userId' });
		const error = await failure(
			bed.run({
				parameters: {
					resource: 'device',
					operation: 'update',
					userId: byId(ASHA.id),
					deviceId: ASHA.tel,
					updateFields: { available: true },
					options: { retry: false },
				},
			}),
		);
		expect(error.message).toMatch(
			/^Exotel answered 403 Forbidden \(error 10810.*\[request_id [0-9a-f]{32}\]$/,
		);
		expect(error.description).toMatch(
			/only one device of a user to be ON\. Turn the other device off first/,
		);
	});

	it('says which device it changed: device_id, and its type from Exotel’s answer', async () => {
		const output = await update(ASHA.sip, { available: false });
		expect(output[0].json).toMatchObject({
			user_id: ASHA.id,
			device_id: String(ASHA.sip),
			device_type: 'sip',
		});
	});

	it('takes a device picked from the list (a resource locator)', async () => {
		const output = await update(
			{
				__rl: true,
				mode: 'list',
				value: String(ASHA.sip),
				cachedResultName: 'Asha softphone',
			} as never,
			{ available: false },
		);
		expect(bed.sandbox.requests[0].segments.at(-1)).toBe(String(ASHA.sip));
		expect(output[0].json.device_id).toBe(String(ASHA.sip));
	});

	it('changes a telephone device’s number, which then needs verifying again', async () => {
		const output = await update(ASHA.tel, { contactUri: '+919800000001' });
		expect(output[0].json).toMatchObject({
			response: { data: { contact_uri: '+919800000001', verified: false } },
		});
	});

	it('explains that a SIP device’s contact cannot be changed (403/10817)', async () => {
		const error = await failure(update(ASHA.sip, { contactUri: '+919800000002' }));
		expect(error.message).toMatch(/^Exotel answered 403 Forbidden \(error 10817/);
		expect(error.description).toMatch(
			/Only a telephone \(tel\) device’s contact number can be changed/,
		);
	});

	it('refuses a number that is not E.164, and an empty update, before any request', async () => {
		expect((await failure(update(ASHA.tel, { contactUri: '98000' }))).message).toContain(
			'Phone Number must be a phone number in E.164 format',
		);
		expect((await failure(update(ASHA.tel, {}))).message).toContain('Update Fields is empty');
		expect(bed.sandbox.requests).toHaveLength(0);
	});

	it('explains a device that is not the user’s: most often picked for another user', async () => {
		const error = await failure(update(VIKRAM.sip, { available: false }));
		expect(error.message).toMatch(
			/^Exotel answered 404 Not Found \(error 1000: Not found\): Device 201 not found/,
		);
		expect(error.description).toMatch(
			/often it was picked for another user before User changed\. Pick the device again/,
		);
	});

	it('names the device on as it is now, not as an earlier item of the run saw it', async () => {
		const output = await bed.run({
			continueOnFail: true,
			items: [
				{ json: { device: ASHA.sip, on: false } },
				{ json: { device: ASHA.tel, on: true } },
				{ json: { device: ASHA.sip, on: true } },
			],
			parameters: {
				resource: 'device',
				operation: 'update',
				userId: byEmail('asha.rao@example.com'),
				deviceId: '={{ $json.device }}',
				updateFields: { available: '={{ $json.on }}' },
			},
		});
		expect(output.slice(0, 2).map((o) => o.json.http_code)).toEqual([200, 200]);
		expect(output[2].json.error).toMatch(/; device 102 \(tel, Asha mobile\) is on$/);
	});
});
