/**
 * What the editor shows: the node's parameters, their hints and defaults, read from the
 * description n8n loads. (What only a browser shows is checked by the browser tier.)
 */
import { NodeHelpers, type INodeParameters, type INodeProperties } from 'n8n-workflow';

import { buildExecuteContext } from '../../../tools/dev/harness/n8n';
import { ExotelUsers } from '../../../nodes/ExotelUsers/ExotelUsers.node';

const properties = new ExotelUsers().description.properties;

/** Every property (collection options included) shown for a resource and operation. */
function shownFor(resource: string, operation: string): INodeProperties[] {
	return properties
		.filter((p) => {
			const show = p.displayOptions?.show;
			return (
				!show ||
				((show.resource ?? [resource]).includes(resource) &&
					(show.operation ?? [operation]).includes(operation))
			);
		})
		.flatMap((p) => [
			p,
			...((p.options ?? []).filter((o) => 'displayName' in o && 'type' in o) as INodeProperties[]),
		]);
}

function field(resource: string, operation: string, name: string): INodeProperties {
	const found = shownFor(resource, operation).find((p) => p.name === name);
	if (!found) throw new Error(`no parameter ${name} in ${resource} → ${operation}`);
	return found;
}

describe('the node’s parameters in the editor', () => {
	it.each([
		['create', 'firstName'],
		['create', 'lastName'],
		['update', 'firstName'],
		['update', 'lastName'],
	])('User → %s: %s says in its visible hint what Exotel allows in a name', (operation, name) => {
		expect(field('user', operation, name).hint).toBe(
			"3 to 20 characters: A–Z, a–z, 0–9, space, . ' and - (no accented letters such as é)",
		);
	});
});

/** The parameters n8n fills in for a node of this version: what a new node starts with, and what a saved workflow runs with. */
function defaults(typeVersion: number, parameters: INodeParameters = {}): INodeParameters {
	const description = new ExotelUsers().description;
	return (
		NodeHelpers.getNodeParameters(
			description.properties,
			parameters,
			true,
			false,
			{ typeVersion } as never,
			description,
		) ?? {}
	);
}

describe('versions: what changed for a new node, and what a saved workflow keeps', () => {
	it('is version 2 for a new node, and still runs version 1', () => {
		expect(new ExotelUsers().description.version).toEqual([1, 2]);
	});

	it('version 2 reads by default (User → Get); a version-1 workflow that saved no operation still updates SIP passwords', () => {
		expect(defaults(2)).toMatchObject({ resource: 'user', operation: 'get' });
		expect(defaults(1)).toMatchObject({ resource: 'user', operation: 'updateSipPassword' });
	});

	it('version 2 generates the password by default, so nothing secret is typed into the workflow; version 1 keeps Enter a Password', () => {
		expect(defaults(2, { operation: 'updateSipPassword' })).toMatchObject({
			passwordMode: 'generate',
			passwordLength: 16,
		});
		expect(defaults(2, { operation: 'updateSipPassword' })).not.toHaveProperty('password');
		expect(defaults(1, { operation: 'updateSipPassword' })).toMatchObject({
			passwordMode: 'manual',
			password: '',
		});
	});

	it('version 2 picks the device from the user’s devices (a resource locator); version 1 keeps the text field', () => {
		expect(defaults(2, { operation: 'updateSipPassword' }).deviceId).toEqual({
			__rl: true,
			mode: 'list',
			value: '',
		});
		expect(defaults(1, { operation: 'updateSipPassword' }).deviceId).toBe('');
		expect(defaults(2, { resource: 'device', operation: 'update' }).deviceId).toEqual({
			__rl: true,
			mode: 'list',
			value: '',
		});
	});

	it('version 2 has Include as its own option of Get Many users, not among the filters', () => {
		expect(defaults(2, { operation: 'getAll' })).toMatchObject({ include: [] });
		const filters = properties.filter(
			(p) => p.name === 'filters' && p.displayOptions?.show?.['@version']?.includes(2),
		);
		expect(
			filters.flatMap((p) => (p.options ?? []).map((o) => ('name' in o ? o.name : ''))),
		).toEqual(['contactUris', 'emails']);
	});
});

describe('hints the editor shows under the fields (not on hover)', () => {
	const password = () =>
		properties.find((p) => p.name === 'password' && !p.displayOptions?.show?.['@tool']);

	it('says plainly, above a typed password, that it is stored in the workflow, and what to use instead', () => {
		const notice = properties.find((p) => p.name === 'typedPasswordNotice');
		expect(notice).toMatchObject({
			type: 'notice',
			displayOptions: { show: { passwordMode: ['manual'], operation: ['updateSipPassword'] } },
		});
		expect(notice?.displayName).toMatch(/saved in the workflow in clear text/);
		expect(notice?.displayName).toMatch(
			/Generate a Password, or an expression .* e\.g\. \{\{ \$json\.password \}\}/,
		);
	});

	it('states the password rules, Exotel’s and the node’s own apart', () => {
		expect(password()?.hint).toBe(
			'Exotel’s policy: at least 8 characters, using 3 of: lower case, upper case, digits, special characters. This node also refuses white space or an invisible character at either end (a copy-paste accident), and NUL.',
		);
	});

	it('states the generated length’s range', () => {
		expect(properties.find((p) => p.name === 'passwordLength')?.hint).toMatch(
			/^8 to 64 characters\./,
		);
	});

	it('states, under Device, that empty means the user’s only SIP device', () => {
		const device = properties.filter(
			(p) =>
				p.name === 'deviceId' && p.displayOptions?.show?.operation?.includes('updateSipPassword'),
		);
		expect(device.length).toBeGreaterThan(0);
		for (const field of device)
			expect(field.hint).toBe('Leave empty to use the user’s only SIP device');
	});

	it('says under By Email that case is ignored and what the lookup costs', () => {
		const user = properties.find((p) => p.name === 'userId');
		const email = user?.modes?.find((m) => m.name === 'email');
		expect(email?.hint).toMatch(
			/ignoring upper and lower case: 1 request .*otherwise .* 1 request per 50 users/,
		);
	});
});

describe('the canvas subtitle', () => {
	it.each([
		['user', 'updateSipPassword', 'Update SIP password of a user'],
		['user', 'getAll', 'Get many users'],
		['device', 'update', 'Update a device'],
		['user', '__CUSTOM_API_CALL__', 'Custom API Call'],
		['__CUSTOM_API_CALL__', undefined, 'Custom API Call'],
	])('%s → %s reads "%s"', (resource, operation, subtitle) => {
		const nodeType = new ExotelUsers();
		const parameters = operation === undefined ? { resource } : { resource, operation };
		const { workflow, node } = buildExecuteContext({ nodeType, parameters, applyDefaults: false });
		expect(
			workflow.expression.getSimpleParameterValue(
				node,
				nodeType.description.subtitle as string,
				'internal',
				{},
			),
		).toBe(subtitle);
	});
});

describe('Update SIP Password: nothing a builder set is undone by switching Password and back', () => {
	// n8n's editor keeps only the parameters getNodeParameters returns for the new values: a
	// field hidden by the switch loses its value (returnNoneDisplayed false, as defaults() calls it).
	it('keeps Rotation ID, When to Set and Password Length through Enter a Password and back (version 2)', () => {
		const set = {
			operation: 'updateSipPassword',
			passwordMode: 'generate',
			rotationId: '={{ $json.body.ticket_id }}',
			whenToSet: 'later',
			passwordLength: 24,
		};
		const typed = defaults(2, { ...defaults(2, set), passwordMode: 'manual' });
		const back = defaults(2, { ...typed, passwordMode: 'generate' });
		expect(back).toMatchObject({
			rotationId: '={{ $json.body.ticket_id }}',
			whenToSet: 'later',
			passwordLength: 24,
		});
	});

	it('Rotate’s default Rotation ID never repeats within a day: the input’s rotation_id, else the execution id (version 2)', () => {
		expect(defaults(2, { operation: 'rotateSipPasswords' })).toMatchObject({
			rotationId: '={{ $json.rotation_id || $execution.id }}',
			whenToSet: 'now',
		});
	});

	it('every Rotation ID hint says what empty means', () => {
		const hints = new ExotelUsers().description.properties
			.filter((p) => p.name === 'rotationId')
			.map((p) => p.hint);
		expect(hints.length).toBeGreaterThanOrEqual(3);
		for (const hint of hints)
			expect(hint).toMatch(/Empty: (a )?random passwords?, which a re-run cannot repeat/);
	});
});
