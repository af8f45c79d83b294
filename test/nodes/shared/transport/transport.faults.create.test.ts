/**
 * The node against a misbehaving Exotel (see transport.faults.test.ts): a create (POST) is
 * repeated only when that cannot make a second user.
 */
import { FAST, failureOf, notRetried, useFaultTestbed } from '../../../support/faults';

const { bed } = useFaultTestbed();

describe('Create (POST) is repeated only when that cannot make a second user', () => {
	const EMAIL = 'riya.kapoor@example.com';
	const create = (additionalFields: Record<string, string> = {}, continueOnFail = true) =>
		bed.run({
			continueOnFail,
			parameters: {
				resource: 'user',
				operation: 'create',
				firstName: 'Riya',
				lastName: 'Kapoor',
				additionalFields,
				options: FAST,
			},
		});
	const posts = () => bed.sandbox.requests.filter((r) => r.method === 'POST');
	const riyas = () => [...bed.sandbox.users.values()].filter((u) => u.first_name === 'Riya');

	it.each([
		['503', { kind: 'status', status: 503 }, 0],
		['a reset before Exotel handled it', { kind: 'reset' }, 0],
		['a reset after Exotel created the user', { kind: 'reset', processed: true }, 1],
	] as const)(
		'without an email, after %s: 1 request, not retried, and the description says why',
		async (_label, rule, created) => {
			bed.sandbox.faults.add({ ...rule, route: 'POST users', times: 1 });
			const error = await failureOf(create({}, false));
			expect(bed.sandbox.requests).toHaveLength(1);
			expect(error.description?.startsWith(notRetried({ kind: 'unsafe-to-repeat' }))).toBe(true);
			expect(error.description).toMatch(
				/may or may not have created the user: check with Get Many/,
			);
			expect(error.message).not.toMatch(/gave up/);
			expect(riyas()).toHaveLength(created);
		},
	);

	it('with an email, after a reset that lost the answer of a create that went through: finds that user, creates no second', async () => {
		bed.sandbox.faults.add({ kind: 'reset', processed: true, route: 'POST users', times: 1 });
		const [output] = await create({ email: EMAIL });

		expect(riyas()).toHaveLength(1);
		const [riya] = riyas();
		expect(
			bed.sandbox.requests.map((r) => [
				r.method,
				r.segments.slice(3).join('/'),
				r.query.email,
				r.status,
			]),
		).toEqual([
			['POST', 'users', undefined, 0],
			['GET', 'users', EMAIL, 200],
		]);
		expect(output.pairedItem).toEqual({ item: 0 });
		expect(output.json).toMatchObject({
			recovered: true,
			response: { status: 'success', data: { id: riya.id, email: EMAIL } },
		});
	});

	it.each([
		['a reset before Exotel handled it', { kind: 'reset' }],
		['a 503', { kind: 'status', status: 503 }],
	] as const)(
		'with an email, after %s: looks the email up, finds no one, and creates the user once',
		async (_label, rule) => {
			bed.sandbox.faults.add({ ...rule, route: 'POST users', times: 1 });
			const [output] = await create({ email: EMAIL });
			expect(bed.sandbox.requests.map((r) => [r.method, r.query.email])).toEqual([
				['POST', undefined],
				['GET', EMAIL],
				['POST', undefined],
			]);
			expect(riyas()).toHaveLength(1);
			expect(output.json).toMatchObject({
				response: { status: 'success', data: { id: riyas()[0].id, email: EMAIL } },
			});
		},
	);

	it('a 429 is a clear "not done", so a create without an email IS retried', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 429, route: 'POST users', times: 2 });
		const [output] = await create();
		expect(posts().map((r) => r.status)).toEqual([429, 429, expect.any(Number)]);
		expect(bed.sandbox.requests).toHaveLength(3);
		expect(riyas()).toHaveLength(1);
		expect(output.json).toMatchObject({
			response: { status: 'success', data: { id: riyas()[0].id } },
		});
	});
});
