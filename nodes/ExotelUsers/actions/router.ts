import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { mapInOrder } from '../helpers/mapInOrder';
import { readSendOptions } from '../../shared/transport/sendOptions';
import { ExotelClient, ExotelError } from '../../shared/transport/client';
import type { ProcessPacing } from '../../shared/transport/pacing/processPacing';
import { UserDirectory } from '../../shared/userDirectory';
import * as device from './device/Device.resource';
import * as user from './user/User.resource';

/** What one execution of the node shares with every item; `concurrency`: how many items run at once. */
export type Execution = {
	context: IExecuteFunctions;
	client: ExotelClient;
	users: UserDirectory;
	concurrency: number;
};

/**
 * An operation's state for one execution (its `start` hook's), with the hooks the router calls:
 * `amendStopError` on the error that stops the node, `finish` after an execution that did not stop.
 */
export interface RunState {
	amendStopError?(error: NodeApiError | NodeOperationError): void;
	finish?(context: IExecuteFunctions): Promise<void>;
}

/** One item's scope: the execution's, the operation's run state, and what `prepare` planned for the item. */
export type ItemScope<Run = undefined, Plan = never> = Execution & {
	itemIndex: number;
	run: Run;
	plan?: Plan;
};

/** An operation (its `*.operation.ts` module): `execute`, and the hooks it may define. */
export interface Operation<Run extends RunState | undefined = undefined, Plan = never> {
	execute(item: ItemScope<Run, Plan>): Promise<IDataObject | IDataObject[]>;
	/** Once per execution, before any item: the state its items share. */
	start?(execution: Execution): Run;
	/** With On Error = stop (n8n's default), before any item: plans every item, so a problem a read finds stops the run before any change. */
	prepare?(execution: Execution & { run: Run }, itemIndexes: number[]): Promise<Map<number, Plan>>;
}

/** Errors that carry fields for their Continue On Fail item (the router merges them in). */
export type WithItemFields = { itemFields?: IDataObject };

/** What n8n's editor stores for its own "Custom API Call" entry. */
export const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

/** Every operation, each with its own run state and plan types: the router hands a hook's result only to the same operation. */
const resources: Record<string, Record<string, Operation<RunState | undefined, unknown>>> = {
	user: user.operations,
	device: device.operations,
};

type Outcome =
	| { ok: true; json: IDataObject[] }
	| { ok: false; error: NodeApiError | NodeOperationError };

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
 * Runs the selected operation once per input item — up to Concurrency at a time, every request
 * through one Exotel client built from the Options, paced in the account's window — with the
 * hooks it defines (its `Operation`), and answers in input order. Every input yields exactly one
 * outcome, paired to it: its result (one item, or one per record for reads), or — under
 * Continue On Fail — an error item; otherwise the first failing item (by position) stops the
 * node and is named in the error.
 */
export async function router(
	this: IExecuteFunctions,
	processPacing: ProcessPacing,
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	// n8n adds "Custom API Call" to the Resource and Operation of every node whose credential can
	// sign other requests; its own HTTP Request node makes such calls, with this credential.
	const operation =
		resource === CUSTOM_API_CALL
			? CUSTOM_API_CALL
			: (this.getNodeParameter('operation', 0) as string);
	if (operation === CUSTOM_API_CALL) {
		throw new NodeOperationError(
			this.getNode(),
			'Custom API Call is made with n8n’s HTTP Request node, not this node',
			{
				description:
					'Add an HTTP Request node with Authentication: Predefined Credential Type, Credential Type: Exotel Users API, and this credential; ' +
					'its URL is your region’s host and the path, e.g. https://ccm-api.exotel.com/v2/accounts/<Account SID>/users. Or choose one of this node’s operations.',
			},
		);
	}
	const selected = resources[resource]?.[operation];
	if (!selected)
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of "${resource}" is not supported`,
		);

	const send = readSendOptions(this.getNodeParameter('options', 0, {}) as IDataObject);
	const client = new ExotelClient(this, send, processPacing);
	const users = new UserDirectory(client, this.getNode(), Number.POSITIVE_INFINITY, items.length);

	const execution = { context: this, client, users, concurrency: send.concurrency };
	const continueOnFail = this.continueOnFail();
	const run = selected.start?.(execution);
	let outcomes: Array<Outcome | undefined>;
	try {
		const plans =
			selected.prepare && !continueOnFail
				? await selected.prepare(
						{ ...execution, run },
						items.map((_, index) => index),
					)
				: undefined;
		outcomes = await mapInOrder(
			items.length,
			send.concurrency,
			async (itemIndex): Promise<Outcome> => {
				try {
					const result = await selected.execute({
						...execution,
						itemIndex,
						run,
						plan: plans?.get(itemIndex),
					});
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
		);
	} finally {
		client.close();
	}

	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < outcomes.length; itemIndex++) {
		const outcome = outcomes[itemIndex];
		if (!outcome) continue; // not started: an earlier item already stopped the node
		if (!outcome.ok && !continueOnFail) {
			// The operation's run may add to it, e.g. whose password changed before the stop.
			run?.amendStopError?.(outcome.error);
			throw outcome.error;
		}
		const jsons = outcome.ok ? outcome.json : [errorItemJson(outcome.error)];
		for (const json of jsons) output.push({ json, pairedItem: { item: itemIndex } });
	}
	// The run finished: the operation's run may close it, e.g. remember what it set.
	await run?.finish?.(this);
	return [output];
}
