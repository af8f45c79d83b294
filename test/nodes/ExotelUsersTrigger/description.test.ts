/**
 * What the editor shows for the trigger: a polling trigger with no input, the events, and
 * what a poll costs — with figures that agree with the cost the node computes.
 */
import { NodeHelpers, type INodeProperties } from 'n8n-workflow';

import { ExotelUsersTrigger } from '../../../nodes/ExotelUsersTrigger/ExotelUsersTrigger.node';
import { pollCost } from '../../../nodes/ExotelUsersTrigger/helpers/pollCost';

const description = new ExotelUsersTrigger().description;
const property = (name: string) => description.properties.find((p) => p.name === name) as INodeProperties;

describe('Exotel Users Trigger in the editor', () => {
	it('is a polling trigger with no input, not an AI tool, using the Exotel credential', () => {
		expect(description).toMatchObject({ polling: true, inputs: [], group: ['trigger'], credentials: [{ name: 'exotelUsersApi', required: true }] });
		expect(description).not.toHaveProperty('usableAsTool');
	});

	it('starts with User Added (n8n’s loader adds Poll Times to every polling node)', () => {
		const parameters = NodeHelpers.getNodeParameters(description.properties, {}, true, false, null, description);
		expect(parameters).toMatchObject({ events: ['userAdded'], sipDeviceRequired: false });
	});

	it('states the cost of a poll, and intervals that agree with the node’s own cost figures', () => {
		const notice = property('pollCostNotice').displayName;
		expect(notice).toContain('1 request per 50 users (e.g. 237 users: 5 requests)');
		expect(notice).toContain('every minute up to 250 users, every 2 minutes up to 500, every 10 minutes up to 2,500');
		for (const [users, minutes] of [
			[250, 1],
			[500, 2],
			[2_500, 10],
		]) {
			const times = minutes === 1 ? [{ mode: 'everyMinute' }] : [{ mode: 'everyX', value: minutes, unit: 'minutes' }];
			expect(pollCost(users, times).overBudget).toBe(false);
			expect(pollCost(users + 1, times).overBudget).toBe(true);
		}
	});

	it('warns in the panel when it polls every minute', () => {
		expect(description.hints).toEqual([
			expect.objectContaining({ type: 'warning', location: 'ndv', displayCondition: expect.stringContaining('everyMinute') }),
		]);
	});
});
