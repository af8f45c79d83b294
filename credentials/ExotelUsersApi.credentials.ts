import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * Exotel runs two clusters; an account lives in exactly one, fixed when it was created.
 * The node builds its base URL from this same table (see nodes/ExotelUsers/helpers/url.ts).
 */
export const EXOTEL_REGION_HOSTS = {
	singapore: 'https://ccm-api.exotel.com',
	mumbai: 'https://ccm-api.in.exotel.com',
} as const;

// The credential test runs inside n8n's expression engine, so the region table is
// spelled out as an expression built from the constant above rather than imported.
const BASE_URL_EXPRESSION =
	'={{ $credentials.region === "custom" ? String($credentials.baseUrl).trim().replace(/\\/+$/, "")' +
	` : $credentials.region === "mumbai" ? "${EXOTEL_REGION_HOSTS.mumbai}" : "${EXOTEL_REGION_HOSTS.singapore}" }}`;

export class ExotelUsersApi implements ICredentialType {
	name = 'exotelUsersApi';

	displayName = 'Exotel Users API';

	icon = { light: 'file:../nodes/ExotelUsers/exotel.svg', dark: 'file:../nodes/ExotelUsers/exotel.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-exotel-users/n8n-nodes-exotel-users/blob/main/docs/credentials.md';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			// Not secret on its own, but n8n's verification treats any "key" field as one.
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The API key from the Exotel dashboard: Settings → API Settings (my.exotel.com, or my.mum1.exotel.com for Mumbai accounts)',
		},
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The API token shown beside the API key in Settings → API Settings',
		},
		{
			displayName: 'Account SID',
			name: 'accountSid',
			type: 'string',
			default: '',
			required: true,
			description: 'Your account SID, shown in Settings → API Settings (also at the top of the dashboard)',
		},
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{
					name: 'Singapore',
					value: 'singapore',
					description: `Accounts on my.exotel.com (${EXOTEL_REGION_HOSTS.singapore})`,
				},
				{
					name: 'Mumbai',
					value: 'mumbai',
					description: `Accounts on my.mum1.exotel.com (${EXOTEL_REGION_HOSTS.mumbai})`,
				},
				{
					name: 'Custom',
					value: 'custom',
					description: 'A base URL of your own, such as a proxy or the local Exotel sandbox',
				},
			],
			default: 'singapore',
			description:
				'The Exotel cluster your account lives in. The dashboard address tells: my.exotel.com is Singapore, my.mum1.exotel.com is Mumbai. A wrong region answers 401 or 404.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. http://127.0.0.1:4010',
			description: 'The http(s) address that stands in for the Exotel API host (without /v2)',
			displayOptions: { show: { region: ['custom'] } },
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			auth: {
				username: '={{$credentials.apiKey}}',
				password: '={{$credentials.apiToken}}',
			},
		},
	};

	// One cheap read that proves key, token, SID and region together.
	test: ICredentialTestRequest = {
		request: {
			baseURL: BASE_URL_EXPRESSION,
			url: '=/v2/accounts/{{ encodeURIComponent(String($credentials.accountSid).trim()) }}/users',
			qs: { limit: 1 },
			method: 'GET',
		},
	};
}
