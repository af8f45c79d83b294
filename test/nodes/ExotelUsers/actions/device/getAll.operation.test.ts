import { ASHA, byEmail, byId, useTestbed } from '../../../../support/exotel';

const bed = useTestbed();

describe('Device → Get Many', () => {
	it('outputs each of the user’s devices as an item', async () => {
		const output = await bed.run({
			parameters: { resource: 'device', operation: 'getAll', userId: byId(ASHA.id) },
		});
		expect(output.map((o) => [o.json.id, o.json.type, o.pairedItem])).toEqual([
			[101, 'sip', { item: 0 }],
			[102, 'tel', { item: 0 }],
		]);
	});

	it.each([
		['sip', [101]],
		['tel', [102]],
	])('filters by type %s', async (type, ids) => {
		const output = await bed.run({
			parameters: {
				resource: 'device',
				operation: 'getAll',
				userId: byEmail('asha.rao@example.com'),
				type,
			},
		});
		expect(output.map((o) => o.json.id)).toEqual(ids);
	});
});
