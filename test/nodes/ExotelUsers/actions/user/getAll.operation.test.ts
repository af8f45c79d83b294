import { manyUsers } from '../../../../../tools/dev/sandbox/server';
import {
	ASHA,
	failure,
	startTestbed,
	useTestbed,
	type ExotelTestbed,
} from '../../../../support/exotel';

const bed = useTestbed();

const pages = (testbed: ExotelTestbed) =>
	testbed.sandbox.requests.map((r) => `${r.query.offset}+${r.query.limit}`);

describe('User → Get Many', () => {
	it.each([
		[0, ['0+50']],
		[1, ['0+50']],
		[50, ['0+50']],
		[51, ['0+50', '50+50']],
		[237, ['0+50', '50+50', '100+50', '150+50', '200+50']],
	])(
		'Return All over %i users makes exactly the pages needed and outputs each user once',
		async (count, expected) => {
			const big = await startTestbed({ users: manyUsers(count) });
			try {
				const output = await big.run({ parameters: { operation: 'getAll', returnAll: true } });
				expect(pages(big)).toEqual(expected);
				expect(output).toHaveLength(count);
				expect(new Set(output.map((o) => o.json.id)).size).toBe(count);
				expect(
					output.every((o) => o.pairedItem && (o.pairedItem as { item: number }).item === 0),
				).toBe(true);
			} finally {
				await big.sandbox.stop();
			}
		},
	);

	it('stops at Limit, asking only for what it needs', async () => {
		const big = await startTestbed({ users: manyUsers(120) });
		try {
			const output = await big.run({
				parameters: { operation: 'getAll', returnAll: false, limit: 70 },
			});
			expect(output).toHaveLength(70);
			expect(pages(big)).toEqual(['0+50', '50+20']);
		} finally {
			await big.sandbox.stop();
		}
	});

	it('filters by emails and includes devices when asked, Include being its own option', async () => {
		const output = await bed.run({
			parameters: {
				operation: 'getAll',
				returnAll: true,
				filters: { emails: 'asha.rao@example.com, vikram.iyer@example.com' },
				include: ['devices', 'last_login'],
			},
		});
		expect(bed.sandbox.requests[0].query).toMatchObject({
			email: 'asha.rao@example.com,vikram.iyer@example.com',
			fields: 'devices,last_login',
		});
		expect(output.map((o) => o.json.first_name)).toEqual(['Asha', 'Vikram']);
		expect(output[0].json.devices).toHaveLength(2);
	});

	it('still reads Include from Filters in a workflow saved with version 1', async () => {
		const output = await bed.run({
			typeVersion: 1,
			parameters: {
				operation: 'getAll',
				returnAll: true,
				filters: { emails: 'asha.rao@example.com', fields: ['devices'] },
			},
		});
		expect(bed.sandbox.requests[0].query).toMatchObject({ fields: 'devices' });
		expect(output[0].json.devices).toHaveLength(2);
	});

	it('filters by device contact URI, sending + encoded so Exotel reads an E.164 number', async () => {
		const output = await bed.run({
			parameters: {
				operation: 'getAll',
				returnAll: true,
				filters: { contactUris: '+919876543210' },
			},
		});
		expect(bed.sandbox.requests[0].url).toContain('devices.contact_uri=%2B919876543210');
		expect(output.map((o) => o.json.id)).toEqual([ASHA.id]);
	});

	it('filters by SIP URI', async () => {
		const output = await bed.run({
			parameters: {
				operation: 'getAll',
				returnAll: true,
				filters: { contactUris: 'sip:vikramiyer201' },
			},
		});
		expect(output.map((o) => o.json.first_name)).toEqual(['Vikram']);
	});

	it('refuses filters that are not emails or contact URIs, before any request', async () => {
		const error = await failure(
			bed.run({
				parameters: {
					operation: 'getAll',
					returnAll: true,
					filters: { emails: 'asha', contactUris: '98765' },
				},
			}),
		);
		expect(error.message).toBe(
			'Invalid input: Emails "asha" is not an email address such as name@example.com. ' +
				'Device Contact URIs "98765" must be an E.164 number (e.g. +919876543210) or a sip: URI',
		);
		expect(bed.sandbox.requests).toHaveLength(0);
	});
});
