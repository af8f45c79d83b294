/**
 * What a poll costs and how long a full pass over the account takes at the chosen Poll Times.
 * A poll reads at most REQUESTS_PER_POLL pages of 50 users and stops after POLL_BUDGET_MS,
 * whatever the account's size: a large account is read across several polls. Pure.
 */

/** Exotel's limit for its User Management API, per account (docs/exotel-api.md). */
export const EXOTEL_REQUESTS_PER_MINUTE = 50;

/** The share of that limit a trigger should use at most: the rest is for the workflows that act. */
export const TRIGGER_SHARE = 0.1;

export const PAGE_SIZE = 50;

/** The requests one poll may send: half a minute of the account's limit (25 pages: 1,250 users). */
export const REQUESTS_PER_POLL = 25;

/** The users one poll reads at most. */
export const USERS_PER_POLL = REQUESTS_PER_POLL * PAGE_SIZE;

/**
 * After this long a poll sends nothing more and saves where it stopped. With the 10 s request
 * timeout a poll ends within 40 s: under the 45 s after which n8n's durable scheduler abandons
 * a poll, and the 84 s after which n8n gives up publishing a workflow.
 */
export const POLL_BUDGET_MS = 30_000;

/** The trigger's request timeout: a request sent just before the budget ends still ends in time. */
export const REQUEST_TIMEOUT_MS = 10_000;

/** The trigger's send options: retries that fit a poll (4 attempts, Retry-After waited up to 10 s). */
export const POLL_SEND_OPTIONS = {
	maxAttempts: 4,
	timeout: REQUEST_TIMEOUT_MS / 1000,
	maxRetryWait: 10,
};

export function requestsPerPoll(users: number): number {
	return Math.min(REQUESTS_PER_POLL, Math.max(1, Math.ceil(users / PAGE_SIZE)));
}

/** The polls a full pass over `users` takes (its pages, plus the look-ups of users who left, fit in most cases). */
export function pollsPerPass(users: number): number {
	return Math.max(1, Math.ceil(Math.max(1, Math.ceil(users / PAGE_SIZE)) / REQUESTS_PER_POLL));
}

/** One entry of n8n's Poll Times. */
export interface PollTime {
	mode?: string;
	value?: number;
	unit?: string;
	cronExpression?: string;
}

const MINUTES = {
	everyMinute: 1,
	everyHour: 60,
	everyDay: 1_440,
	everyWeek: 10_080,
	everyMonth: 40_320,
} as const;

/**
 * The shortest time between two polls of one Poll Times entry, in minutes; undefined for a
 * custom cron whose minute field is neither `*` nor `*\/N` (no estimate is made then).
 */
export function intervalMinutes(time: PollTime): number | undefined {
	if (time.mode === 'everyX')
		return (time.unit === 'hours' ? 60 : 1) * Math.max(1, Number(time.value) || 1);
	if (time.mode === 'custom') {
		const fields = String(time.cronExpression ?? '')
			.trim()
			.split(/\s+/);
		const minute = fields.length === 6 ? fields[1] : fields[0];
		const step = /^\*(?:\/(\d+))?$/.exec(minute ?? '');
		return step ? Math.max(1, Number(step[1] ?? 1)) : undefined;
	}
	return MINUTES[time.mode as keyof typeof MINUTES] ?? MINUTES.everyDay;
}

/** Polls a minute at the busiest; undefined when one entry cannot be estimated. */
export function pollsPerMinute(times: readonly PollTime[]): number | undefined {
	let total = 0;
	for (const time of times) {
		const minutes = intervalMinutes(time);
		if (minutes === undefined) return undefined;
		total += 1 / minutes;
	}
	return total;
}

/**
 * `intervalMinutes` of every entry as an n8n expression over `$parameter.pollTimes`, for the
 * panel's hints (the editor evaluates them; a test checks that both agree). 0: no estimate.
 */
const INTERVALS_EXPRESSION = [
	'(($parameter.pollTimes || {}).item || []).map((t) =>',
	' t.mode === "everyX" ? (t.unit === "hours" ? 60 : 1) * Math.max(1, Number(t.value) || 1)',
	' : t.mode === "custom" ? ((m) => (m ? Math.max(1, Number(m[1] || 1)) : 0))(/^\\*(?:\\/(\\d+))?$/.exec(((f) => (f.length === 6 ? f[1] : f[0]))(String(t.cronExpression || "").trim().split(/\\s+/)) || ""))',
	' : ({ everyMinute: 1, everyHour: 60, everyDay: 1440, everyWeek: 10080, everyMonth: 40320 })[t.mode] || 1440',
	')',
].join('');

/** The shortest interval of the entries, in minutes, as an n8n expression (Infinity when none can be estimated). */
export const SHORTEST_INTERVAL_EXPRESSION = `${INTERVALS_EXPRESSION}.reduce((a, b) => (b > 0 && b < a ? b : a), Infinity)`;

/** `pollsPerMinute` as an n8n expression (entries without an estimate count for nothing). */
export const POLLS_PER_MINUTE_EXPRESSION = `${INTERVALS_EXPRESSION}.reduce((a, b) => a + (b > 0 ? 1 / b : 0), 0)`;

/**
 * Why these Poll Times cannot work, or undefined. More than one poll a minute in all: a poll
 * can run for 40 s and spend half a minute of the account's limit, so polls would pile up.
 */
export function scheduleProblem(times: readonly PollTime[]): string | undefined {
	const polls = pollsPerMinute(times);
	if (polls === undefined || polls <= 1 + 1e-9) return undefined;
	return `Poll Times add up to ${round(polls)} polls a minute: the Exotel Users Trigger polls at most once a minute in all (a poll may take up to 40 s and ${REQUESTS_PER_POLL} of the account's ${EXOTEL_REQUESTS_PER_MINUTE} requests a minute). Keep one entry, or space them further apart.`;
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

/** "45 minutes", "2 hours", "1 day 4 hours". */
export function duration(minutes: number): string {
	const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
	if (minutes < 60) return plural(minutes, 'minute');
	if (minutes < 1_440) {
		const hours = Math.floor(minutes / 60);
		return minutes % 60 === 0
			? plural(hours, 'hour')
			: `${plural(hours, 'hour')} ${plural(minutes % 60, 'minute')}`;
	}
	const days = Math.floor(minutes / 1_440);
	const hours = Math.round((minutes % 1_440) / 60);
	return hours === 0 ? plural(days, 'day') : `${plural(days, 'day')} ${plural(hours, 'hour')}`;
}

/** The account sizes the panel gives the time of a full pass for. */
export const EXAMPLE_ACCOUNTS = [1_250, 5_000, 20_000] as const;

/** What the panel says at an interval of `minutes`: how long a full pass takes, for a few account sizes. */
export function passTimeMessage(minutes: number): string {
	const times = EXAMPLE_ACCOUNTS.map(
		(users) => `${users.toLocaleString('en-US')} users: ${duration(pollsPerPass(users) * minutes)}`,
	);
	return (
		`Polling every ${duration(minutes)}, a full pass over the account (which User Removed waits for) takes one poll per ${USERS_PER_POLL.toLocaleString('en-US')} users — ` +
		`${times.join(', ')}. User Added and SIP Device Added fire at the poll that reads the user's page.`
	);
}

/** The intervals, in minutes, the panel has a pass-time hint for (the common choices). */
export const HINTED_INTERVALS = [
	1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 45, 60, 120, 180, 240, 360, 720, 1_440, 10_080, 40_320,
] as const;

function round(n: number): string {
	return String(Math.round(n * 100) / 100);
}
