/**
 * What a poll costs: one request per 50 users (Exotel's largest page), and what the chosen
 * interval spends of Exotel's 50 user-management requests a minute per account. Pure.
 */

/** Exotel's limit for its User Management API, per account (docs/exotel-api.md). */
export const EXOTEL_REQUESTS_PER_MINUTE = 50;

/** The share of that limit a trigger should use at most: the rest is for the workflows that act. */
export const TRIGGER_SHARE = 0.1;

export const PAGE_SIZE = 50;

export function requestsPerPoll(users: number): number {
	return Math.max(1, Math.ceil(users / PAGE_SIZE));
}

/** One entry of n8n's Poll Times. */
export interface PollTime {
	mode?: string;
	value?: number;
	unit?: string;
	cronExpression?: string;
}

/**
 * Polls a minute at the busiest, for the intervals n8n offers; undefined for a custom cron
 * whose minute field is not `*` or `*\/N` (then no estimate is made).
 */
export function pollsPerMinute(times: readonly PollTime[]): number | undefined {
	let total = 0;
	for (const time of times) {
		if (time.mode === 'everyMinute') total += 1;
		else if (time.mode === 'everyX' && time.unit === 'minutes') total += 1 / Math.max(1, Number(time.value) || 1);
		else if (time.mode === 'everyX' && time.unit === 'hours') total += 1 / (60 * Math.max(1, Number(time.value) || 1));
		else if (time.mode === 'everyHour') total += 1 / 60;
		else if (time.mode === 'custom') {
			const fields = String(time.cronExpression ?? '').trim().split(/\s+/);
			const minute = fields.length === 6 ? fields[1] : fields[0];
			const step = /^\*(?:\/(\d+))?$/.exec(minute ?? '');
			if (!step) return undefined;
			total += 1 / Math.max(1, Number(step[1] ?? 1));
		} else total += 1 / (24 * 60); // a day, a week or a month apart: at most one a day
	}
	return total;
}

export interface PollCost {
	requestsPerPoll: number;
	requestsPerMinute?: number;
	/** More than the trigger's share of Exotel's limit. */
	overBudget: boolean;
	/** The shortest interval, in whole minutes, that stays within the share. */
	minimumMinutes: number;
}

export function pollCost(users: number, times: readonly PollTime[]): PollCost {
	const perPoll = requestsPerPoll(users);
	const polls = pollsPerMinute(times);
	const budget = EXOTEL_REQUESTS_PER_MINUTE * TRIGGER_SHARE;
	const requestsPerMinute = polls === undefined ? undefined : perPoll * polls;
	return {
		requestsPerPoll: perPoll,
		requestsPerMinute,
		overBudget: requestsPerMinute !== undefined && requestsPerMinute > budget + 1e-9,
		minimumMinutes: Math.ceil(perPoll / budget),
	};
}
