/**
 * Shared setup for tests that run the Exotel node through n8n-core's real request stack
 * against the sandbox: fresh random secrets per run, the credential pointing at the
 * sandbox, and a check that no secret surfaced anywhere a user or a log could see it.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type {
	IDataObject,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IWorkflowSettings,
	NodeApiError,
	NodeOperationError,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { LoadOptionsContext } from 'n8n-core';
import { ObservableObject } from 'n8n-workflow';

import { ExotelUsersApi } from '../../credentials/ExotelUsersApi.credentials';
import type { ExotelUsers } from '../../nodes/ExotelUsers/ExotelUsers.node';
import { buildExecuteContext } from '../../tools/dev/harness/n8n';
import {
	startSandbox,
	type ExotelSandbox,
	type SandboxOptions,
} from '../../tools/dev/sandbox/server';
import { newProcess, type ProcessSetup } from './newProcess';

export const ASHA = { id: 'a3f1c2d4e5b60718293a4b5c6d7e8f90', sip: 101, tel: 102 };
/** What an output item says of Asha's SIP device (agentFields), as the sandbox seeds her. */
export const ASHA_SIP_AGENT = {
	user_id: ASHA.id,
	device_id: String(ASHA.sip),
	device_type: 'sip',
	first_name: 'Asha',
	last_name: 'Rao',
	email: 'asha.rao@example.com',
	contact_uri: 'sip:asharao101',
	sip_username: 'asharao101',
};
export const VIKRAM = { id: 'b7e2d9c1a4f3068b5c2e1d0f9a8b7c6d', sip: 201 };

/** A password that meets Exotel's policy, different on every call. */
export function newPassword(): string {
	return `Pw-${randomBytes(6).toString('hex')}-Zq7!`;
}

/**
 * Exotel's minute in the tests: scaled down, so that the slow-down after a 429 (which lasts
 * windows) passes in a test's time. Tests of Requests per Minute set their own.
 */
export const TEST_WINDOW_MS = 200;

export interface ExotelTestbed {
	sandbox: ExotelSandbox;
	secrets: { apiKey: string; apiToken: string; accountSid: string; passwordKey: string };
	/**
	 * The workflow's static data as n8n saved it (JSON), or undefined: what the next run loads.
	 * n8n saves it when a run that is not manual ends (failed or not); a manual run saves nothing.
	 */
	savedStaticData?: IDataObject;
	credentials: () => Record<string, string>;
	/**
	 * The node, as one n8n process holds it: the runs of a testbed share it (and with it the
	 * account's window), as the executions of one process do.
	 */
	readonly node: ExotelUsers;
	/** A fresh node: as if n8n had restarted (nothing remembered about the account). */
	restart: () => void;
	run: (options: RunOptions) => Promise<INodeExecutionData[]>;
}

export interface RunOptions {
	parameters: INodeParameters;
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	credentials?: Record<string, string>;
	/** Another node instance: another n8n process. */
	node?: ExotelUsers;
	/** The node's version (default: the latest, as a new node gets). */
	typeVersion?: number;
	/** Run as n8n runs it for an AI Agent: as the tool variant, `CUSTOM.exotelUsersTool`. */
	asTool?: boolean;
	/** The execution's mode (default manual, as a test run in the editor). */
	mode?: WorkflowExecuteMode;
	/** The workflow's settings (save executions…). */
	settings?: IWorkflowSettings;
	/** Gets the execution hints the node added. */
	hints?: Array<{ message: string; type?: string }>;
}

/**
 * The node as n8n runs it for an AI Agent: n8n's convertNodeToAiTool makes a copy of the
 * base description named `<name>Tool`, with an ai_tool output, and runs the base execute().
 */
export function asTool(node: ExotelUsers): INodeType {
	const { usableAsTool: _dropped, ...base } = node.description;
	return {
		description: {
			...base,
			name: `${base.name}Tool`,
			displayName: `${base.displayName} Tool`,
			inputs: [],
			outputs: ['ai_tool'],
			properties: structuredClone(base.properties),
		},
		methods: node.methods,
		execute: node.execute,
	};
}

export async function startTestbed(
	options: Partial<SandboxOptions> = {},
	setup: ProcessSetup = { windowMs: TEST_WINDOW_MS },
): Promise<ExotelTestbed> {
	const secrets = {
		apiKey: `key-${randomBytes(4).toString('hex')}`,
		apiToken: `tok-${randomBytes(12).toString('hex')}`,
		accountSid: `acct${randomBytes(3).toString('hex')}`,
		// The credential's SIP Password Key, made as the docs say (openssl rand -base64 32).
		passwordKey: randomBytes(32).toString('base64'),
	};
	const { passwordKey: _key, ...exotelSecrets } = secrets;
	const sandbox = await startSandbox({ ...exotelSecrets, ...options });
	const credentials = () => ({ ...secrets, region: 'custom', baseUrl: sandbox.url });
	let node = newProcess('ExotelUsers', setup);
	const bed: ExotelTestbed = {
		sandbox,
		secrets,
		savedStaticData: undefined,
		credentials,
		get node() {
			return node;
		},
		restart: () => {
			node = newProcess('ExotelUsers', setup);
		},
		run: async ({
			parameters,
			items,
			continueOnFail,
			credentials: override,
			node: other,
			typeVersion,
			asTool: tool,
			mode = 'manual',
			settings,
			hints,
		}) => {
			const base = other ?? node;
			const nodeType = tool ? asTool(base) : base;
			const { ctx, workflow } = buildExecuteContext({
				nodeType,
				typeVersion,
				credentialType: new ExotelUsersApi(),
				credentials: override ?? credentials(),
				// Update SIP Password unless the test names another resource/operation (or runs a tool,
				// whose defaults are under test).
				parameters: tool
					? parameters
					: { resource: 'user', operation: 'updateSipPassword', ...parameters },
				items,
				continueOnFail,
				mode,
			});
			// What n8n does around a run: load the saved static data, and save it when a run that is
			// not manual ends, failed or not (not when it is killed: a test that kills does not get here).
			workflow.staticData = ObservableObject.create(
				structuredClone(bed.savedStaticData ?? {}),
				undefined,
				{ ignoreEmptyOnFirstChild: true },
			) as typeof workflow.staticData;
			if (settings) workflow.settings = settings;
			if (hints) ctx.addExecutionHints = (...added) => hints.push(...added);
			const save = () => {
				if (mode !== 'manual' && workflow.staticData.__dataChanged === true)
					bed.savedStaticData = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
			};
			try {
				const [output] = (await nodeType.execute!.call(ctx)) as INodeExecutionData[][];
				return output;
			} finally {
				save();
			}
		},
	};
	return bed;
}

/**
 * A testbed for a test file: started before its tests, stopped after them, and reset
 * (users, recorded requests, faults — and the node, as after a restart) before each test.
 */
export function useTestbed(
	options: Partial<SandboxOptions> = {},
	setup?: ProcessSetup,
): ExotelTestbed {
	let current: ExotelTestbed | undefined;
	beforeAll(async () => {
		current = await startTestbed(options, setup);
	});
	afterAll(async () => await current?.sandbox.stop());
	beforeEach(() => {
		current?.sandbox.reset();
		current?.restart();
		if (current) current.savedStaticData = undefined;
	});
	const bed = () => {
		if (!current) throw new Error('the testbed is used outside a test');
		return current;
	};
	return {
		get sandbox() {
			return bed().sandbox;
		},
		get secrets() {
			return bed().secrets;
		},
		get savedStaticData() {
			return bed().savedStaticData;
		},
		set savedStaticData(data) {
			bed().savedStaticData = data;
		},
		credentials: () => bed().credentials(),
		get node() {
			return bed().node;
		},
		restart: () => bed().restart(),
		run: async (runOptions) => await bed().run(runOptions),
	};
}

export function byId(value: string | number) {
	return { __rl: true, mode: 'id', value };
}

export function byEmail(value: string) {
	return { __rl: true, mode: 'email', value };
}

export function fromList(value: string) {
	return { __rl: true, mode: 'list', value, cachedResultName: 'picked in the editor' };
}

/** The error a run failed with; fails the test if it did not fail. */
export async function failure(run: Promise<unknown>): Promise<NodeApiError & NodeOperationError> {
	try {
		await run;
	} catch (error) {
		return error as NodeApiError & NodeOperationError;
	}
	throw new Error('the node did not fail');
}

/** Runs `fn`, capturing what reaches stdout and stderr meanwhile. */
export async function captureOutput<T>(
	fn: () => Promise<T>,
): Promise<{ result?: T; error?: unknown; printed: string }> {
	const printed: string[] = [];
	const originals = [process.stdout.write, process.stderr.write];
	const tap = (original: typeof process.stdout.write) =>
		function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
			printed.push(String(chunk));
			return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
		} as typeof process.stdout.write;
	process.stdout.write = tap(originals[0]);
	process.stderr.write = tap(originals[1]);
	try {
		return { result: await fn(), printed: printed.join('') };
	} catch (error) {
		return { error, printed: printed.join('') };
	} finally {
		[process.stdout.write, process.stderr.write] = originals;
	}
}

/**
 * Fails if any secret appears in what a user, a log or n8n's execution record could see
 * of `value`: its JSON form (what n8n stores) and, for errors, message, description and
 * the full object graph (what a logger walking `cause` would print).
 */
export function expectNoSecrets(value: unknown, secrets: string[]): void {
	const views = [JSON.stringify(value) ?? ''];
	if (value instanceof Error) {
		views.push(value.message, String((value as { description?: unknown }).description ?? ''));
		// n8n attaches the workflow's node to its errors; a password typed into the node is part of
		// the workflow itself, so the graph is searched without it. Everything else — cause,
		// context, errorResponse — is searched to any depth.
		views.push(inspect({ ...value, node: undefined }, { depth: 12 }));
	} else {
		views.push(inspect(value, { depth: 12 }));
	}
	const base64 = secrets.map((s) => Buffer.from(s).toString('base64').slice(0, 12));
	for (const view of views) {
		for (const secret of [...secrets, ...base64]) {
			if (view.includes(secret)) {
				throw new Error(
					`a secret leaked (${secrets.indexOf(secret) >= 0 ? 'in clear' : 'base64'}) into: ${view.slice(0, 200)}`,
				);
			}
		}
	}
}

/**
 * What n8n's editor gives a list search (`listSearch`) method: a load-options context over the
 * node's current parameters, with the credential.
 */
export function loadOptionsContext(
	credentials: Record<string, string>,
	currentNodeParameters: INodeParameters = {},
	nodeType: ExotelUsers = newProcess('ExotelUsers', { windowMs: TEST_WINDOW_MS }),
): LoadOptionsContext {
	const { workflow, node, additionalData } = buildExecuteContext({
		nodeType,
		credentialType: new ExotelUsersApi(),
		credentials,
		parameters: currentNodeParameters,
	});
	additionalData.currentNodeParameters = node.parameters;
	return new LoadOptionsContext(workflow, node, additionalData, 'parameters.userId');
}
