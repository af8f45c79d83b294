import type { INodeParameters } from 'n8n-workflow';

import { ASHA, byId, failure, useTestbed } from '../../../../support/exotel';

const bed = useTestbed();

const update = (deviceId: string | number, updateFields: INodeParameters) =>
	bed.run({ parameters: { resource: 'device', operation: 'update', userId: byId(ASHA.id), deviceId, updateFields } });

describe('Device → Update', () => {
	it('turns a device off and outputs Exotel’s envelope with the device', async () => {
		const output = await update(ASHA.sip, { available: false });
		expect(bed.sandbox.requests[0]).toMatchObject({ method: 'PUT', body: { available: false } });
		expect(output[0].json).toMatchObject({ http_code: 200, response: { data: { id: ASHA.sip, available: false } } });
	});

	it('explains which device to turn off first when another is on (403/10810)', async () => {
		const error = await failure(update(ASHA.tel, { available: true }));
		expect(error.message).toMatch(/^Exotel answered 403 Forbidden \(error 10810/);
		expect(error.description).toMatch(/only one device of a user to be ON\. Turn the other device off first/);
	});

	it('changes a telephone device’s number, which then needs verifying again', async () => {
		const output = await update(ASHA.tel, { contactUri: '+919800000001' });
		expect(output[0].json).toMatchObject({ response: { data: { contact_uri: '+919800000001', verified: false } } });
	});

	it('explains that a SIP device’s contact cannot be changed (403/10817)', async () => {
		const error = await failure(update(ASHA.sip, { contactUri: '+919800000002' }));
		expect(error.message).toMatch(/^Exotel answered 403 Forbidden \(error 10817/);
		expect(error.description).toMatch(/Only a telephone \(tel\) device’s contact number can be changed/);
	});

	it('refuses a number that is not E.164, and an empty update, before any request', async () => {
		expect((await failure(update(ASHA.tel, { contactUri: '98000' }))).message).toContain(
			'Phone Number (contactUri) must be a phone number in E.164 format',
		);
		expect((await failure(update(ASHA.tel, {}))).message).toContain('Update Fields (updateFields) is empty');
		expect(bed.sandbox.requests).toHaveLength(0);
	});

	it('explains an unknown device', async () => {
		const error = await failure(update(999, { available: false }));
		expect(error.message).toMatch(/^Exotel answered 404 Not Found \(error 1000: Not found\): Device 999 not found/);
	});
});
