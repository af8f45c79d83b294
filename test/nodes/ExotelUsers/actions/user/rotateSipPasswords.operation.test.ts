/**
 * Rotate SIP Passwords through n8n-core's real request stack against a 237-user sandbox.
 */
import { seedUsers } from '../../../../../tools/dev/sandbox/server';
import {
	ASHA,
	VIKRAM,
	captureOutput,
	expectNoSecrets,
	useTestbed,
} from '../../../../support/exotel';

const USERS = 237;
const bed = useTestbed({ users: seedUsers(USERS) });
const rotate = (extra: Record<string, unknown> = {}) => ({
	operation: 'rotateSipPasswords',
	rotationId: '2026-Q4',
	...extra,
});
const methods = () => bed.sandbox.requests.map((r) => r.method);

describe('Rotate SIP Passwords', () => {
	it('rotates every SIP device of the account at N + ⌈users ÷ 50⌉ requests, one item per agent with what delivery needs', async () => {
		const output = await bed.run({ parameters: rotate({ scope: 'all' }) });
		const agents = USERS - 1; // Mei Lin has only a telephone
		expect(output).toHaveLength(agents);
		expect(methods().filter((m) => m === 'GET')).toHaveLength(Math.ceil(USERS / 50));
		expect(methods().filter((m) => m === 'PUT')).toHaveLength(agents);
		expect(bed.sandbox.requests.slice(0, 5).every((r) => r.method === 'GET')).toBe(true); // nothing written before the listing is done
		expect(output[0]).toMatchObject({
			json: {
				http_code: 200,
				user_id: ASHA.id,
				device_id: String(ASHA.sip),
				first_name: 'Asha',
				last_name: 'Rao',
				email: 'asha.rao@example.com',
				sip_username: 'asharao101',
				rotation_id: '2026-Q4',
			},
			pairedItem: { item: 0 },
		});
		for (const { json } of output) {
			expect(bed.sandbox.fingerprint(json.sipPassword as string)).toBe(
				bed.sandbox.passwordOf(json.user_id as string, json.device_id as string),
			);
		}
		expectNoSecrets(output, [bed.secrets.apiToken]);
	});

	it('by role: only the chosen roles', async () => {
		const output = await bed.run({ parameters: rotate({ scope: 'role', roles: ['supervisor'] }) });
		expect(output.map((o) => o.json.user_id)).toContain(VIKRAM.id);
		expect(output.map((o) => o.json.user_id)).not.toContain(ASHA.id);
		expect(output.length).toBeGreaterThan(1);
	});

	it('given users by id or email (any capitals): only those', async () => {
		const output = await bed.run({
			parameters: rotate({ scope: 'users', users: `${VIKRAM.id}\nAsha.Rao@Example.com` }),
		});
		expect(output.map((o) => o.json.user_id)).toEqual([ASHA.id, VIKRAM.id]);
		expect(methods().filter((m) => m === 'PUT')).toHaveLength(2);
	});

	it('a given user who does not exist, or has no SIP device, stops the run before any password changes', async () => {
		const { error } = await captureOutput(() =>
			bed.run({
				parameters: rotate({
					scope: 'users',
					users: 'asha.rao@example.com, nobody@example.com, c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0',
				}),
			}),
		);
		expect((error as Error).message).toBe(
			'Users not found: nobody@example.com; without a SIP device: Mei Lin Tan (user c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0, device -)',
		);
		expect(methods()).not.toContain('PUT');
	});

	it('once the Rotation ID has started, a given user gone since is named in a warning and the others are set', async () => {
		const users = `${VIKRAM.id}, asha.rao@example.com`;
		const prepared = await bed.run({
			parameters: rotate({ scope: 'users', users, rotationId: 'q-70', whenToSet: 'later' }),
			mode: 'trigger',
		});
		expect(prepared).toHaveLength(2);
		bed.sandbox.users.delete(VIKRAM.id);
		const hints: Array<{ message: string; type?: string }> = [];
		const output = await bed.run({
			parameters: rotate({ scope: 'users', users, rotationId: 'q-70' }),
			mode: 'trigger',
			hints,
		});
		expect(output.map((o) => [o.json.user_id, o.json.password_set])).toEqual([[ASHA.id, true]]);
		expect(output[0].json.sipPassword).toBe(prepared[0].json.sipPassword);
		expect(hints.find((h) => h.type === 'warning')?.message).toMatch(
			new RegExp(
				`^Not set, 1 agent changed in Exotel since the rotation started — user ${VIKRAM.id}: user ${VIKRAM.id} no longer exists in Exotel\\.`,
			),
		);
		// A Rotation ID that never started still stops before any write.
		const puts = methods().filter((m) => m === 'PUT').length;
		const { error } = await captureOutput(() =>
			bed.run({
				parameters: rotate({ scope: 'users', users, rotationId: 'q-71' }),
				mode: 'trigger',
			}),
		);
		expect((error as Error).message).toBe(`Users not found: ${VIKRAM.id}`);
		expect(methods().filter((m) => m === 'PUT')).toHaveLength(puts);
	});

	it('refuses an empty or malformed Users list before any request, naming the field', async () => {
		const { error } = await captureOutput(() =>
			bed.run({ parameters: rotate({ scope: 'users', users: 'asha@, ../x' }) }),
		);
		expect((error as Error).message).toMatch(
			/^Invalid input: Users "asha@" .*; "\.\.\/x" contains/,
		);
		expect(bed.sandbox.requests).toHaveLength(0);
	});
});
