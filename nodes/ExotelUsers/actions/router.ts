import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { mapInOrder } from '../helpers/mapInOrder';
import { readSendOptions } from '../../shared/transport/sendOptions';
import { ExotelClient, ExotelError } from '../../shared/transport/client';
import type { Transport } from '../../shared/transport/pacing/registry';
import { PasswordRun, type WithItemFields } from './common/passwordRun';
import { UserDirectory } from '../../shared/userDirectory';
import * as device from './device/Device.resource';
import * as user from './user/User.resource';

/** What n8n's editor stores for its own "Custom API Call" entry. */
export const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

type Operation = (this: IExecuteFunctions, itemIndex: number, client: ExotelClient, users: UserDirectory, run: PasswordRun) => Promise<IDataObject | IDataObject[]>;

/**
 * An operation that changes passwords checks every item first when the run stops on the first
 * error (n8n's default): a problem a read can find then stops the run before any password changes.
 */
type Prepare = (this: IExecuteFunctions, itemIndexes: number[], client: ExotelClient, users: UserDirectory, run: PasswordRun) => Promise<void>;

const resources: Record<string, Record<string, { execute: Operation; prepare?: Prepare }>> = {
	user: user.operations,
	device: device.operations,
};

type Outcome = { ok: true; json: IDataObject[] } | { ok: false; error: NodeApiError | NodeOperationError };

/** The error output of an item under Continue On Fail: the message, plus Exotel's envelope when it answered. */
function errorItemJson(error: NodeApiError | NodeOperationError): IDataObject {
	const json: IDataObject = { error: error.message };
	if (error instanceof ExotelError && error.envelope) Object.assign(json, error.envelope);
	// An operation's own facts about the failed item, e.g. a password that may have been set.
	const fields = (error as WithItemFields).itemFields;
	if (fields) Object.assign(json, fields);
	return json;
}

/**
 * Runs the selected operation once per input item — up to Concurrency at a time, every
 * request through one Exotel client built from the Options, paced in the account's window —
 * and answers in input order. Every input yields
 * exactly one outcome, paired to it: its result (one item, or one per record for reads),
 * or — under Continue On Fail — an error item; otherwise the first failing item (by
 * position) stops the node and is named in the error.
 */
export async function router(this: IExecuteFunctions, transport: Transport): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	// n8n adds "Custom API Call" to the Resource and Operation of every node whose credential can
	// sign other requests; its own HTTP Request node makes such calls, with this credential.
	const operation = resource === CUSTOM_API_CALL ? CUSTOM_API_CALL : (this.getNodeParameter('operation', 0) as string);
	if (operation === CUSTOM_API_CALL) {
		throw new NodeOperationError(this.getNode(), 'Custom API Call is made with n8n’s HTTP Request node, not this node', {
			description:
				'Add an HTTP Request node with Authentication: Predefined Credential Type, Credential Type: Exotel Users API, and this credential; ' +
				'its URL is your region’s host and the path, e.g. https://ccm-api.exotel.com/v2/accounts/<Account SID>/users. Or choose one of this node’s operations.',
		});
	}
	const selected = resources[resource]?.[operation];
	if (!selected) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}

	const send = readSendOptions(this.getNodeParameter('options', 0, {}) as IDataObject);
	const client = new ExotelClient(this, send, transport);
	const users = new UserDirectory(client, this.getNode(), Number.POSITIVE_INFINITY, items.length);

	const continueOnFail = this.continueOnFail();
	const run = new PasswordRun(send.concurrency);
	if (selected.prepare && !continueOnFail) {
		let prepared = false;
		try {
			await selected.prepare.call(this, items.map((_, index) => index), client, users, run);
			prepared = true;
		} finally {
			if (!prepared) client.close();
		}
	}
	const outcomes = await mapInOrder(
		items.length,
		send.concurrency,
		async (itemIndex): Promise<Outcome> => {
			try {
				const result = await selected.execute.call(this, itemIndex, client, users, run);
				return { ok: true, json: Array.isArray(result) ? result : [result] };
			} catch (caught) {
				// Our own code raises only these two; anything else is a bug, reported by its message
				// alone because its fields could hold a request's config.
				const error =
					caught instanceof NodeApiError || caught instanceof NodeOperationError
						? caught
						: new NodeOperationError(this.getNode(), (caught as Error).message, { itemIndex });
				return { ok: false, error };
			}
		},
		(outcome) => !outcome.ok && !continueOnFail,
	).finally(() => client.close());

	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < outcomes.length; itemIndex++) {
		const outcome = outcomes[itemIndex];
		if (!outcome) continue; // not started: an earlier item already stopped the node
		if (!outcome.ok && !continueOnFail) {
			// Passwords that changed before the stop were not handed on: the error says whose.
			run.amendStopError(outcome.error);
			throw outcome.error;
		}
		const jsons = outcome.ok ? outcome.json : [errorItemJson(outcome.error)];
		for (const json of jsons) output.push({ json, pairedItem: { item: itemIndex } });
	}
	// The run finished: what it set is remembered for its Rotation IDs.
	await run.finish(this);
	return [output];
}
