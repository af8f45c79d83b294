import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	rotationMemoryHome,
	statefulTriggers,
} from '../../../../../nodes/ExotelUsers/actions/common/rotationMemoryHome';

/** Just what rotationMemoryHome reads of an execution: its mode, id, node, parents and static data. */
function context(options: {
	mode: string;
	executionId: string;
	parents: Array<{ name: string; type: string }>;
	staticData: IDataObject;
}): IExecuteFunctions {
	return {
		getMode: () => options.mode,
		getExecutionId: () => options.executionId,
		getNode: () => ({ name: 'Rotate SIP passwords' }),
		getParentNodes: () => options.parents.map((p) => ({ ...p, typeVersion: 1 })),
		getWorkflowStaticData: () => options.staticData,
	} as unknown as IExecuteFunctions;
}

const schedule = { name: 'Every quarter', type: 'n8n-nodes-base.scheduleTrigger' };
const exotelTrigger = {
	name: 'Exotel Users Trigger',
	type: 'n8n-nodes-exotel-users.exotelUsersTrigger',
};
const webhook = { name: 'Ticket', type: 'n8n-nodes-base.webhook' };
const rerun = {
	name: 'Re-run by the recovery workflow',
	type: 'n8n-nodes-base.executeWorkflowTrigger',
};

describe('rotationMemoryHome', () => {
	it('keeps the memory in the workflow’s static data when only stateless triggers start the workflow', () => {
		const staticData: IDataObject = {};
		const home = rotationMemoryHome(
			context({ mode: 'webhook', executionId: '1', parents: [webhook], staticData }),
		);
		expect(home.staticData).toBe(staticData);
		expect(home.keptBy).toEqual([]);
	});

	it('keeps it to the execution when a polling trigger starts the workflow: the workflow’s static data (the trigger’s state) is never written', () => {
		const staticData: IDataObject = {
			'node:Exotel Users Trigger': { users: {} },
			exotelRotations: { version: 1, accounts: {} },
		};
		const first = rotationMemoryHome(
			context({ mode: 'trigger', executionId: '7', parents: [exotelTrigger], staticData }),
		);
		expect(first.keptBy).toEqual(['Exotel Users Trigger']);
		expect(first.staticData).not.toBe(staticData);
		// It starts from what the workflow holds …
		expect(first.staticData.exotelRotations).toEqual({ version: 1, accounts: {} });
		first.staticData.exotelRotations = { version: 1, accounts: { AC1: {} } };
		// … the workflow's copy is untouched, and a later node of the same execution sees the change.
		expect(staticData.exotelRotations).toEqual({ version: 1, accounts: {} });
		const setStep = rotationMemoryHome(
			context({ mode: 'trigger', executionId: '7', parents: [exotelTrigger], staticData }),
		);
		expect(setStep.staticData.exotelRotations).toEqual({ version: 1, accounts: { AC1: {} } });
		// Another execution starts afresh.
		expect(
			rotationMemoryHome(
				context({ mode: 'trigger', executionId: '8', parents: [exotelTrigger], staticData }),
			).staticData.exotelRotations,
		).toEqual({ version: 1, accounts: {} });
	});

	it('a sub-workflow run (Execute Workflow) loads and saves the stored copy, so it keeps the memory whatever else starts the workflow', () => {
		const staticData: IDataObject = {};
		expect(
			rotationMemoryHome(
				context({
					mode: 'integrated',
					executionId: '9',
					parents: [exotelTrigger, rerun],
					staticData,
				}),
			).staticData,
		).toBe(staticData);
	});

	it('a scheduled rotation keeps the memory in the workflow (a recovery re-run then skips the agents done), as does a webhook', () => {
		const staticData: IDataObject = {};
		expect(
			rotationMemoryHome(
				context({ mode: 'trigger', executionId: '11', parents: [schedule, rerun], staticData }),
			).staticData,
		).toBe(staticData);
	});

	it('names polling triggers (the Exotel Users Trigger, another package’s) as keeping events; webhooks, schedules, forms and Execute Workflow Trigger not', () => {
		const gmail = { name: 'New mail', type: 'n8n-nodes-base.gmailTrigger' };
		expect(
			statefulTriggers(
				context({
					mode: 'trigger',
					executionId: '10',
					parents: [exotelTrigger, webhook, rerun, schedule, gmail],
					staticData: {},
				}),
			),
		).toEqual(['Exotel Users Trigger', 'New mail']);
	});
});
