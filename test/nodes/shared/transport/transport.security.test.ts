/**
 * What input items cannot do to the request, and what a failing run cannot reveal
 * (issue "Bulk resets at Exotel's pace" §4):
 *   - ids arriving through expressions can never steer a request off its route: anything
 *     that could (path separators, dot segments, encodings, query/fragment marks, control
 *     characters) is refused before sending, naming the field; anything else is
 *     percent-encoded, so Exotel's decoded path segment is the id, exactly;
 *   - through every kind of fault, the API token and the SIP passwords appear in no output
 *     item, no error (to any depth) and nothing printed.
 */
import { inspect } from 'node:util';
import { NodeOperationError, type INodeExecutionData, type INodeParameters } from 'n8n-workflow';

import {
	ASHA,
	VIKRAM,
	byId,
	captureOutput,
	expectNoSecrets,
	newPassword,
	useTestbed,
} from '../../../support/exotel';
import {
	manyUsers,
	seedUsers,
	type FaultRule,
	type User,
} from '../../../../tools/dev/sandbox/server';

/** Users whose ids (and device ids) are odd but harmless; each gets one SIP device. */
const ODD_IDS: Array<[label: string, userId: string, deviceId: string]> = [
	['spaces', 'ops team 7', 'sip phone 1'],
	['+ and @', 'a+b@example', '+919876543210'],
	['unicode letters', 'Ñandú-Zoë', 'телефон'],
	['CJK', '用户七', '设备'],
	['emoji', 'agent-👍🏽', '☎️'],
	['look-alikes of / and ..', '／fullwidth．．', '∕division∕slash'],
	['query-like and sub-delimiter characters', "a;b,c=d&e!$'()*~", '[1]{2}<3>|^`'],
	['a dot inside', 'v1.2', '1.0'],
];
const ODD_EMAIL = 'ops+team&limit=50@example.com';

function oddUsers(): User[] {
	const templates = manyUsers(ODD_IDS.length + 1);
	const users = ODD_IDS.map(([, id, deviceId], i) => ({
		...templates[i],
		id,
		devices: [{ ...templates[i].devices[0], id: deviceId }],
	}));
	return [...users, { ...templates[ODD_IDS.length], email: ODD_EMAIL }];
}

/** Plain users for fault runs, one per fault below. */
const PLAIN = manyUsers(ODD_IDS.length + 1 + 9).slice(ODD_IDS.length + 1);

const bed = useTestbed({ users: [...seedUsers(), ...oddUsers(), ...PLAIN] });

const OPTIONS: INodeParameters = {
	retryBaseDelay: 0.01,
	maxRetryWait: 5,
	timeout: 0.5,
	maxAttempts: 2,
};
const PARAMETERS: INodeParameters = {
	userId: byId('={{ $json.user }}'),
	deviceId: '={{ $json.device }}',
	passwordMode: 'manual',
	password: '={{ $json.pw }}',
	options: OPTIONS,
};

const passwordRoute = (userId: string, deviceId: string | number) => [
	'v2',
	'accounts',
	bed.secrets.accountSid,
	'users',
	userId,
	'devices',
	String(deviceId),
	'password',
];

describe('ids from input items', () => {
	const BAD: string[] = [
		'../x',
		'../../users',
		'..',
		'a/b',
		'/',
		'a%2Fb',
		'%2e%2e',
		'%252F',
		'a%00',
		'a?b=1',
		'?',
		'a#frag',
		'a\r\nX-Injected: 1',
		'a\nb',
		'a\rb',
		'a\tb',
		'a\u0000b',
		'a\u007fb',
		'a\\b',
		'..\\..',
		'\u2028../x',
	];

	it('refuses every id that could leave its path segment, naming the field, and sends nothing for it', async () => {
		const items: INodeExecutionData[] = [
			...BAD.map((user) => ({ json: { user, device: ASHA.sip, pw: newPassword() } })),
			...BAD.map((device) => ({ json: { user: ASHA.id, device, pw: newPassword() } })),
			// A good item last: the run goes on, and its one request is the only one sent.
			{ json: { user: VIKRAM.id, device: VIKRAM.sip, pw: newPassword() } },
		];
		const output = await bed.run({ items, continueOnFail: true, parameters: PARAMETERS });

		expect(output.map((o) => o.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		const errors = output.slice(0, -1).map((o) => o.json.error);
		expect(errors.slice(0, BAD.length)).toEqual(
			BAD.map(() => expect.stringMatching(/^Invalid input: User contains /)),
		);
		expect(errors.slice(BAD.length)).toEqual(
			BAD.map(() => expect.stringMatching(/^Invalid input: Device contains /)),
		);
		expect(output.at(-1)!.json.http_code).toBe(200);
		expect(bed.sandbox.requests.map((r) => [r.method, r.segments])).toEqual([
			['PUT', passwordRoute(VIKRAM.id, VIKRAM.sip)],
		]);
	});

	it('a refused id stops the run (without Continue On Fail) with a field-named error for that item, before any password changes', async () => {
		const items = [
			{ json: { user: ASHA.id, device: ASHA.sip, pw: newPassword() } },
			{ json: { user: ASHA.id, device: '101/../../../users', pw: newPassword() } },
		];
		const { error } = await captureOutput(() => bed.run({ items, parameters: PARAMETERS }));
		expect(error).toBeInstanceOf(NodeOperationError);
		const refused = error as NodeOperationError;
		expect(refused.message).toMatch(/^Invalid input: Device contains "\/", "\.\."/);
		expect(refused.description).toMatch(/Nothing was sent to Exotel/);
		expect(refused.context.itemIndex).toBe(1);
		// The pre-flight check reads every item first: the first item's password did not change.
		expect(bed.sandbox.requests.filter((r) => r.method === 'PUT')).toEqual([]);
		expect(bed.sandbox.passwordOf(ASHA.id, ASHA.sip)).toBeUndefined();
	});

	it.each(ODD_IDS)(
		'ids with %s are percent-encoded: Exotel’s decoded segments are the ids, exactly',
		async (_label, userId, deviceId) => {
			const pw = newPassword();
			const output = await bed.run({
				items: [{ json: { user: userId, device: deviceId, pw } }],
				continueOnFail: true,
				parameters: PARAMETERS,
			});
			expect(output[0].json).toMatchObject({ http_code: 200, response: { status: 'success' } });
			expect(bed.sandbox.requests).toHaveLength(1);
			const [request] = bed.sandbox.requests;
			expect(request.segments).toEqual(passwordRoute(userId, deviceId));
			// On the wire every character outside A-Z a-z 0-9 - _ . ! ~ * ' ( ) is percent-encoded —
			// + and @ too, which some servers would otherwise read as a space or a user name.
			expect(request.url).toBe(
				`/v2/accounts/${bed.secrets.accountSid}/users/${encodeURIComponent(userId)}/devices/${encodeURIComponent(deviceId)}/password`,
			);
			expect(request.url).toMatch(/^[\x21-\x7e]+$/);
			expect(bed.sandbox.passwordOf(userId, deviceId)).toBe(bed.sandbox.fingerprint(pw));
		},
	);

	it('an email with +, & and = is sent as one query value, adding no parameter of its own', async () => {
		const pw = newPassword();
		const output = await bed.run({
			items: [{ json: { email: ODD_EMAIL, pw } }],
			continueOnFail: true,
			parameters: {
				...PARAMETERS,
				userId: { __rl: true, mode: 'email', value: '={{ $json.email }}' },
				deviceId: '',
			},
		});
		expect(output[0].json).toMatchObject({ http_code: 200 });
		const [lookup] = bed.sandbox.requests;
		expect(lookup.query.email).toBe(ODD_EMAIL);
		expect(Object.keys(lookup.query).sort()).toEqual(['email', 'fields', 'limit', 'offset']);
		expect(lookup.query.limit).not.toBe('50');
	});
});

describe('secrets through faults', () => {
	const FAULTS: Array<[string, FaultRule]> = [
		['a connection reset', { kind: 'reset' }],
		['a hung request (timeout)', { kind: 'hang' }],
		['headers after the timeout', { kind: 'slow', durationMs: 0, firstByteMs: 1500 }],
		['a 503 HTML page', { kind: 'status', status: 503, body: 'html' }],
		['a 500 with JSON cut off', { kind: 'status', status: 500, body: 'malformed-json' }],
		['a 429 asking for too long a wait', { kind: 'status', status: 429, retryAfter: 600 }],
		['a 401', { kind: 'status', status: 401 }],
		['a 404', { kind: 'status', status: 404 }],
		['a 200 that is not JSON', { kind: 'status', status: 200, body: 'text' }],
	];

	it('with Continue On Fail, a run hitting every fault: no token or password in any output item or anything printed', async () => {
		const users = PLAIN.slice(0, FAULTS.length);
		const items = users.map((u) => ({
			json: { user: u.id, device: u.devices[0].id, pw: newPassword() },
		}));
		FAULTS.forEach(([, rule], i) => bed.sandbox.faults.add({ ...rule, userId: users[i].id }));

		const { result, error, printed } = await captureOutput(() =>
			bed.run({
				items,
				continueOnFail: true,
				parameters: { ...PARAMETERS, options: { ...OPTIONS, concurrency: 3 } },
			}),
		);
		expect(error).toBeUndefined();
		expect(result!.every((o) => typeof o.json.error === 'string')).toBe(true);
		const secrets = [bed.secrets.apiToken, ...items.map((i) => i.json.pw)];
		expectNoSecrets(result, secrets);
		expectNoSecrets(printed, secrets);
	});

	it.each(FAULTS)(
		'without Continue On Fail, after %s: the error, to any depth, holds no token or password',
		async (_label, rule) => {
			bed.sandbox.faults.add(rule);
			const pw = newPassword();
			const { error, printed } = await captureOutput(() =>
				bed.run({
					items: [{ json: { user: ASHA.id, device: ASHA.sip, pw } }],
					parameters: PARAMETERS,
				}),
			);
			expect(error).toBeInstanceOf(Error);
			expect(bed.sandbox.requests.length).toBeGreaterThan(0);
			expectNoSecrets(error, [bed.secrets.apiToken, pw]);
			expectNoSecrets(printed, [bed.secrets.apiToken, pw]);
		},
	);

	it('the same for a create (its error names no token), and for a wrong token, which must not be echoed either', async () => {
		const wrongToken = `tok-wrong-${newPassword()}`;
		bed.sandbox.faults.add({ kind: 'status', status: 503, route: 'POST users' });
		const { error: createError, printed: createPrinted } = await captureOutput(() =>
			bed.run({
				parameters: {
					resource: 'user',
					operation: 'create',
					firstName: 'Riya',
					lastName: 'Kapoor',
					options: OPTIONS,
				},
			}),
		);
		const pw = newPassword();
		const { error: authError, printed: authPrinted } = await captureOutput(() =>
			bed.run({
				credentials: { ...bed.credentials(), apiToken: wrongToken },
				items: [{ json: { user: ASHA.id, device: ASHA.sip, pw } }],
				parameters: PARAMETERS,
			}),
		);
		expect(createError).toBeInstanceOf(Error);
		expect((authError as Error).message).toMatch(/^Exotel answered 401 Unauthorized/);
		for (const view of [createError, createPrinted, authError, authPrinted])
			expectNoSecrets(view, [bed.secrets.apiToken, wrongToken, pw]);
	});

	it('a proxy echoing the Authorization header in a 502 page: no Basic value, key:token or token, in any letter case, in the error or the error item', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 502, body: 'echo-authorization' });
		const pw = newPassword();
		const items = [{ json: { user: ASHA.id, device: ASHA.sip, pw } }];
		const { secrets } = bed;
		const basic = Buffer.from(`${secrets.apiKey}:${secrets.apiToken}`).toString('base64');
		// The Basic value's first 12 characters already give the key and the token's start away.
		const forms = [
			secrets.apiToken,
			`${secrets.apiKey}:${secrets.apiToken}`,
			basic.slice(0, 12),
			pw,
		].map((s) => s.toLowerCase());
		const { error, printed } = await captureOutput(() =>
			bed.run({ items, parameters: PARAMETERS }),
		);
		const { result } = await captureOutput(() =>
			bed.run({ items, continueOnFail: true, parameters: PARAMETERS }),
		);
		expect(bed.sandbox.requests.length).toBeGreaterThan(0);
		expect((error as Error).message).toMatch(/502/);
		expect(JSON.stringify(result)).toContain('502');
		for (const view of [
			inspect(error, { depth: 12 }),
			String((error as { description?: unknown }).description),
			printed,
			JSON.stringify(result),
		]) {
			for (const form of forms) expect(view.toLowerCase()).not.toContain(form);
		}
	});
});
