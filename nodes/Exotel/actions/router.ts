import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { ExotelApiError } from '../transport';
import * as user from './user/User.resource';

type Operation = (this: IExecuteFunctions, itemIndex: number) => Promise<IDataObject | IDataObject[]>;

const resources: Record<string, Record<string, { execute: Operation }>> = {
	user: user.operations,
};

/** The error output of an item under Continue On Fail: the message, plus Exotel's envelope when it answered. */
function errorItemJson(error: NodeApiError | NodeOperationError): IDataObject {
	const json: IDataObject = { error: error.message };
	if (error instanceof ExotelApiError && error.envelope) Object.assign(json, error.envelope);
	return json;
}

/**
 * Runs the selected operation once per input item. Every input yields exactly one
 * outcome, in input order and paired to it: its result (one item, or one per record for
 * reads), or — under Continue On Fail — an error item; otherwise the first failure stops
 * the node, naming its item.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const selected = resources[resource]?.[operation];
	if (!selected) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}

	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const result = await selected.execute.call(this, itemIndex);
			for (const json of Array.isArray(result) ? result : [result]) {
				output.push({ json, pairedItem: { item: itemIndex } });
			}
		} catch (caught) {
			// Our own code raises only these two; anything else is a bug, reported by its message alone
			// because its fields could hold a request's config.
			const error =
				caught instanceof NodeApiError || caught instanceof NodeOperationError
					? caught
					: new NodeOperationError(this.getNode(), (caught as Error).message, { itemIndex });
			if (!this.continueOnFail()) throw error;
			output.push({ json: errorItemJson(error), pairedItem: { item: itemIndex } });
		}
	}
	return [output];
}
