/**
 * A node as a new n8n process holds it — another process beside the test's, or n8n after a
 * restart: a fresh copy of the package's modules, with the process's own registry of account
 * pacers and the trigger's own polls under way. Only modules are replaced, as n8n's own node
 * tests do: the registry's, to scale Exotel's minute down or run it on a fake clock, and the
 * trigger's send options, for faster retries. n8n-workflow stays the copy that n8n-core and the
 * tests use, as in a process where n8n loads it once.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ExotelUsers } from '../../nodes/ExotelUsers/ExotelUsers.node';
import type { ExotelUsersTrigger } from '../../nodes/ExotelUsersTrigger/ExotelUsersTrigger.node';
import type * as PollCost from '../../nodes/ExotelUsersTrigger/helpers/pollCost';
import type * as AccountPacer from '../../nodes/shared/transport/pacing/accountPacer';
import type * as ClockModule from '../../nodes/shared/transport/pacing/clock';
import type * as ProcessPacingModule from '../../nodes/shared/transport/pacing/processPacing';

/** What the new process runs on: Exotel's minute and the system clock unless said otherwise. */
export interface ProcessSetup {
	windowMs?: number;
	clock?: ClockModule.Clock;
	/** The trigger's send options, over its own (e.g. faster retries). */
	pollSend?: IDataObject;
}

const EXOTEL_MINUTE_MS = 60_000;

const MODULES = {
	ExotelUsers: '../../nodes/ExotelUsers/ExotelUsers.node',
	ExotelUsersTrigger: '../../nodes/ExotelUsersTrigger/ExotelUsersTrigger.node',
} as const;
const PROCESS_PACING = '../../nodes/shared/transport/pacing/processPacing';
const POLL_COST = '../../nodes/ExotelUsersTrigger/helpers/pollCost';

interface Nodes {
	ExotelUsers: ExotelUsers;
	ExotelUsersTrigger: ExotelUsersTrigger;
}

const workflow = jest.requireActual<object>('n8n-workflow');

/** The processPacing module of a process on `setup`'s minute and clock, built from that process's own modules. */
function processPacingOf(setup: ProcessSetup): typeof ProcessPacingModule {
	const { AccountRegistry } = jest.requireActual<typeof AccountPacer>(
		'../../nodes/shared/transport/pacing/accountPacer',
	);
	const { random, systemClock } = jest.requireActual<typeof ClockModule>(
		'../../nodes/shared/transport/pacing/clock',
	);
	const clock = setup.clock ?? systemClock;
	const pacing = new AccountRegistry({
		windowMs: setup.windowMs ?? EXOTEL_MINUTE_MS,
		clock,
		random,
	});
	return {
		...jest.requireActual<typeof ProcessPacingModule>(PROCESS_PACING),
		processPacing: { pacing, clock, random },
	};
}

/** A new instance of `name`, loaded as a new process loads it. */
export function newProcess<K extends keyof Nodes>(name: K, setup: ProcessSetup = {}): Nodes[K] {
	let node: Nodes[K] | undefined;
	jest.isolateModules(() => {
		jest.doMock('n8n-workflow', () => workflow);
		jest.doMock(PROCESS_PACING, () => processPacingOf(setup));
		if (setup.pollSend) {
			const pollSend = setup.pollSend;
			jest.doMock(POLL_COST, () => {
				const actual = jest.requireActual<typeof PollCost>(POLL_COST);
				return { ...actual, POLL_SEND_OPTIONS: { ...actual.POLL_SEND_OPTIONS, ...pollSend } };
			});
		}
		const loaded = jest.requireActual<Record<K, new () => Nodes[K]>>(MODULES[name]);
		node = new loaded[name]();
	});
	for (const path of ['n8n-workflow', PROCESS_PACING, POLL_COST]) jest.dontMock(path);
	return node!;
}
