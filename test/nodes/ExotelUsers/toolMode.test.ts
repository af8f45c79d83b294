/**
 * The node as an AI Agent tool, run the way n8n runs it: the tool variant n8n builds from the
 * base description (type `CUSTOM.exotelUsersTool`), its parameters filled in from that
 * description's defaults, `$fromAI()` read from the tool call's arguments in the input item.
 */
import {
	NodeHelpers,
	traverseNodeParameters,
	type FromAIArgument,
	type INodeParameters,
} from 'n8n-workflow';

import { ExotelUsers } from '../../../nodes/ExotelUsers/ExotelUsers.node';
import { PASSWORD_WITHHELD } from '../../../nodes/ExotelUsers/actions/common/password';
import { ASHA, asTool, expectNoSecrets, newPassword, useTestbed } from '../../support/exotel';

const bed = useTestbed();

/** What the model is asked to fill: n8n's tool schema comes from these $fromAI() calls alone. */
function modelArguments(parameters: INodeParameters, typeVersion = 2): FromAIArgument[] {
	const tool = asTool(new ExotelUsers()).description;
	const filled =
		NodeHelpers.getNodeParameters(
			tool.properties,
			parameters,
			true,
			false,
			{ typeVersion } as never,
			tool,
		) ?? {};
	const found: FromAIArgument[] = [];
	traverseNodeParameters(filled, found);
	return found;
}

const OPERATIONS: Array<[string, string]> = [
	['user', 'create'],
	['user', 'delete'],
	['user', 'get'],
	['user', 'getAll'],
	['user', 'update'],
	['user', 'updateSipPassword'],
	['device', 'getAll'],
	['device', 'update'],
];

describe('as an AI Agent tool', () => {
	it('defaults to a read: with nothing chosen, the tool gets the user the model names', async () => {
		const output = await bed.run({
			asTool: true,
			parameters: {},
			items: [{ json: { User: 'asha.rao@example.com' } }],
		});
		expect(bed.sandbox.requests.map((r) => r.method)).toEqual(
			bed.sandbox.requests.map(() => 'GET'),
		);
		expect(output).toHaveLength(1);
		expect(output[0].json).toMatchObject({ id: ASHA.id, email: 'asha.rao@example.com' });
	});

	it('asks the model for the user with a description of what a user is, its format and an example', () => {
		const [user] = modelArguments({});
		expect(user).toMatchObject({ key: 'User', type: 'string' });
		expect(user.description).toMatch(/email address \(e\.g\. asha\.rao@example\.com\)/);
		expect(user.description).toMatch(
			/user ID, 32 hexadecimal characters \(e\.g\. a3f1c2d4e5b60718293a4b5c6d7e8f90\)/,
		);
	});

	it.each(OPERATIONS)(
		'%s → %s: every value the model is asked for has a description with an example',
		(resource, operation) => {
			const asked = [
				...modelArguments({ resource, operation }),
				...modelArguments({ resource, operation, passwordMode: 'manual' }),
			];
			// Every operation on one user asks for the user, Create for the names; Get Many users for nothing by default.
			const expected =
				operation === 'create'
					? ['First_Name', 'Last_Name']
					: resource === 'user' && operation === 'getAll'
						? []
						: ['User'];
			expect(asked.map((a) => a.key)).toEqual(expect.arrayContaining(expected));
			for (const argument of asked) {
				expect(argument.key).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
				expect(argument.description).toMatch(/e\.g\.|such as/);
				expect(argument.description?.length).toBeGreaterThan(40);
			}
		},
	);

	it('does not ask the model for anything in the plain node', () => {
		const plain = new ExotelUsers().description;
		const filled = NodeHelpers.getNodeParameters(
			plain.properties,
			{ operation: 'updateSipPassword', passwordMode: 'manual' },
			true,
			false,
			{ typeVersion: 2 } as never,
			plain,
		);
		const found: FromAIArgument[] = [];
		traverseNodeParameters(filled, found);
		expect(found).toEqual([]);
	});

	describe('Update SIP Password with a generated password', () => {
		const reset = { operation: 'updateSipPassword' };

		it('sets it but does not return it to the model, saying so, unless the author allows it', async () => {
			const output = await bed.run({
				asTool: true,
				parameters: reset,
				items: [{ json: { User: 'asha.rao@example.com', Device: '' } }],
			});
			const put = bed.sandbox.requests.find((r) => r.method === 'PUT');
			expect(put?.segments.slice(-3)).toEqual(['devices', String(ASHA.sip), 'password']);
			expect(bed.sandbox.passwordOf(ASHA.id, ASHA.sip)).toBeDefined();
			expect(output).toHaveLength(1);
			expect(output[0].json).not.toHaveProperty('sipPassword');
			expect(output[0].json).toMatchObject({
				http_code: 200,
				device_id: String(ASHA.sip),
				device_type: 'sip',
				passwordReturned: false,
				note: PASSWORD_WITHHELD,
			});
			// Nothing the model receives is the password: the sandbox knows only its fingerprint.
			const strings = JSON.stringify(output).match(/"(?:[^"\\]|\\.)*"/g) ?? [];
			const stored = bed.sandbox.passwordOf(ASHA.id, ASHA.sip);
			expect(strings.map((s) => bed.sandbox.fingerprint(JSON.parse(s) as string))).not.toContain(
				stored,
			);
		});

		it('returns it as sipPassword when the author turns on Return Password to the AI Model', async () => {
			const output = await bed.run({
				asTool: true,
				parameters: { ...reset, returnPasswordToModel: true },
				items: [{ json: { User: 'asha.rao@example.com', Device: '' } }],
			});
			const password = output[0].json.sipPassword as string;
			expect(bed.sandbox.passwordOf(ASHA.id, ASHA.sip)).toBe(bed.sandbox.fingerprint(password));
			expect(output[0].json).not.toHaveProperty('passwordReturned');
		});

		it('offers Return Password to the AI Model only in the tool, off by default', () => {
			const option = (properties: ReturnType<typeof asTool>['description']['properties']) =>
				properties.find(
					(p) =>
						p.name === 'returnPasswordToModel' &&
						p.displayOptions?.show?.operation?.includes('updateSipPassword'),
				);
			expect(option(asTool(new ExotelUsers()).description.properties)).toMatchObject({
				type: 'boolean',
				default: false,
				displayOptions: { show: { '@tool': [true], passwordMode: ['generate'] } },
			});
			const plainParameters = NodeHelpers.getNodeParameters(
				new ExotelUsers().description.properties,
				{ operation: 'updateSipPassword' },
				true,
				false,
				{ typeVersion: 2 } as never,
				new ExotelUsers().description,
			);
			expect(plainParameters).not.toHaveProperty('returnPasswordToModel');
		});
	});

	it('refuses a weak password the model passes, naming the rule and never the password, sending nothing', async () => {
		const weak = 'asha1234';
		const output = await bed.run({
			asTool: true,
			continueOnFail: true,
			parameters: { operation: 'updateSipPassword', passwordMode: 'manual' },
			items: [{ json: { User: 'asha.rao@example.com', Device: '', New_SIP_Password: weak } }],
		});
		expect(output[0].json.error).toBe(
			'Invalid input: New SIP Password breaks Exotel’s password policy: uses 2 of the 4 character classes (lower case, digits), needs 3 of: lower case, upper case, digits, special characters',
		);
		expect(bed.sandbox.requests).toHaveLength(0);
		expectNoSecrets(output, [weak]);
	});

	it('sets a password the model passes, and never repeats it', async () => {
		const password = newPassword();
		const output = await bed.run({
			asTool: true,
			parameters: { operation: 'updateSipPassword', passwordMode: 'manual' },
			items: [{ json: { User: ASHA.id, Device: String(ASHA.sip), New_SIP_Password: password } }],
		});
		expect(bed.sandbox.passwordOf(ASHA.id, ASHA.sip)).toBe(bed.sandbox.fingerprint(password));
		expectNoSecrets(output, [password]);
	});
});
