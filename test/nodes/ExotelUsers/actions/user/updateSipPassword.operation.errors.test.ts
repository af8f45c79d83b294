/**
 * Update SIP Password (see updateSipPassword.operation.test.ts): what it refuses before any
 * request, and how it explains Exotel's errors.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	ASHA,
	byId,
	captureOutput,
	expectNoSecrets,
	failure,
	newPassword,
	startTestbed,
	useTestbed,
} from '../../../../support/exotel';

const bed = useTestbed();

describe('Update SIP Password', () => {
	describe('checks before any request', () => {
		it('refuses a password that breaks the policy, naming each rule and sending nothing', async () => {
			const password = 'abc1234'; // 7 characters, 2 classes
			const error = await failure(
				bed.run({
					parameters: { passwordMode: 'manual', userId: byId(ASHA.id), deviceId: '101', password },
				}),
			);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toBe(
				'Invalid input: New SIP Password breaks Exotel’s password policy: 7 characters, needs at least 8; ' +
					'uses 2 of the 4 character classes (lower case, digits), needs 3 of: lower case, upper case, digits, special characters',
			);
			expect(error.description).toMatch(/Nothing was sent to Exotel/);
			expect(error.context.itemIndex).toBe(0);
			expect(bed.sandbox.requests).toHaveLength(0);
			expectNoSecrets(error, [password, bed.secrets.apiToken]);
		});

		it('refuses a password with white space at an end as a likely copy-paste accident', async () => {
			const error = await failure(
				bed.run({
					parameters: {
						passwordMode: 'manual',
						userId: byId(ASHA.id),
						deviceId: '101',
						password: `${newPassword()} `,
					},
				}),
			);
			// The node's own rule, not Exotel's: named as the node's.
			expect(error.message).toBe(
				'Invalid input: New SIP Password breaks this node’s own rule: ends with white space (likely a copy-paste accident)',
			);
			expect(bed.sandbox.requests).toHaveLength(0);
		});

		it.each([
			['User', 'userId', { userId: byId(''), deviceId: '101' }, 'User is empty'],
			[
				'User',
				'userId',
				{ userId: byId('../../users'), deviceId: '101' },
				'User contains "/", ".."',
			],
			['Device', 'deviceId', { userId: byId(ASHA.id), deviceId: '101?x=1' }, 'Device contains "?"'],
			['Device', 'deviceId', { userId: byId(ASHA.id), deviceId: '10%2F1' }, 'Device contains "%"'],
			[
				'Device',
				'deviceId',
				{ userId: byId(ASHA.id), deviceId: '101\r\nX: y' },
				'Device contains a control character',
			],
		])('refuses a bad %s (%s) and sends nothing', async (_label, _name, ids, expected) => {
			const error = await failure(
				bed.run({ parameters: { passwordMode: 'manual', ...ids, password: newPassword() } }),
			);
			expect(error.message).toContain(expected);
			expect(bed.sandbox.requests).toHaveLength(0);
		});

		it('reports every bad field of the item at once', async () => {
			const error = await failure(
				bed.run({
					parameters: {
						passwordMode: 'manual',
						userId: byId(' '),
						deviceId: 'a/b',
						password: 'short',
					},
				}),
			);
			expect(error.message).toMatch(
				/^Invalid input: User is empty\. Device contains "\/".*\. New SIP Password breaks/,
			);
		});

		it('refuses a credential whose base URL is not http(s), before any request', async () => {
			const error = await failure(
				bed.run({
					credentials: { ...bed.credentials(), baseUrl: 'ftp://127.0.0.1' },
					parameters: {
						passwordMode: 'manual',
						userId: byId(ASHA.id),
						deviceId: '101',
						password: newPassword(),
					},
				}),
			);
			expect(error.message).toBe('Exotel credential: Base URL must start with http:// or https://');
			expect(bed.sandbox.requests).toHaveLength(0);
		});
	});

	describe('Exotel’s errors', () => {
		it('explains an unknown user with Exotel’s code, description and request_id', async () => {
			const password = newPassword();
			const error = await failure(
				bed.run({
					parameters: {
						passwordMode: 'manual',
						userId: byId('no-such-user'),
						deviceId: '101',
						password,
					},
				}),
			);
			const { request_id } = bed.sandbox.requests[0];
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error.message).toBe(
				`Exotel answered 404 Not Found (error 10801: User not found): No user with this id exists in the account [request_id ${request_id}]`,
			);
			expect(error.description).toMatch(/Check the user ID.*region/);
			expect(error.httpCode).toBe('404');
			expect(error.context.itemIndex).toBe(0);
			expectNoSecrets(error, [password, bed.secrets.apiToken]);
		});

		it('explains an unknown device (Continue On Fail sends it as given: Exotel’s 404)', async () => {
			const [item] = await bed.run({
				continueOnFail: true,
				parameters: {
					passwordMode: 'manual',
					userId: byId(ASHA.id),
					deviceId: '999',
					password: newPassword(),
				},
			});
			const error = { message: item.json.error as string, description: '' };
			expect(error.message).toMatch(
				/^Exotel answered 404 Not Found \(error 1000: Not found\): Device 999 not found for this user \[request_id [0-9a-f]{32}\]$/,
			);
		});

		it('refuses a device that is not the user’s before anything changes, listing their devices', async () => {
			const error = await failure(
				bed.run({
					parameters: {
						passwordMode: 'manual',
						userId: byId(ASHA.id),
						deviceId: '999',
						password: newPassword(),
					},
				}),
			);
			expect(error.message).toBe(
				`Device 999 is not one of user ${ASHA.id}’s devices (devices: 101 (sip, Asha softphone), 102 (tel, Asha mobile))`,
			);
			// Most often a device picked for another user before User changed.
			expect(error.description).toMatch(
				/^Nothing was changed\. Often the device was picked for another user — before User changed, or while User is an expression .*: pick the device again/,
			);
			expect(bed.sandbox.requests.map((r) => r.method)).toEqual(['GET']);
		});

		it('explains a device that is not a SIP device', async () => {
			const error = await failure(
				bed.run({
					parameters: {
						passwordMode: 'manual',
						userId: byId(ASHA.id),
						deviceId: String(ASHA.tel),
						password: newPassword(),
					},
				}),
			);
			expect(error.message).toBe(
				`Device 102 (tel, Asha mobile) of user ${ASHA.id} is not a SIP device`,
			);
			expect(bed.sandbox.requests.map((r) => r.method)).toEqual(['GET']);
		});

		it('passes Exotel’s own refusal of a non-SIP device on under Continue On Fail', async () => {
			const [item] = await bed.run({
				continueOnFail: true,
				parameters: {
					passwordMode: 'manual',
					userId: byId(ASHA.id),
					deviceId: String(ASHA.tel),
					password: newPassword(),
				},
			});
			expect(item.json.error).toMatch(
				/^Exotel answered 400 Bad Request \(error 1002: Invalid parameter\): A password can only be set on a SIP device/,
			);
		});

		it('explains a wrong token, pointing at key, token, SID and region, without revealing the token', async () => {
			const wrongToken = `tok-wrong-${Date.now()}`;
			const password = newPassword();
			const { error, printed } = await captureOutput(() =>
				bed.run({
					credentials: { ...bed.credentials(), apiToken: wrongToken },
					parameters: { userId: byId(ASHA.id), deviceId: '101', password: '={{ $json.pw }}' },
					items: [{ json: { pw: password } }],
				}),
			);
			const apiError = error as NodeApiError;
			expect(apiError.message).toMatch(
				/^Exotel answered 401 Unauthorized \(error 1010: Authorization failed\)/,
			);
			expect(apiError.description).toMatch(/API key, API token and account SID.*region/);
			expect(bed.sandbox.requests.every((r) => r.auth?.tokenMatches === false)).toBe(true);
			expect(bed.sandbox.passwordOf(ASHA.id, ASHA.sip)).toBeUndefined();
			expectNoSecrets(apiError, [wrongToken, password, bed.secrets.apiToken]);
			expectNoSecrets(printed, [wrongToken, password]);
		});

		it('explains a connection that cannot be made', async () => {
			const closed = await startTestbed();
			const url = closed.sandbox.url;
			await closed.sandbox.stop();
			const error = await failure(
				bed.run({
					credentials: { ...bed.credentials(), baseUrl: url },
					parameters: {
						passwordMode: 'manual',
						userId: byId(ASHA.id),
						deviceId: '101',
						password: newPassword(),
						options: { maxAttempts: 3, retryBaseDelay: 0.01 },
					},
				}),
			);
			expect(error.message).toBe(
				`Could not reach Exotel at ${new URL(url).host}: the connection was refused; gave up after 3 attempts`,
			);
			expect(error.description).toMatch(/ECONNREFUSED.*safe to retry/);
		});
	});
});
