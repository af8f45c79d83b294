/**
 * One poll of the Exotel Users Trigger: go on with the pass over the account's users where the
 * last poll left it, for at most REQUESTS_PER_POLL requests and POLL_BUDGET_MS, and report what
 * the pages read show. The state is replaced only when the poll ends well (time up included):
 * a poll that fails saves nothing, so the next one finds the same events.
 */
import { createHash } from 'node:crypto';
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { dataOf } from '../shared/envelope';
import { baseUrlFor } from '../shared/url';
import { ExotelClient, type ClientSettings } from '../shared/transport/client';
import { CREDENTIAL_TYPE } from '../shared/transport/send';
import type { Clock } from '../shared/transport/pacing/clock';
import type { ProcessPacing } from '../shared/transport/pacing/processPacing';
import {
	PAGE_SIZE,
	POLL_BUDGET_MS,
	REQUEST_TIMEOUT_MS,
	REQUESTS_PER_POLL,
	pollCost,
	scheduleProblem,
	type PollTime,
} from './helpers/pollCost';
import type { PollGuard } from './helpers/pollGuard';
import { newStamp, stampOf, type UnsavedStates } from './helpers/unsavedState';
import {
	applyListed,
	applyRemoved,
	newestUser,
	sipDevices,
	type EventName,
	type UserEvent,
} from './helpers/userDiff';
import {
	finishPass,
	markSeen,
	newState,
	readState,
	unseenUsers,
	type UsersState,
} from './helpers/usersState';

/** Where the trigger keeps its state in the node's static data. */
export const STATE_KEY = 'exotelUsers';

type ClientContext = ConstructorParameters<typeof ExotelClient>[0];

const LISTING = { path: ['users'], qs: { fields: 'devices' } };

/** What one process keeps for its triggers. */
export interface TriggerProcess {
	processPacing: ProcessPacing;
	settings: ClientSettings;
	guard: PollGuard;
	unsaved: UnsavedStates;
}

export async function pollUsers(
	this: IPollFunctions,
	perProcess: TriggerProcess,
): Promise<INodeExecutionData[][] | null> {
	const { processPacing, settings } = perProcess;
	const pollTimes = (this.getNodeParameter('pollTimes', {}) as { item?: PollTime[] }).item ?? [];
	const problem = scheduleProblem(pollTimes);
	if (problem) {
		// Thrown at publication, n8n shows it to whoever publishes; at a test run, in the panel.
		throw new NodeOperationError(this.getNode(), problem, {
			description: 'Change Poll Times, then publish again.',
		});
	}
	if (this.getMode() === 'manual')
		return await withClient(
			this,
			processPacing,
			settings,
			async (client) => await testEvent(this, client),
		);
	const key = `${this.getWorkflow().id ?? ''}/${this.getNode().id}`;
	const poll = async () =>
		await withClient(
			this,
			processPacing,
			settings,
			async (client, timeUp) =>
				await pollPass(this, key, perProcess.unsaved, client, timeUp, pollTimes),
		);
	return await perProcess.guard.runAlone(key, poll, null);
}

/**
 * A client whose waits (the account's pace, a retry's backoff) end when the poll's time is up:
 * the poll's budget, or less when n8n gives it less (its durable scheduler says how much).
 */
async function withClient<T>(
	context: IPollFunctions,
	processPacing: ProcessPacing,
	settings: ClientSettings,
	use: (client: ExotelClient, timeUp: AbortSignal) => Promise<T>,
): Promise<T> {
	const given = (context as Partial<Pick<IPollFunctions, 'getPollBudgetMs'>>).getPollBudgetMs?.();
	const budgetMs = Math.max(
		1_000,
		Math.min(
			POLL_BUDGET_MS,
			typeof given === 'number' ? given - REQUEST_TIMEOUT_MS : POLL_BUDGET_MS,
		),
	);
	const deadline = after(processPacing.clock, budgetMs);
	// The poll context does what the client needs (credentials, the authenticated request helper, the node), and cancels at the deadline.
	const clientContext = Object.create(context, {
		getExecutionCancelSignal: { value: () => deadline.signal },
	}) as ClientContext;
	const client = new ExotelClient(clientContext, settings, processPacing);
	try {
		return await use(client, deadline.signal);
	} finally {
		deadline.stop();
		client.close();
	}
}

/** A signal that aborts `ms` from now on `clock`, unless stopped first. */
function after(clock: Clock, ms: number): { signal: AbortSignal; stop: () => void } {
	const timeUp = new AbortController();
	const stopped = new AbortController();
	void clock.sleep(ms, stopped.signal).then(
		() => timeUp.abort(new Error('The poll’s time is up')),
		() => undefined,
	);
	return { signal: timeUp.signal, stop: () => stopped.abort() };
}

/** The editor's test run: the newest user, read from the first and last pages, changing nothing. */
async function testEvent(
	context: IPollFunctions,
	client: ExotelClient,
): Promise<INodeExecutionData[][]> {
	const sipRequired = sipDeviceRequired(context);
	const first = await client.requestPage(0, LISTING, 0, PAGE_SIZE);
	const listed: unknown[] = [...first.records];
	const total = first.total ?? 0;
	// Exotel lists the newest users last: the last pages are enough, however large the account.
	for (
		let offset = Math.floor((total - 1) / PAGE_SIZE) * PAGE_SIZE, pages = 0;
		offset > 0 && pages < 2;
		offset -= PAGE_SIZE, pages++
	) {
		listed.push(...(await client.requestPage(0, LISTING, offset, PAGE_SIZE)).records);
	}
	const newest = newestUser(listed, sipRequired);
	if (!newest) {
		throw new NodeOperationError(
			context.getNode(),
			sipRequired
				? 'No user of this account has a SIP device yet'
				: 'This Exotel account has no users yet',
			{
				description:
					'A test run returns the newest user so that later nodes can map its fields. Add a user in Exotel, then test again.',
			},
		);
	}
	return [[toItem({ event: 'userAdded', user: newest })]];
}

const sipDeviceRequired = (context: IPollFunctions) =>
	(context.getNodeParameter('events', ['userAdded']) as string[]).includes('userAdded') &&
	(context.getNodeParameter('sipDeviceRequired', false) as boolean);

async function pollPass(
	context: IPollFunctions,
	key: string,
	unsaved: UnsavedStates,
	client: ExotelClient,
	timeUp: AbortSignal,
	pollTimes: PollTime[],
): Promise<INodeExecutionData[][] | null> {
	const wanted = new Set(context.getNodeParameter('events', ['userAdded']) as EventName[]);
	const account = await accountFingerprint(context);
	const stored = context.getWorkflowStaticData('node');
	const raw = stored[STATE_KEY] as IDataObject | undefined;
	const storedStamp = stampOf(raw);
	const goOn = unsaved.goOn(key, storedStamp, account);
	const read = goOn ? { ok: true as const, state: goOn } : readState(raw, account);
	if (!read.ok && read.problem) {
		context.logger.warn(
			`Exotel Users Trigger "${context.getNode().name}": its saved state cannot be trusted (${read.problem}). ` +
				'It starts a new baseline: this poll fires nothing, and users present now will not be reported as added.',
		);
	}
	const state = read.ok ? read.state : newState(account);
	const events: UserEvent[] = [];
	const pass = state.pass;
	const steps = await readOn(client, state, events, {
		sipRequired: sipDeviceRequired(context),
		timeUp,
	});
	if (steps === 0 && read.ok) {
		context.logger.warn(
			`Exotel Users Trigger "${context.getNode().name}": this poll read nothing before its time was up (the account's rate limit is busy); the next poll goes on.`,
		);
		return null;
	}
	// Once a pass, when the account's size is known.
	if (state.pass !== pass) warnAboutCost(context, Object.keys(state.users).length, pollTimes);
	// Written only now, with the events it accounts for.
	state.stamp = newStamp();
	stored[STATE_KEY] = state as unknown as IDataObject;
	unsaved.remember(key, storedStamp, state);
	const items = events.filter((e) => wanted.has(e.event)).map(toItem);
	return items.length > 0 ? [items] : null;
}

/**
 * Goes on with the pass: pages until the last, then a look-up of each user it did not see
 * (404: gone), then the pass is complete — at most one pass, REQUESTS_PER_POLL requests, and
 * until the time is up. Each step changes `state` only once its answer is in. Returns the
 * steps made; a failure other than the time running out is thrown.
 */
async function readOn(
	client: ExotelClient,
	state: UsersState,
	events: UserEvent[],
	options: { sipRequired: boolean; timeUp: AbortSignal },
): Promise<number> {
	let steps = 0;
	while (steps < REQUESTS_PER_POLL && !options.timeUp.aborted) {
		if (!state.confirming) {
			const page = await answerOf(client.requestPage(0, LISTING, state.offset, PAGE_SIZE));
			if (!page.ok) return failed(page.error, steps, options.timeUp);
			steps++;
			events.push(...applyListed(state, page.value.records, options));
			const { records, total } = page.value;
			const last =
				records.length < PAGE_SIZE || (total !== undefined && state.offset + PAGE_SIZE >= total);
			if (last) state.confirming = true;
			else state.offset += PAGE_SIZE;
			continue;
		}
		const [unseen] = unseenUsers(state);
		if (unseen === undefined) {
			finishPass(state);
			return steps + 1;
		}
		const found = await answerOf(
			client.request(0, { method: 'GET', path: ['users', unseen], idempotent: true }),
		);
		if (
			!found.ok &&
			!(found.error instanceof NodeApiError && String(found.error.httpCode) === '404')
		)
			return failed(found.error, steps, options.timeUp);
		steps++;
		if (!found.ok)
			events.push(...applyRemoved(state, unseen)); // 404: gone
		else {
			const user = dataOf(found.value);
			// A 200 without the user (an odd answer) proves nothing more than that the user is there.
			if (user) events.push(...applyListed(state, [user], options));
			else markSeen(state, unseen);
		}
	}
	return steps;
}

type Answer<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function answerOf<T>(request: Promise<T>): Promise<Answer<T>> {
	return await request.then(
		(value) => ({ ok: true as const, value }),
		(error: unknown) => ({ ok: false as const, error }),
	);
}

/** A request that did not succeed: the end of the poll when its time is up, else the poll's error. */
function failed(error: unknown, steps: number, timeUp: AbortSignal): number {
	if (timeUp.aborted) return steps;
	throw error;
}

/** Which account the state describes: the API host and the Account SID, hashed (the state is no place for either). */
async function accountFingerprint(context: IPollFunctions): Promise<string> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const base = baseUrlFor(credentials);
	const host = base.ok ? base.url : '';
	return createHash('sha256')
		.update(`${host} ${String(credentials.accountSid ?? '')}`)
		.digest('hex')
		.slice(0, 16);
}

/** The log says so when the chosen interval spends more than the trigger's share of Exotel's limit. */
function warnAboutCost(context: IPollFunctions, users: number, pollTimes: PollTime[]): void {
	const cost = pollCost(users, pollTimes);
	if (!cost.overBudget) return;
	context.logger.warn(
		`Exotel Users Trigger: ${users} users cost ${cost.requestsPerPoll} requests a poll, ${cost.requestsPerMinute?.toFixed(1)} a minute at this interval — ` +
			`more than a tenth of Exotel's 50 a minute for the account. Poll every ${cost.minimumMinutes} minutes or less often.`,
	);
}

/** One event as an item: the user's fields (never a secret: Exotel's user and device models hold none) and what happened. */
export function toItem(event: UserEvent): INodeExecutionData {
	const device = event.event === 'sipDeviceAdded' ? event.device : undefined;
	const json: IDataObject = {
		event: event.event,
		event_id: [event.event, event.user.id, device?.id].filter((p) => p !== undefined).join(':'),
		user_id: event.user.id,
		...(event.user as IDataObject),
	};
	if (event.event === 'userRemoved') return { json };
	if (device) {
		json.device_id = String(device.id);
		json.device = device as unknown as IDataObject;
	}
	const sip = device ? [device] : sipDevices(event.user);
	if (sip.length > 0 && typeof sip[0].contact_uri === 'string')
		json.sip_username = sip[0].contact_uri.replace(/^sip:/, '');
	return { json };
}
