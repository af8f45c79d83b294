import {
	duration,
	intervalMinutes,
	passTimeMessage,
	pollCost,
	pollsPerMinute,
	pollsPerPass,
	requestsPerPoll,
	scheduleProblem,
} from '../../../../nodes/ExotelUsersTrigger/helpers/pollCost';

describe('pollCost', () => {
	it('costs one request per 50 users, one for an empty account, and at most 25 a poll', () => {
		expect([0, 1, 50, 51, 237, 250, 251, 1_250, 1_251, 20_000].map(requestsPerPoll)).toEqual([
			1, 1, 1, 2, 5, 5, 6, 25, 25, 25,
		]);
	});

	it('stays within a tenth of 50 a minute at one poll a minute up to 250 users', () => {
		expect(pollCost(250, [{ mode: 'everyMinute' }])).toMatchObject({
			requestsPerPoll: 5,
			requestsPerMinute: 5,
			overBudget: false,
		});
		expect(pollCost(251, [{ mode: 'everyMinute' }])).toMatchObject({
			requestsPerPoll: 6,
			requestsPerMinute: 6,
			overBudget: true,
			minimumMinutes: 2,
		});
	});

	it('spreads a poll’s cost over its interval; every 5 minutes fits any account (a poll reads at most 25 pages)', () => {
		expect(pollCost(500, [{ mode: 'everyX', value: 2, unit: 'minutes' }])).toMatchObject({
			requestsPerMinute: 5,
			overBudget: false,
		});
		expect(pollCost(20_000, [{ mode: 'everyX', value: 5, unit: 'minutes' }])).toMatchObject({
			requestsPerMinute: 5,
			overBudget: false,
		});
		expect(pollCost(20_000, [{ mode: 'everyX', value: 4, unit: 'minutes' }])).toMatchObject({
			overBudget: true,
			minimumMinutes: 5,
		});
	});

	it('adds up several poll times', () => {
		expect(
			pollsPerMinute([{ mode: 'everyMinute' }, { mode: 'everyX', value: 2, unit: 'minutes' }]),
		).toBe(1.5);
	});

	it('reads a custom cron’s minute field, and makes no estimate it cannot', () => {
		expect(pollsPerMinute([{ mode: 'custom', cronExpression: '0 */5 * * * *' }])).toBe(0.2);
		expect(pollsPerMinute([{ mode: 'custom', cronExpression: '* * * * *' }])).toBe(1);
		expect(pollsPerMinute([{ mode: 'custom', cronExpression: '0 5,35 * * * *' }])).toBeUndefined();
		expect(
			pollCost(10_000, [{ mode: 'custom', cronExpression: '0 5,35 * * * *' }]).overBudget,
		).toBe(false);
	});
});

describe('the schedule', () => {
	it('knows a one-minute schedule however it is written', () => {
		const oneMinute = [
			{ mode: 'everyMinute' },
			{ mode: 'everyX', value: 1, unit: 'minutes' },
			{ mode: 'custom', cronExpression: '* * * * *' },
			{ mode: 'custom', cronExpression: '0 */1 * * * *' },
		];
		expect(oneMinute.map(intervalMinutes)).toEqual([1, 1, 1, 1]);
		expect(
			[
				{ mode: 'everyX', value: 3, unit: 'hours' },
				{ mode: 'everyHour' },
				{ mode: 'everyWeek' },
			].map(intervalMinutes),
		).toEqual([180, 60, 10_080]);
	});

	it('refuses Poll Times that add up to more than one poll a minute, and accepts one a minute', () => {
		expect(scheduleProblem([{ mode: 'everyMinute' }])).toBeUndefined();
		expect(
			scheduleProblem([
				{ mode: 'everyX', value: 2, unit: 'minutes' },
				{ mode: 'everyX', value: 2, unit: 'minutes' },
			]),
		).toBeUndefined();
		expect(scheduleProblem([{ mode: 'everyMinute' }, { mode: 'everyHour' }])).toMatch(
			/^Poll Times add up to 1\.02 polls a minute: .* at most once a minute/,
		);
		expect(
			scheduleProblem([
				{ mode: 'everyMinute' },
				{ mode: 'custom', cronExpression: '0 5,35 * * * *' },
			]),
		).toBeUndefined();
	});

	it('says how long a full pass takes: one poll per 1,250 users', () => {
		expect([1, 1_250, 1_251, 2_040, 20_000].map(pollsPerPass)).toEqual([1, 1, 2, 2, 16]);
		expect(passTimeMessage(10)).toContain(
			'1,250 users: 10 minutes, 5,000 users: 40 minutes, 20,000 users: 2 hours 40 minutes',
		);
		expect(passTimeMessage(1)).toMatch(/^Polling every 1 minute, a full pass/);
		expect(duration(1_440 * 16)).toBe('16 days');
		expect(duration(90)).toBe('1 hour 30 minutes');
	});
});
