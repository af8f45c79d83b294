import {
	devicesAfterSwitch,
	judgeSwitch,
	planDeviceSwitch,
} from '../../../../nodes/ExotelUsers/helpers/deviceSwitch';

const sip = { id: 101, type: 'sip', name: 'Softphone', available: true, verified: true };
const tel = { id: 102, type: 'tel', name: 'Mobile', available: false, verified: true };

describe('planDeviceSwitch', () => {
	it('turns the device that is on off first, then the target on', () => {
		expect(planDeviceSwitch([sip, tel], 102)).toEqual({
			ok: true,
			target: tel,
			turnOff: [sip],
			turnOn: true,
		});
	});

	it('turns off every other device that is on, in the order Exotel listed them', () => {
		const third = { id: 103, type: 'tel', available: true, verified: true };
		const plan = planDeviceSwitch([sip, tel, third], '102');
		expect(plan.ok && plan.turnOff.map((d) => d.id)).toEqual([101, 103]);
	});

	it('changes nothing when the target is already the one device on', () => {
		expect(planDeviceSwitch([sip, tel], '101')).toEqual({
			ok: true,
			target: sip,
			turnOff: [],
			turnOn: false,
		});
	});

	it('still turns the others off when the target is on alongside them', () => {
		const both = [sip, { ...tel, available: true }];
		expect(planDeviceSwitch(both, 101)).toEqual({
			ok: true,
			target: sip,
			turnOff: [both[1]],
			turnOn: false,
		});
	});

	it('turns the target on when no device is on', () => {
		expect(planDeviceSwitch([{ ...sip, available: false }, tel], 102)).toMatchObject({
			ok: true,
			turnOff: [],
			turnOn: true,
		});
	});

	it('refuses an unverified target before anything is turned off', () => {
		const unverified = { ...tel, verified: false };
		expect(planDeviceSwitch([sip, unverified], 102)).toEqual({
			ok: false,
			reason: 'unverified',
			target: unverified,
		});
	});

	it('does not refuse an unverified target that is already on (nothing to turn on)', () => {
		const unverifiedOn = { ...tel, available: true, verified: false };
		expect(planDeviceSwitch([{ ...sip, available: false }, unverifiedOn], 102)).toMatchObject({
			ok: true,
			turnOn: false,
		});
	});

	it('treats a device without a verified field as verified (Exotel decides)', () => {
		const { verified: _v, ...noField } = tel;
		expect(planDeviceSwitch([sip, noField], 102)).toMatchObject({ ok: true, turnOn: true });
	});

	it('reports a device that is not the user’s, with the devices it has', () => {
		expect(planDeviceSwitch([sip, tel], 999)).toEqual({
			ok: false,
			reason: 'not-found',
			devices: [sip, tel],
		});
	});
});

describe('devicesAfterSwitch', () => {
	it('takes each changed device from Exotel’s answer, and keeps the others', () => {
		const answer = { ...tel, available: true, status: 'free' };
		const after = devicesAfterSwitch(
			[sip, tel],
			[
				{ id: 101, available: false },
				{ id: '102', available: true, answer },
			],
		);
		expect(after).toEqual([{ ...sip, available: false }, answer]);
	});

	it('keeps the last change of a device changed twice (off, then back on)', () => {
		expect(
			devicesAfterSwitch(
				[sip],
				[
					{ id: 101, available: false },
					{ id: 101, available: true },
				],
			),
		).toEqual([sip]);
	});
});

describe('judgeSwitch: what a failed or stopped switch left, from the devices read back', () => {
	const off = (d: typeof sip) => ({ ...d, available: false });
	const on = (d: typeof sip) => ({ ...d, available: true });

	it('the target alone on: the switch was made (a turn-on whose answer was lost)', () => {
		expect(judgeSwitch([sip, tel], [off(sip), on(tel)], '102')).toBe('switched');
	});

	it('the same devices on as before: as before', () => {
		expect(judgeSwitch([sip, tel], [sip, tel], 102)).toBe('as-before');
	});

	it('nothing on: none-on, whatever was on before', () => {
		expect(judgeSwitch([sip, tel], [off(sip), tel], 102)).toBe('none-on');
		expect(judgeSwitch([off(sip), tel], [off(sip), tel], 102)).toBe('none-on');
	});

	it('another device on than before and not the target: other (a change came in between)', () => {
		const third = { id: 103, type: 'tel', name: 'Desk', available: true, verified: true };
		expect(judgeSwitch([sip, tel, off(third)], [off(sip), tel, third], 102)).toBe('other');
	});
});
