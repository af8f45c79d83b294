/**
 * A credential's test, as n8n's CLI CredentialsTester runs a declarative `test.request`: a
 * temporary node type whose only property routes the request, run through n8n-core's
 * RoutingNode, which calls helpers.httpRequestWithAuthentication (baseURL/url expressions
 * resolved with $credentials by RoutingNode itself).
 */
import { RoutingNode } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentialsDecrypted,
	IDataObject,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';

import { buildExecuteContext } from './n8n';

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
	statusCode?: number;
	error?: unknown;
}

export async function runCredentialTest(
	credentialType: ICredentialType,
	credentials: ICredentialDataDecryptedObject,
): Promise<CredentialTestResult> {
	const testRequest = credentialType.test;
	if (!testRequest)
		return { status: 'Error', message: 'No testing function found for this credential.' };

	const tempNodeType: INodeType = {
		description: {
			displayName: 'Credential test',
			name: 'credentialTest',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: { name: 'Temp-Node' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: credentialType.name, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: testRequest.request },
					default: '',
				},
			],
		},
	};
	const { ctx } = buildExecuteContext({
		nodeType: tempNodeType,
		credentialType,
		credentials,
		parameters: { temp: '' },
		nodeName: 'Temp-Node',
		mode: 'internal',
	});
	const credentialsDecrypted: ICredentialsDecrypted = {
		id: 'harness-cred',
		name: 'harness',
		type: credentialType.name,
		data: credentials,
	};
	const routingNode = new RoutingNode(ctx, tempNodeType, credentialsDecrypted);
	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await routingNode.runNode();
	} catch (error) {
		// Mirrors CredentialsTester.testCredentials' error mapping.
		const e = error as {
			message?: string;
			cause?: { response?: { status: number; statusText?: string }; code?: string };
		};
		if (e.cause?.response) {
			const { status, statusText } = e.cause.response;
			for (const rule of testRequest.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === status) {
					return { status: 'Error', message: rule.properties.message, statusCode: status, error };
				}
			}
			if (status < 199 || status > 299) {
				return {
					status: 'Error',
					message: statusText || `Received HTTP status code: ${status}`,
					statusCode: status,
					error,
				};
			}
		} else if (e.cause?.code) {
			return { status: 'Error', message: e.cause.code, error };
		}
		return { status: 'Error', message: String(e.message), error };
	}
	for (const rule of testRequest.rules ?? []) {
		if (rule.type === 'responseSuccessBody') {
			const body = response?.[0]?.[0]?.json ?? {};
			const value = rule.properties.key
				.split('.')
				.reduce<unknown>(
					(acc, k) => (acc && typeof acc === 'object' ? (acc as IDataObject)[k] : undefined),
					body,
				);
			if (value === rule.properties.value)
				return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
