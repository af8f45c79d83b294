import type {
	IDataObject,
	IExecuteFunctions,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import type { ExotelClient } from '../../shared/transport/client';
import type { UserDirectory } from '../../shared/userDirectory';

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
