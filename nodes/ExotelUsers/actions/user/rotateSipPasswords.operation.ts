import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { mapInOrder } from '../../helpers/mapInOrder';
import { checkId } from '../../../shared/ids';
import { describeTime } from '../../helpers/rotationMemory';
import { runsAsTool } from '../../helpers/runsAsTool';
import { emailProblems, splitList } from '../../helpers/userFields';
import { ItemInput } from '../../helpers/validation';
import {
	PASSWORD_WITHHELD,
	passwordLengthField,
	readGeneratedChoice,
	rotationIdField,
	whenToSetField,
} from '../common/password';
import {
	agentFields,
	describeAgent,
	goneReason,
	goneSince,
	PasswordRun,
	type Agent,
} from '../common/passwordRun';
import { devicesOf } from '../../../shared/userDirectory';
import type { ItemScope, WithItemFields } from '../router';
import { inVersions } from '../versions';

/**
 * Rotate the SIP passwords of many agents at the account's pace: the account is read once with
 * its devices (GET /users?fields=devices, 50 users a request), checked, and only then is each SIP
 * device's password set (one PUT each): N agents cost N + ⌈users ÷ 50⌉ requests. One output item
 * per device, with the agent's name, email, SIP username and new password, for the next node to
 * deliver.
 */
const ROLES = ['admin', 'supervisor', 'user'] as const;

/**
 * Each run is a new rotation (its execution id); a recovery run passes the failed run's id as
 * `rotation_id`, and so repeats exactly that rotation.
 */
export const ROTATION_ID_DEFAULT = '={{ $json.rotation_id || $execution.id }}';

const ROTATION_ID_HINT =
	'Default: the input’s rotation_id (a recovery run passes the failed run’s), else this run’s execution ID — a new rotation every run. Needs the credential’s SIP Password Key. Empty: random passwords, which a re-run cannot repeat.';

const properties: INodeProperties[] = [
	{
		displayName: 'Agents',
		name: 'scope',
		type: 'options',
		options: [
			{ name: 'All Users With a SIP Device', value: 'all' },
			{
				name: 'By Role',
				value: 'role',
				description: 'Users of the chosen roles who have a SIP device',
			},
			{
				name: 'Given Users',
				value: 'users',
				description: 'The users whose IDs or emails are listed below',
			},
		],
		default: 'all',
		description: 'Whose SIP passwords change',
	},
	{
		displayName: 'Roles',
		name: 'roles',
		type: 'multiOptions',
		options: ROLES.map((role) => ({ name: role[0].toUpperCase() + role.slice(1), value: role })),
		default: ['user'],
		description: 'The roles whose SIP passwords change',
		displayOptions: { show: { scope: ['role'] } },
	},
	{
		displayName: 'Users',
		name: 'users',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'e.g. asha.rao@example.com, b7e2d9c1a4f3068b5c2e1d0f9a8b7c6d',
		description: 'User IDs or email addresses, separated by commas or new lines',
		hint: 'A user who does not exist or has no SIP device stops the run before any password changes',
		displayOptions: { show: { scope: ['users'] } },
	},
	inVersions([1], rotationIdField("={{ $now.toFormat('yyyy-MM-dd') }}")),
	// Never the same twice in a day: the run's own id, unless the input brings a failed run's.
	inVersions([2], { ...rotationIdField(ROTATION_ID_DEFAULT), hint: ROTATION_ID_HINT }),
	whenToSetField(),
	{
		...passwordLengthField(),
		hint: `${passwordLengthField().hint}. Each new password is output as sipPassword for the next node to deliver, e.g. by email.`,
	},
	{
		displayName: 'Return Passwords to the AI Model',
		name: 'returnPasswordToModel',
		type: 'boolean',
		default: false,
		// The author decides, never the model.
		noDataExpression: true,
		description:
			'Whether the tool’s answer to the AI model includes the new passwords. Off: they are set and withheld from the model; the agents must get them another way.',
		displayOptions: { show: { '@tool': [true] } },
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['rotateSipPasswords'] } },
	properties,
);

type Selection =
	| { scope: 'all' }
	| { scope: 'role'; roles: string[] }
	| { scope: 'users'; ids: string[]; emails: string[] };

function readSelection(context: IExecuteFunctions, itemIndex: number, input: ItemInput): Selection {
	const scope = context.getNodeParameter('scope', itemIndex, 'all') as string;
	if (scope === 'role') {
		const roles = context.getNodeParameter('roles', itemIndex, []) as string[];
		const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
		input.check(
			'roles',
			'Roles',
			roles.length === 0
				? ['is empty; choose at least one role']
				: unknown.length
					? [`has unknown roles: ${unknown.join(', ')}`]
					: [],
		);
		return { scope, roles };
	}
	if (scope === 'users') {
		const raw = context.getNodeParameter('users', itemIndex, '') as unknown;
		const entries = splitList(typeof raw === 'string' ? raw : String(raw ?? ''))
			.flatMap((e) => e.split(/\r?\n/))
			.map((e) => e.trim())
			.filter(Boolean);
		const ids: string[] = [];
		const emails: string[] = [];
		const problems: string[] = [];
		for (const entry of entries) {
			if (entry.includes('@')) {
				const wrong = emailProblems(entry);
				if (wrong.length) problems.push(`"${entry}" ${wrong.join('; ')}`);
				else emails.push(entry.toLowerCase());
			} else {
				const id = checkId(entry);
				if (id.ok) ids.push(id.id);
				else problems.push(`"${entry}" ${id.problem}`);
			}
		}
		input.check(
			'users',
			'Users',
			entries.length === 0 ? ['is empty; give user IDs or emails'] : problems,
		);
		return { scope, ids, emails };
	}
	if (scope !== 'all')
		input.check('scope', 'Agents', [`must be one of all, role, users; got ${scope}`]);
	return { scope: 'all' };
}

/** The SIP devices to rotate, in the account's order; the users given but not found or without one are reported. */
export function selectAgents(
	users: IDataObject[],
	selection: Selection,
): { agents: Agent[]; missing: string[]; withoutSip: IDataObject[] } {
	const agents: Agent[] = [];
	const withoutSip: IDataObject[] = [];
	let chosen = users;
	const missing: string[] = [];
	if (selection.scope === 'role')
		chosen = users.filter((u) => selection.roles.includes(String(u.role)));
	if (selection.scope === 'users') {
		const byId = new Map(users.map((u) => [String(u.id), u]));
		const byEmail = new Map(
			users
				.filter((u) => typeof u.email === 'string')
				.map((u) => [String(u.email).toLowerCase(), u]),
		);
		const picked = new Map<string, IDataObject>();
		for (const id of selection.ids) {
			const found = byId.get(id);
			if (found) picked.set(String(found.id), found);
			else missing.push(id);
		}
		for (const email of selection.emails) {
			const found = byEmail.get(email);
			if (found) picked.set(String(found.id), found);
			else missing.push(email);
		}
		chosen = users.filter((u) => picked.has(String(u.id)));
	}
	for (const user of chosen) {
		const sip = devicesOf(user).filter((d) => d.type === 'sip');
		if (sip.length === 0) withoutSip.push(user);
		for (const device of sip)
			agents.push({ userId: String(user.id), deviceId: String(device.id), user, device });
	}
	return { agents, missing, withoutSip };
}

export const start = (): PasswordRun => new PasswordRun();

export async function execute({
	context,
	itemIndex,
	client,
	users: directory,
	run,
	concurrency,
}: ItemScope<PasswordRun>): Promise<IDataObject[]> {
	const input = new ItemInput(context, itemIndex);
	const selection = readSelection(context, itemIndex, input);
	const choice = readGeneratedChoice(context, itemIndex, input);
	input.done();
	await run.requireKey(context, itemIndex, choice);

	// The whole account with devices, before anything changes: the listing is the check. Read
	// once per run, however many input items.
	const users = await run.accountUsers(client, itemIndex);
	const { agents: selected, missing, withoutSip } = selectAgents(users, selection);
	// Once the Rotation ID has started (a prepare step, the failed run this one repeats), a user or
	// SIP device gone since is named in a warning, not a stop: the other agents still get theirs.
	const started = await run.rotationStarted(context, itemIndex, choice);
	if (started)
		await noteGone(
			context,
			itemIndex,
			run,
			choice.rotationId,
			users,
			selected,
			selection.scope === 'users' ? { missing, withoutSip } : undefined,
		);
	if (!started && selection.scope === 'users' && (missing.length || withoutSip.length)) {
		const parts = [
			missing.length ? `not found: ${missing.join(', ')}` : '',
			withoutSip.length
				? `without a SIP device: ${withoutSip.map((u) => describeAgent({ userId: String(u.id), deviceId: '-', user: u })).join('; ')}`
				: '',
		].filter(Boolean);
		throw new NodeOperationError(context.getNode(), `Users ${parts.join('; ')}`, {
			itemIndex,
			description:
				'No password was changed. Correct the Users list (IDs or emails of this account’s users with a SIP device) and run again.',
		});
	}

	const withheld =
		runsAsTool(context.getNode().type) &&
		context.getNodeParameter('returnPasswordToModel', itemIndex, false) !== true;
	// Each agent once per run: an agent another input item already has is not output again.
	const unclaimed = selected.filter((agent) => run.claim(itemIndex, agent));
	const passwords: string[] = [];
	const agents: Agent[] = [];
	const done: Array<{ agent: Agent; at: number }> = [];
	for (const agent of unclaimed) {
		const password = await run.choose(context, itemIndex, agent, choice);
		// Agents this Rotation ID already set in a finished run: nothing would change for them.
		const at = await run.completedAt(context, itemIndex, agent, choice.rotationId);
		if (at !== undefined) {
			done.push({ agent, at });
			continue;
		}
		agents.push(agent);
		passwords.push(password);
	}
	if (done.length > 0 && agents.length === 0 && unclaimed.length > 0) {
		throw new NodeOperationError(
			context.getNode(),
			`Rotation ID ${choice.rotationId} already changed the SIP password of every selected agent (${done.length}): nothing would change`,
			{
				itemIndex,
				description: `Nothing was sent. It was completed on ${describeTime(Math.max(...done.map((d) => d.at)))}. The same Rotation ID gives the same passwords; a new Rotation ID gives new ones.`,
			},
		);
	}

	const continueOnFail = context.continueOnFail();
	const results = await mapInOrder(
		agents.length,
		concurrency,
		async (position): Promise<{ json?: IDataObject; failed?: Error }> => {
			const agent = agents[position];
			const passwordFields: IDataObject = withheld
				? { passwordReturned: false, note: PASSWORD_WITHHELD }
				: { sipPassword: passwords[position] };
			if (choice.rotationId)
				Object.assign(passwordFields, { rotation_id: choice.rotationId, key_id: run.keyId });
			if (choice.later)
				return { json: { ...agentFields(agent), ...passwordFields, password_set: false } };
			try {
				const envelope = await run.set(
					client,
					itemIndex,
					agent,
					passwords[position],
					passwordFields,
				);
				return {
					json: { ...envelope, ...agentFields(agent), ...passwordFields, password_set: true },
				};
			} catch (error) {
				// Deleted or changed since the listing, in a started rotation: named in the warning, not output.
				const gone = started ? await goneSince(directory, itemIndex, agent, error) : undefined;
				if (gone !== undefined) {
					await run.noteNotSet(context, itemIndex, gone.agent, choice.rotationId, gone.reason);
					return {};
				}
				const failed = error as Error;
				const fields = (failed as WithItemFields).itemFields ?? agentFields(agent);
				return { json: { error: failed.message, ...fields }, failed };
			}
		},
		(result) => result.failed !== undefined && !continueOnFail,
	);
	const stop = results.find((r) => r?.failed !== undefined);
	if (stop?.failed && !continueOnFail) throw stop.failed;
	if (!withheld && agents.length > 0) run.generatedOutput = true;

	if (typeof context.addExecutionHints === 'function') {
		const skipped = [
			withoutSip.length
				? `${withoutSip.length} user${withoutSip.length === 1 ? '' : 's'} without a SIP device`
				: '',
			done.length
				? `${done.length} agent${done.length === 1 ? '' : 's'} whose password Rotation ID ${choice.rotationId} already set (last on ${describeTime(Math.max(...done.map((d) => d.at)))}), not output`
				: '',
			selected.length > unclaimed.length
				? `${selected.length - unclaimed.length} agent${selected.length - unclaimed.length === 1 ? '' : 's'} already output for an earlier input item of this run`
				: '',
		].filter(Boolean);
		if (skipped.length)
			context.addExecutionHints({
				message: `Skipped: ${skipped.join('; ')}.`,
				location: 'outputPane',
			});
	}
	return results.flatMap((r) => (r?.json ? [r.json] : []));
}

/**
 * A started rotation's agents that cannot be set, kept for the run's warning: the users given
 * but gone or without a SIP device now, and every agent a stopped run of this Rotation ID changed
 * who is no longer selected — so the re-run still names them.
 */
async function noteGone(
	context: IExecuteFunctions,
	itemIndex: number,
	run: PasswordRun,
	rotationId: string,
	users: IDataObject[],
	selected: Agent[],
	given?: { missing: string[]; withoutSip: IDataObject[] },
): Promise<void> {
	for (const entry of given?.missing ?? []) {
		const byEmail = entry.includes('@');
		const agent: Agent = byEmail
			? { userId: '', deviceId: '', user: { email: entry } }
			: { userId: entry, deviceId: '' };
		await run.noteNotSet(
			context,
			itemIndex,
			agent,
			rotationId,
			goneReason(
				byEmail ? { by: 'email', email: entry } : { by: 'id', id: entry },
				undefined,
				undefined,
			) ?? '',
		);
	}
	for (const user of given?.withoutSip ?? []) {
		await run.noteNotSet(
			context,
			itemIndex,
			{ userId: String(user.id), deviceId: '', user },
			rotationId,
			goneReason(String(user.id), user, undefined) ?? '',
		);
	}
	const chosen = new Set(selected.map((agent) => `${agent.userId}/${agent.deviceId}`));
	const byId = new Map(users.map((user) => [String(user.id), user]));
	for (const key of Object.keys(await run.changedByStoppedRun(context, itemIndex, rotationId))) {
		if (chosen.has(key)) continue;
		// Ids never hold a "/" (checked wherever they are read).
		const [userId, deviceId] = key.split('/');
		const user = byId.get(userId);
		const reason =
			goneReason(userId, user, deviceId) ??
			'no longer among the agents this run selects (Agents): set it with Update SIP Password and the same Rotation ID';
		await run.noteNotSet(context, itemIndex, { userId, deviceId, user }, rotationId, reason);
	}
}
