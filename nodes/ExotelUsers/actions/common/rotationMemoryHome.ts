/**
 * Where a run keeps the Rotation ID memory: the workflow's static data, or — when the workflow is
 * started by a trigger that keeps what it has seen there (a polling trigger such as the Exotel
 * Users Trigger) — a copy that lives for this execution only.
 *
 * Why: in queue mode a worker runs a top-level execution with the workflow's static data left
 * out, and what the run writes then replaces the stored copy whole, the trigger's own state
 * included (a polling trigger that loses it re-baselines and misses what happened meanwhile): the
 * memory is worth less than the events. The Schedule Trigger keeps only its recurrence (lost, it
 * may start one run early), which weighs less than the memory that lets a recovery re-run skip
 * the agents already done instead of mailing them again. A sub-workflow run (Execute Workflow) loads the stored
 * copy and saves it back, so it keeps the memory in any workflow.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

/** Triggers that keep no events in the workflow's static data (by type name, without the package). */
const NO_EVENT_STATE = new Set([
	'webhook',
	'manualTrigger',
	'executeWorkflowTrigger',
	'errorTrigger',
	'formTrigger',
	'chatTrigger',
	'mcpTrigger',
	'scheduleTrigger',
]);

/** The triggers upstream of this node that keep what they have seen in the workflow's static data. */
export function statefulTriggers(context: IExecuteFunctions): string[] {
	if (typeof context.getParentNodes !== 'function') return [];
	return context
		.getParentNodes(context.getNode().name)
		.filter((parent) => {
			const type = parent.type.slice(parent.type.lastIndexOf('.') + 1);
			return /Trigger$/.test(type) && !NO_EVENT_STATE.has(type);
		})
		.map((parent) => parent.name);
}

/** At most this many executions' copies are held (one per execution; a run reads it at once). */
const HELD = 64;

const perExecution = new Map<string, IDataObject>();

export interface RotationMemoryHome {
	staticData: IDataObject;
	/** The triggers that keep the memory to this execution, when it is not saved with the workflow. */
	keptBy: string[];
}

export function rotationMemoryHome(context: IExecuteFunctions): RotationMemoryHome {
	const mode = typeof context.getMode === 'function' ? context.getMode() : undefined;
	const keptBy = mode === 'integrated' ? [] : statefulTriggers(context);
	if (keptBy.length === 0) return { staticData: context.getWorkflowStaticData('global'), keptBy };
	const id = context.getExecutionId();
	let copy = perExecution.get(id);
	if (!copy) {
		// Starts from what the workflow holds (a single n8n process loads it), never writes it back.
		copy = JSON.parse(JSON.stringify(context.getWorkflowStaticData('global'))) as IDataObject;
		perExecution.set(id, copy);
		if (perExecution.size > HELD) perExecution.delete(perExecution.keys().next().value as string);
	}
	return { staticData: copy, keptBy };
}
