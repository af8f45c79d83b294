import type {
	IAuthenticateGeneric,
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import {
	MIN_KEY_BITS,
	PASSWORD_KEY_COMMAND,
	PASSWORD_KEY_WEAK_EXPRESSION,
} from '../nodes/shared/passwordKey';

/**
 * Exotel runs two clusters; an account lives in exactly one, fixed when it was created.
 * The node builds its base URL from this same table (see nodes/shared/url.ts).
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

/**
 * The test's path. An Account SID that a run refuses (nodes/shared/ids.ts: empty,
 * ".", or containing / \\ ? # % .. or a control character) is not sent as an account: the test
 * asks for a path no Exotel account has, so it fails with the 404 rule's advice to check the SID.
 */
const ACCOUNT_USERS_EXPRESSION =
	'={{ ((sid) => sid === "" || sid === "." || /[\\/\\\\?#%\\u0000-\\u001f\\u007f]|\\.\\./.test(sid)' +
	' ? "/v2/account-sid-refused/users" : "/v2/accounts/" + encodeURIComponent(sid) + "/users")(String($credentials.accountSid).trim()) }}';

const REGIONS_TOLD_APART =
	`An account lives in one region: my.exotel.com is Singapore (${new URL(EXOTEL_REGION_HOSTS.singapore).host}), ` +
	`my.mum1.exotel.com is Mumbai (${new URL(EXOTEL_REGION_HOSTS.mumbai).host}); the other region's host answers 401 or 404.`;

/**
 * The test's page size, which Exotel echoes as `metadata.limit`. n8n's credential test can only
 * judge a field through the request: a set but weak SIP Password Key asks for 2 instead of 1,
 * and the answer's echo is matched by a rule that says what is wrong with the key.
 */
const LIMIT_EXPRESSION = `={{ ${PASSWORD_KEY_WEAK_EXPRESSION} ? 2 : 1 }}`;

export const WEAK_KEY_MESSAGE =
	`The API key, token, Account SID and region work, but the SIP Password Key is too weak: it needs at least ${MIN_KEY_BITS} bits of randomness, ` +
	`no whitespace, and must not be the API token. Make one with \`${PASSWORD_KEY_COMMAND}\` (44 characters) and paste it alone; or leave the field empty (then a Rotation ID cannot be used).`;

/** What the credential test says for each answer that is not a success (n8n's responseCode rules). */
export const CREDENTIAL_TEST_RULES: Array<
	IAuthenticateRuleResponseCode | IAuthenticateRuleResponseSuccessBody
> = [
	{
		type: 'responseCode',
		properties: {
			value: 401,
			message:
				`Exotel refused these credentials (401). Check the API Key and API Token (Exotel dashboard → Settings → API Settings), ` +
				`the Account SID, and the Region first. ${REGIONS_TOLD_APART}`,
		},
	},
	{
		type: 'responseCode',
		properties: {
			value: 403,
			message:
				'Exotel accepted the key and token but refused access to this account (403). Check that the Account SID is the one ' +
				'shown beside this API key, and that the account may use the Users API (KYC complete, not a trial limitation).',
		},
	},
	{
		type: 'responseCode',
		properties: {
			value: 404,
			message:
				`Exotel found no such account at this address (404). Check the Account SID and the Region. ${REGIONS_TOLD_APART} ` +
				'With Region Custom, the Base URL is the host only, without /v2.',
		},
	},
	// Exotel's echo of the page size, as a number or as text.
	{
		type: 'responseSuccessBody',
		properties: { key: 'metadata.limit', value: 2, message: WEAK_KEY_MESSAGE },
	},
	{
		type: 'responseSuccessBody',
		properties: { key: 'metadata.limit', value: '2', message: WEAK_KEY_MESSAGE },
	},
	{
		type: 'responseCode',
		properties: {
			value: 429,
			message:
				'Exotel’s rate limit for this account was reached (429); the credentials may be fine. Wait a minute and test again.',
		},
	},
];

export class ExotelUsersApi implements ICredentialType {
	name = 'exotelUsersApi';

	displayName = 'Exotel Users API';

	icon = {
		light: 'file:../nodes/shared/exotel.svg',
		dark: 'file:../nodes/shared/exotel.dark.svg',
	} as const;

	documentationUrl =
		'https://github.com/n8n-nodes-exotel-users/n8n-nodes-exotel-users/blob/main/docs/credentials.md';

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
			description:
				'Your account SID, shown in Settings → API Settings (also at the top of the dashboard)',
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
			// n8n shows a test that got no answer as the bare network code, whatever the region: say what it means here.
			hint: 'If the test answers ENOTFOUND, ECONNREFUSED or ETIMEDOUT, n8n could not reach the API host at all: check this n8n server’s internet access, proxy and DNS for ccm-api.exotel.com (Singapore) or ccm-api.in.exotel.com (Mumbai)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. http://127.0.0.1:4010',
			description: 'The http(s) address that stands in for the Exotel API host (without /v2)',
			hint: 'If the test answers ECONNREFUSED, ENOTFOUND or ETIMEDOUT, nothing answered at this address: check the host, the port and http or https',
			displayOptions: { show: { region: ['custom'] } },
		},
		{
			displayName: 'SIP Password Key',
			name: 'passwordKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: `The secret that generated SIP passwords with a Rotation ID are derived from, so a run repeated with the same Rotation ID sets and hands on the same passwords. At least ${MIN_KEY_BITS} random bits, no whitespace: make it with ${PASSWORD_KEY_COMMAND}. Empty: a Rotation ID is refused, and generated passwords are random (a re-run cannot repeat them).`,
			hint: `Make it with ${PASSWORD_KEY_COMMAND}. Keep it as secret as the API token, and don’t change it while a rotation is unfinished: a re-run with another key is refused.`,
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

	// One cheap read that proves key, token, SID and region together. n8n shows a rule's
	// message in place of the bare status text ("Unauthorized"), so each says what to check.
	test: ICredentialTestRequest = {
		request: {
			baseURL: BASE_URL_EXPRESSION,
			url: ACCOUNT_USERS_EXPRESSION,
			qs: { limit: LIMIT_EXPRESSION },
			method: 'GET',
		},
		// n8n runs each rule by its type; its type for the list allows only one type per list.
		rules: CREDENTIAL_TEST_RULES as IAuthenticateRuleResponseCode[],
	};
}
