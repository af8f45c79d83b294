/**
 * What the editor shows for the trigger: a polling trigger with no input, the events, what a
 * poll costs, and hints on the chosen Poll Times — evaluated with n8n's own expression engine,
 * as the editor evaluates them, and checked against the node's own figures.
 */
import { NodeHelpers, type INodeProperties, type INodeParameters } from 'n8n-workflow';

import { ExotelUsersTrigger } from '../../../nodes/ExotelUsersTrigger/ExotelUsersTrigger.node';
import {
	intervalMinutes,
	passTimeMessage,
	pollCost,
	scheduleProblem,
	type PollTime,
} from '../../../nodes/ExotelUsersTrigger/helpers/pollCost';
import { buildExecuteContext } from '../../../tools/dev/harness/n8n';
import { loadedNode } from '../../support/loadedNode';

const trigger = loadedNode(new ExotelUsersTrigger());
const description = trigger.description;
const property = (name: string) =>
	description.properties.find((p) => p.name === name) as INodeProperties;

/** Expressions of the description, evaluated for a node with these parameters, as the editor does. */
function evaluator(parameters: INodeParameters): (expression: string) => unknown {
	const { workflow, node } = buildExecuteContext({ nodeType: trigger, parameters });
	return (expression) =>
		workflow.expression.getSimpleParameterValue(node, expression, 'internal', {});
}
const evaluate = (expression: string, parameters: INodeParameters) =>
	evaluator(parameters)(expression);

/** The messages of the hints the panel shows for these Poll Times. */
function hintsFor(times: PollTime[]): string[] {
	const shown = evaluator({
		events: ['userAdded'],
		pollTimes: { item: times } as unknown as INodeParameters,
	});
	return (description.hints ?? [])
		.filter((hint) => shown(hint.displayCondition ?? '={{ true }}') === true)
		.map((h) => h.message);
}

describe('Exotel Users Trigger in the editor', () => {
	it('is a polling trigger with no input, not an AI tool, using the Exotel credential', () => {
		expect(description).toMatchObject({
			polling: true,
			inputs: [],
			group: ['trigger'],
			credentials: [{ name: 'exotelUsersApi', required: true }],
		});
		expect(description).not.toHaveProperty('usableAsTool');
	});

	it('starts with User Added, polling every minute (n8n’s loader adds Poll Times to every polling node)', () => {
		const parameters = NodeHelpers.getNodeParameters(
			description.properties,
			{},
			true,
			false,
			null,
			description,
		);
		expect(parameters).toMatchObject({
			events: ['userAdded'],
			sipDeviceRequired: false,
			pollTimes: { item: [{ mode: 'everyMinute' }] },
		});
	});

	it('shows the chosen events by their labels on the canvas', () => {
		expect(evaluate(description.subtitle!, { events: ['userAdded', 'sipDeviceAdded'] })).toBe(
			'User Added, SIP Device Added',
		);
		expect(evaluate(description.subtitle!, { events: ['userRemoved'] })).toBe('User Removed');
	});

	it('states the cost of a poll, and intervals that agree with the node’s own cost figures', () => {
		const notice = property('pollCostNotice').displayName;
		expect(notice).toContain('at most 25 requests (1,250 users) and 30 seconds');
		expect(notice).toContain('Exotel allows 50 user-management requests a minute per account');
		expect(notice).toContain(
			'every minute up to 250 users, every 2 minutes up to 500, every 5 minutes for any size',
		);
		for (const [users, minutes] of [
			[250, 1],
			[500, 2],
		]) {
			const times = [{ mode: 'everyX', value: minutes, unit: 'minutes' }];
			expect(pollCost(users, times).overBudget).toBe(false);
			expect(pollCost(users + 1, times).overBudget).toBe(true);
		}
		expect(pollCost(1_000_000, [{ mode: 'everyX', value: 5, unit: 'minutes' }]).overBudget).toBe(
			false,
		);
	});

	it('warns for every one-minute schedule, however it is written, and for no other', () => {
		const warning = (times: PollTime[]) =>
			hintsFor(times).filter((m) => m.startsWith('Polling every minute costs'));
		for (const oneMinute of [
			[{ mode: 'everyMinute' }],
			[{ mode: 'everyX', value: 1, unit: 'minutes' }],
			[{ mode: 'custom', cronExpression: '* * * * *' }],
			[{ mode: 'custom', cronExpression: '0 */1 * * * *' }],
			[{ mode: 'everyHour' }, { mode: 'everyMinute' }],
		]) {
			expect(warning(oneMinute)).toHaveLength(1);
		}
		for (const slower of [
			[{ mode: 'everyX', value: 2, unit: 'minutes' }],
			[{ mode: 'everyHour' }],
			[{ mode: 'custom', cronExpression: '0 */5 * * * *' }],
		]) {
			expect(warning(slower)).toEqual([]);
		}
	});

	it('says how long a full pass takes at the chosen interval, with the same figures as the node', () => {
		for (const times of [
			[{ mode: 'everyMinute' }],
			[{ mode: 'everyX', value: 10, unit: 'minutes' }],
			[{ mode: 'everyX', value: 2, unit: 'hours' }],
			[{ mode: 'everyDay' }],
		]) {
			expect(hintsFor(times)).toContain(passTimeMessage(intervalMinutes(times[0])!));
		}
		expect(hintsFor([{ mode: 'everyX', value: 10, unit: 'minutes' }])).toContain(
			"Polling every 10 minutes, a full pass over the account (which User Removed waits for) takes one poll per 1,250 users — 1,250 users: 10 minutes, 5,000 users: 40 minutes, 20,000 users: 2 hours 40 minutes. User Added and SIP Device Added fire at the poll that reads the user's page.",
		);
		expect(hintsFor([{ mode: 'everyX', value: 7, unit: 'minutes' }])).toContain(
			'A full pass over the account (which User Removed waits for) takes one poll per 1,250 users at these Poll Times.',
		);
	});

	it('marks Poll Times it refuses in the panel, exactly when the node refuses them', () => {
		const refused = (times: PollTime[]) =>
			hintsFor(times).some((m) => m.includes('publishing is refused'));
		for (const times of [
			[{ mode: 'everyMinute' }],
			[{ mode: 'everyMinute' }, { mode: 'everyHour' }],
			[
				{ mode: 'everyX', value: 2, unit: 'minutes' },
				{ mode: 'everyX', value: 2, unit: 'minutes' },
			],
			[
				{ mode: 'everyX', value: 2, unit: 'minutes' },
				{ mode: 'custom', cronExpression: '*/3 * * * *' },
			],
		]) {
			expect(refused(times)).toBe(scheduleProblem(times) !== undefined);
		}
		expect(refused([{ mode: 'everyMinute' }, { mode: 'everyHour' }])).toBe(true);
	});
});
