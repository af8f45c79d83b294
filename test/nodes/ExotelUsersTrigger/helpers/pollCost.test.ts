import { pollCost, pollsPerMinute, requestsPerPoll } from '../../../../nodes/ExotelUsersTrigger/helpers/pollCost';

describe('pollCost', () => {
	it('costs one request per 50 users, and one for an empty account', () => {
		expect([0, 1, 50, 51, 237, 250, 251].map(requestsPerPoll)).toEqual([1, 1, 1, 2, 5, 5, 6]);
	});

	it('stays within a tenth of 50 a minute at one poll a minute up to 250 users', () => {
		expect(pollCost(250, [{ mode: 'everyMinute' }])).toMatchObject({ requestsPerPoll: 5, requestsPerMinute: 5, overBudget: false });
		expect(pollCost(251, [{ mode: 'everyMinute' }])).toMatchObject({ requestsPerPoll: 6, requestsPerMinute: 6, overBudget: true, minimumMinutes: 2 });
	});

	it('spreads a poll’s cost over its interval', () => {
		expect(pollCost(500, [{ mode: 'everyX', value: 2, unit: 'minutes' }])).toMatchObject({ requestsPerMinute: 5, overBudget: false });
		expect(pollCost(2_600, [{ mode: 'everyX', value: 10, unit: 'minutes' }])).toMatchObject({ overBudget: true, minimumMinutes: 11 });
	});

	it('adds up several poll times', () => {
		expect(pollsPerMinute([{ mode: 'everyMinute' }, { mode: 'everyX', value: 2, unit: 'minutes' }])).toBe(1.5);
	});

	it('reads a custom cron’s minute field, and makes no estimate it cannot', () => {
		expect(pollsPerMinute([{ mode: 'custom', cronExpression: '0 */5 * * * *' }])).toBe(0.2);
		expect(pollsPerMinute([{ mode: 'custom', cronExpression: '* * * * *' }])).toBe(1);
		expect(pollsPerMinute([{ mode: 'custom', cronExpression: '0 5,35 * * * *' }])).toBeUndefined();
		expect(pollCost(10_000, [{ mode: 'custom', cronExpression: '0 5,35 * * * *' }]).overBudget).toBe(false);
	});
});
