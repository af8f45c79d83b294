/**
 * n8n offers "Custom API Call" on every node whose credential declares `authenticate` (its
 * injectCustomApiCallOptions): the editor then points to its HTTP Request node, with this
 * credential as a Predefined Credential Type. That call works with the Exotel credential; the
 * Exotel node itself, run with it selected, says where to make it.
 */
import { ExotelUsersApi } from '../../../credentials/ExotelUsersApi.credentials';
import { ExotelUsers } from '../../../nodes/ExotelUsers/ExotelUsers.node';
import { buildExecuteContext } from '../../../tools/dev/harness/n8n';
import { ASHA, failure, useTestbed } from '../../support/exotel';

const bed = useTestbed();

describe('Custom API Call', () => {
	it('works as n8n makes it, through the HTTP Request node’s authenticated helper with the Exotel credential', async () => {
		const { ctx } = buildExecuteContext({
			nodeType: new ExotelUsers(),
			credentialType: new ExotelUsersApi(),
			credentials: bed.credentials(),
		});
		const answer = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, 'exotelUsersApi', {
			method: 'GET',
			url: `${bed.sandbox.url}/v2/accounts/${bed.secrets.accountSid}/users/${ASHA.id}`,
			json: true,
		})) as { response: { data: { id: string } } };
		expect(answer.response.data.id).toBe(ASHA.id);
		expect(bed.sandbox.requests[0].auth).toEqual({
			username: bed.secrets.apiKey,
			tokenMatches: true,
		});
	});

	it.each([
		[{ resource: '__CUSTOM_API_CALL__' }],
		[{ resource: 'user', operation: '__CUSTOM_API_CALL__' }],
		[{ resource: 'device', operation: '__CUSTOM_API_CALL__' }],
	])(
		'run from this node (%j), says to use the HTTP Request node with this credential, and sends nothing',
		async (parameters) => {
			const error = await failure(bed.run({ parameters: parameters as never }));
			expect(error.message).toBe(
				'Custom API Call is made with n8n’s HTTP Request node, not this node',
			);
			expect(error.description).toMatch(
				/HTTP Request node with Authentication: Predefined Credential Type, Credential Type: Exotel Users API/,
			);
			expect(bed.sandbox.requests).toHaveLength(0);
		},
	);
});
