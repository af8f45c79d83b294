import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { translateExotelError, type ExotelErrorEnvelope, type FailedCall } from '../helpers/errors';
import { checkId } from '../helpers/ids';
import { accountPath, baseUrlFor } from '../helpers/url';

export const CREDENTIAL_TYPE = 'exotelApi';

export interface ExotelRequest {
	method: IHttpRequestMethods;
	/** Path below /v2/accounts/{sid}; each segment is percent-encoded. */
	path: Array<string | number>;
	body?: IDataObject;
	qs?: IDataObject;
	/** Values of this request that must never appear in an error (e.g. the new SIP password). */
	secrets?: string[];
}

type ExotelContext = IExecuteFunctions | ILoadOptionsFunctions;

/**
 * Errors this module raises carry the envelope Exotel returned, so Continue On Fail can
 * pass it on. The envelope has been through the same redaction as the message.
 */
export class ExotelApiError extends NodeApiError {
	envelope?: ExotelErrorEnvelope;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

/**
 * What the request helper's error says about the failure, read field by field. The error
 * itself — whose `cause` holds the request config with the Authorization header and the
 * body — is never passed on.
 */
export function readHelperError(error: unknown): { status?: number; body?: unknown; networkCode?: string } {
	if (!isRecord(error)) return {};
	const cause = isRecord(error.cause) ? error.cause : undefined;
	const response = isRecord(cause?.response) ? cause.response : undefined;
	const context = isRecord(error.context) ? error.context : undefined;

	const status = Number(response?.status ?? error.httpCode);
	if (Number.isInteger(status) && status > 0) {
		return { status, body: response && 'data' in response ? response.data : context?.data };
	}
	// Nothing answered: n8n puts the socket's code (ECONNRESET, ECONNABORTED for a timeout…)
	// in httpCode, and axios in cause.code.
	const networkCode = [error.httpCode, cause?.code].find((c): c is string => typeof c === 'string' && /^E[A-Z_]+$/.test(c));
	return { networkCode };
}

async function resolveAccount(this: ExotelContext, itemIndex: number) {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE, itemIndex);
	const base = baseUrlFor(credentials);
	if (!base.ok) {
		throw new NodeOperationError(this.getNode(), `Exotel credential: ${base.problem}`, { itemIndex });
	}
	const sid = checkId(credentials.accountSid);
	if (!sid.ok) {
		throw new NodeOperationError(this.getNode(), `Exotel credential: Account SID ${sid.problem}`, { itemIndex });
	}
	const token = typeof credentials.apiToken === 'string' ? credentials.apiToken : '';
	return { baseUrl: base.url, accountSid: sid.id, token };
}

export function exotelApiError(
	node: INode,
	itemIndex: number,
	failure: FailedCall,
): ExotelApiError {
	const translated = translateExotelError(failure);
	const error = new ExotelApiError(node, (translated.envelope ?? {}) as JsonObject, {
		message: translated.message,
		description: translated.description,
		httpCode: translated.httpCode,
		itemIndex,
	});
	error.envelope = translated.envelope;
	return error;
}

/**
 * The one way this package talks to Exotel: builds the URL from the credential's region,
 * sends the request through n8n's authenticated helper, and turns any failure into an
 * error that names the status, Exotel's error code and the request_id — and nothing secret.
 */
export async function exotelApiRequest(
	this: ExotelContext,
	itemIndex: number,
	request: ExotelRequest,
): Promise<IDataObject> {
	const { baseUrl, accountSid, token } = await resolveAccount.call(this, itemIndex);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: baseUrl + accountPath(accountSid, ...request.path),
		json: true,
	};
	if (request.body !== undefined) options.body = request.body;
	if (request.qs !== undefined) options.qs = request.qs;

	const secrets = [token, ...(request.secrets ?? [])];
	let answer: unknown;
	try {
		answer = await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, options);
	} catch (error) {
		throw exotelApiError(this.getNode(), itemIndex, { ...readHelperError(error), host: new URL(baseUrl).host, secrets });
	}
	// n8n hands back a 2xx body it cannot parse as a string; a proxy's page is not Exotel's envelope.
	if (!isRecord(answer) || Array.isArray(answer)) {
		throw exotelApiError(this.getNode(), itemIndex, { status: 200, body: answer, secrets, unexpected: true });
	}
	return answer as IDataObject;
}
