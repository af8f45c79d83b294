/**
 * The credential's test request, run the way n8n's credential tester runs it (declarative
 * request through n8n-core's RoutingNode and the real authenticated helper).
 */
import { checkId } from '../../nodes/shared/ids';
import { randomBytes } from 'node:crypto';

import {
	ExotelUsersApi,
	EXOTEL_REGION_HOSTS,
	WEAK_KEY_MESSAGE,
} from '../../credentials/ExotelUsersApi.credentials';
import { ExotelUsers } from '../../nodes/ExotelUsers/ExotelUsers.node';
import { buildExecuteContext } from '../../tools/dev/harness/n8n';
import { runCredentialTest } from '../../tools/dev/harness/runCredentialTest';
import { startTestbed, useTestbed } from '../support/exotel';

const bed = useTestbed();

describe('Exotel API credential', () => {
	it('proves key, token and SID with one cheap read: GET /users?limit=1', async () => {
		await expect(runCredentialTest(new ExotelUsersApi(), bed.credentials())).resolves.toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(bed.sandbox.requests).toHaveLength(1);
		expect(bed.sandbox.requests[0]).toMatchObject({
			method: 'GET',
			url: `/v2/accounts/${bed.secrets.accountSid}/users?limit=1`,
			auth: { username: bed.secrets.apiKey, tokenMatches: true },
			status: 200,
		});
	});

	it('refuses a weak SIP Password Key once key, token, SID and region work, saying how to make one', async () => {
		for (const passwordKey of [
			'x',
			'a-long-random-secret-of-the-team',
			`${bed.secrets.passwordKey} `,
			bed.secrets.apiToken,
			'ab'.repeat(40),
		]) {
			const result = await runCredentialTest(new ExotelUsersApi(), {
				...bed.credentials(),
				passwordKey,
			});
			expect(result).toEqual({ status: 'Error', message: WEAK_KEY_MESSAGE });
			expect(result.message).toContain('openssl rand -base64 32');
		}
		// The test still proves the rest first: a wrong token is a 401, whatever the key.
		const wrong = await runCredentialTest(new ExotelUsersApi(), {
			...bed.credentials(),
			passwordKey: 'x',
			apiToken: 'not-the-token',
		});
		expect(wrong.statusCode).toBe(401);
		// Empty (random passwords only) and strong keys pass.
		for (const passwordKey of ['', bed.secrets.passwordKey, randomBytes(32).toString('hex')]) {
			await expect(
				runCredentialTest(new ExotelUsersApi(), { ...bed.credentials(), passwordKey }),
			).resolves.toMatchObject({ status: 'OK' });
		}
	});

	it('tolerates a trailing slash and spaces in a custom base URL', async () => {
		const result = await runCredentialTest(new ExotelUsersApi(), {
			...bed.credentials(),
			baseUrl: ` ${bed.sandbox.url}/ `,
		});
		expect(result.status).toBe('OK');
		expect(bed.sandbox.requests[0].url).toBe(
			`/v2/accounts/${bed.secrets.accountSid}/users?limit=1`,
		);
	});

	it('fails with a wrong token, saying to check key, token, SID and region, with both regions’ hosts', async () => {
		const result = await runCredentialTest(new ExotelUsersApi(), {
			...bed.credentials(),
			apiToken: 'not-the-token',
		});
		expect(result).toMatchObject({ status: 'Error', statusCode: 401 });
		expect(result.message).toMatch(
			/^Exotel refused these credentials \(401\)\. Check the API Key and API Token .*the Account SID, and the Region first\./,
		);
		expect(result.message).toContain('my.exotel.com is Singapore (ccm-api.exotel.com)');
		expect(result.message).toContain('my.mum1.exotel.com is Mumbai (ccm-api.in.exotel.com)');
		expect(result.message).not.toContain('not-the-token');
	});

	it('fails with another account’s SID, naming the Account SID', async () => {
		const result = await runCredentialTest(new ExotelUsersApi(), {
			...bed.credentials(),
			accountSid: 'someone-else',
		});
		expect(result).toMatchObject({ status: 'Error', statusCode: 401 });
		expect(result.message).toContain('the Account SID');
	});

	it('explains a 403: valid key and token, but not for this account', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 403, times: 1 });
		const result = await runCredentialTest(new ExotelUsersApi(), bed.credentials());
		expect(result).toMatchObject({ status: 'Error', statusCode: 403 });
		expect(result.message).toMatch(
			/^Exotel accepted the key and token but refused access to this account \(403\)\. Check that the Account SID/,
		);
	});

	it('explains a 404: the SID or the region, naming the other region’s host, or a Base URL with /v2', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 404, times: 1 });
		const result = await runCredentialTest(new ExotelUsersApi(), bed.credentials());
		expect(result).toMatchObject({ status: 'Error', statusCode: 404 });
		expect(result.message).toMatch(
			/^Exotel found no such account at this address \(404\)\. Check the Account SID and the Region\./,
		);
		expect(result.message).toContain('ccm-api.in.exotel.com');
		expect(result.message).toContain('without /v2');
	});

	it('explains a 429 as the rate limit, not a credential problem', async () => {
		bed.sandbox.faults.add({ kind: 'status', status: 429, times: 1 });
		const result = await runCredentialTest(new ExotelUsersApi(), bed.credentials());
		expect(result.message).toMatch(/rate limit .* the credentials may be fine/);
	});

	it('reports no answer with the network code, which the Base URL field’s hint explains', async () => {
		const closed = await startTestbed();
		const url = closed.sandbox.url;
		await closed.sandbox.stop();
		const result = await runCredentialTest(new ExotelUsersApi(), {
			...bed.credentials(),
			baseUrl: url,
		});
		expect(result).toMatchObject({ status: 'Error', message: 'ECONNREFUSED' });
		const baseUrl = new ExotelUsersApi().properties.find((p) => p.name === 'baseUrl');
		expect(baseUrl?.hint).toMatch(
			/ECONNREFUSED.*nothing answered at this address: check the host, the port and http or https/,
		);
	});

	it('declares Basic auth from the key and token, and a password field for the token', () => {
		const credential = new ExotelUsersApi();
		expect(credential.name).toBe('exotelUsersApi');
		expect(credential.authenticate).toEqual({
			type: 'generic',
			properties: {
				auth: { username: '={{$credentials.apiKey}}', password: '={{$credentials.apiToken}}' },
			},
		});
		const token = credential.properties.find((p) => p.name === 'apiToken');
		expect(token?.typeOptions?.password).toBe(true);
		expect(credential.properties.map((p) => p.name)).toEqual([
			'apiKey',
			'apiToken',
			'accountSid',
			'region',
			'baseUrl',
			'passwordKey',
		]);
		// The key generated passwords are derived from is as secret as the token.
		expect(credential.properties.find((p) => p.name === 'passwordKey')?.typeOptions?.password).toBe(
			true,
		);
	});

	it('offers Singapore (the default), Mumbai and Custom, with the documented hosts', () => {
		const region = new ExotelUsersApi().properties.find((p) => p.name === 'region');
		expect(region?.default).toBe('singapore');
		expect(region?.options?.map((o) => ('value' in o ? o.value : undefined))).toEqual([
			'singapore',
			'mumbai',
			'custom',
		]);
		expect(EXOTEL_REGION_HOSTS).toEqual({
			singapore: 'https://ccm-api.exotel.com',
			mumbai: 'https://ccm-api.in.exotel.com',
		});
		const baseUrl = new ExotelUsersApi().properties.find((p) => p.name === 'baseUrl');
		expect(baseUrl?.displayOptions).toEqual({ show: { region: ['custom'] } });
	});

	it.each([
		['singapore', 'https://ccm-api.exotel.com'],
		['mumbai', 'https://ccm-api.in.exotel.com'],
		['custom', 'http://127.0.0.1:4010'],
	])(
		'resolves the test request’s host for region %s in n8n’s expression engine',
		(region, host) => {
			const { workflow, node } = buildExecuteContext({ nodeType: new ExotelUsers() });
			const request = new ExotelUsersApi().test.request;
			const resolve = (expression: unknown) =>
				workflow.expression.getSimpleParameterValue(node, expression as string, 'internal', {
					$credentials: { region, baseUrl: 'http://127.0.0.1:4010//', accountSid: ' acme 1 ' },
				});
			expect(resolve(request.baseURL)).toBe(host);
			expect(resolve(request.url)).toBe('/v2/accounts/acme%201/users');
		},
	);

	it.each(['../../x', 'acme/1', '.', '..', 'a%2Fb', 'a?b', 'a#b', 'a\\b', 'line\nbreak', '   '])(
		'refuses Account SID %p as a run does: the test asks for no account’s path, so it cannot pass',
		(accountSid) => {
			const { workflow, node } = buildExecuteContext({ nodeType: new ExotelUsers() });
			const url = workflow.expression.getSimpleParameterValue(
				node,
				new ExotelUsersApi().test.request.url as string,
				'internal',
				{
					$credentials: { region: 'custom', baseUrl: 'http://127.0.0.1:4010', accountSid },
				},
			);
			expect(url).toBe('/v2/account-sid-refused/users');
			expect(checkId(accountSid).ok).toBe(false);
		},
	);
});

describe('a credential test that got no answer', () => {
	it('is explained under Region for every region, naming both hosts (n8n shows only the network code)', () => {
		const region = new ExotelUsersApi().properties.find((p) => p.name === 'region');
		expect(region?.displayOptions).toBeUndefined();
		expect(region?.hint).toMatch(/ENOTFOUND, ECONNREFUSED or ETIMEDOUT/);
		expect(region?.hint).toMatch(
			/ccm-api\.exotel\.com \(Singapore\).*ccm-api\.in\.exotel\.com \(Mumbai\)/,
		);
	});
});
