import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { mapInOrder } from '../../helpers/mapInOrder';
import {
	exotelPolicyProblems,
	nodeRuleProblems,
	PASSWORD_RULES_HINT,
} from '../../helpers/passwordPolicy';
import { runsAsTool } from '../../helpers/runsAsTool';
import { ItemInput } from '../../helpers/validation';
import {
	DEVICE_DESCRIPTION,
	describeDevice,
	deviceLocator,
	LEAVE_EMPTY_HINT,
	readDevice,
} from '../common/device';
import { modelFilled } from '../common/modelFilled';
import {
	PASSWORD_WITHHELD,
	passwordLengthField,
	readGeneratedChoice,
	rotationIdField,
	whenToSetField,
} from '../common/password';
import {
	agentFields,
	findUnlessGone,
	goneReason,
	goneSince,
	PasswordRun,
	type Agent,
	type PasswordChoice,
} from '../common/passwordRun';
import { devicesOf, type UserRef } from '../../../shared/userDirectory';
import type { Execution, ItemScope } from '../router';
import { onlySipDevice, readUser, userLocators } from '../common/user';
import { inVersions } from '../versions';

/**
 * Create or update a user's SIP password.
 * PUT /v2/accounts/{sid}/users/{user_id}/devices/{device_id}/password  {"password": "…"}
 * The user must have a SIP device. Exotel answers with its envelope; passwords are
 * write-only and never come back.
 */
const passwordModes: INodeProperties = {
	displayName: 'Password',
	name: 'passwordMode',
	type: 'options',
	options: [
		{
			name: 'Enter a Password',
			value: 'manual',
			description: 'Use the password given below, best as an expression from a previous node',
		},
		{
			name: 'Generate a Password',
			value: 'generate',
			description: 'Create a strong random password and output it as sipPassword',
		},
	],
	default: 'generate',
	description: 'Whether to generate the new password or take the one given below',
};

const properties: INodeProperties[] = [
	...userLocators(),
	inVersions([1], {
		displayName: 'Device ID',
		name: 'deviceId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 101',
		description: `${DEVICE_DESCRIPTION}. Leave empty to use the user’s only SIP device.`,
		hint: LEAVE_EMPTY_HINT,
	}),
	...modelFilled(
		inVersions([2], deviceLocator(true)),
		'Device',
		'The id of the user’s SIP device, a whole number such as 101. An empty string uses the user’s only SIP device, which is almost always right.',
	),
	// Version 1 entered a password by default; version 2 generates one, so nothing secret need be typed into the workflow.
	inVersions([1], { ...passwordModes, default: 'manual' }),
	inVersions([2], passwordModes),
	{
		displayName:
			'A password typed into New SIP Password is saved in the workflow in clear text, in every saved version. Use Generate a Password, or an expression that takes it from a previous node, e.g. {{ $json.password }}.',
		name: 'typedPasswordNotice',
		type: 'notice',
		default: '',
		// As a tool the model fills the password in at run time: nothing typed is saved.
		displayOptions: { show: { passwordMode: ['manual'] }, hide: { '@tool': [true] } },
	},
	...modelFilled(
		{
			displayName: 'New SIP Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The new SIP password: at least 8 characters using at least 3 of lower case, upper case, digits and special characters, with no space at either end, e.g. Blue-Kite-42',
			hint: PASSWORD_RULES_HINT,
			displayOptions: { show: { passwordMode: ['manual'] } },
		},
		'New_SIP_Password',
		'The new SIP password the user chose: at least 8 characters using at least 3 of lower case, upper case, digits and special characters, with no space at either end, e.g. Blue-Kite-42. Use the one the user gave; never make one up.',
	),
	// Version 2 shows the generated password's fields whatever Password is: n8n's editor drops the
	// value of a field it hides, so a field tied to the mode was reset by switching it and back.
	...[1, 2].map((version) =>
		inVersions([version], {
			...passwordLengthField({
				show: version === 1 ? { passwordMode: ['generate'] } : {},
				hide: { '@tool': [true] },
			}),
			hint: `${passwordLengthField().hint}${version === 2 ? ', with Generate a Password' : ''}. The new password is output as sipPassword for the next node to deliver; n8n keeps it in the execution data, so deliver it at once.`,
		}),
	),
	// As an AI tool the password is withheld from the model unless the author says otherwise: the hint says so.
	...[1, 2].map((version) =>
		inVersions([version], {
			...passwordLengthField({
				show: { ...(version === 1 ? { passwordMode: ['generate'] } : {}), '@tool': [true] },
			}),
			hint: `${passwordLengthField().hint}${version === 2 ? ', with Generate a Password' : ''}. The tool sets it and withholds it from the AI model unless Return Password to the AI Model is on.`,
		}),
	),
	inVersions([2], rotationIdField('')),
	inVersions([2], whenToSetField()),
	{
		displayName: 'Return Password to the AI Model',
		name: 'returnPasswordToModel',
		type: 'boolean',
		default: false,
		// The author decides, never the model: no "let the model define this" button.
		noDataExpression: true,
		description:
			'Whether the tool’s answer to the AI model includes the generated password (sipPassword). Off: the password is set and withheld from the model, so it never reaches the model’s provider or the chat; the user must get it another way.',
		displayOptions: { show: { passwordMode: ['generate'], '@tool': [true] } },
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['updateSipPassword'] } },
	properties,
);

/** What one item will do, found before anything is sent. */
interface Plan {
	agent: Agent;
	password: string;
	generated: boolean;
	rotationId: string;
	/** When to Set: Later — output only, write nothing. */
	later: boolean;
	/** The Rotation ID had started before this node run: a user or device gone since is the item's outcome, not a stop. */
	started: boolean;
	/** Why the password is not set (the user or device is gone since the rotation started). */
	notSet?: string;
}

/** The item's fields, checked: every broken rule is reported at once, before any request. */
function readItem(
	context: IExecuteFunctions,
	itemIndex: number,
): { user: UserRef; deviceId?: string; choice: PasswordChoice } {
	const input = new ItemInput(context, itemIndex);
	const user = readUser(context, itemIndex, input);
	const deviceId = readDevice(context, itemIndex, input);
	let choice: PasswordChoice;
	if (context.getNodeParameter('passwordMode', itemIndex, 'manual') === 'generate') {
		choice = readGeneratedChoice(context, itemIndex, input);
	} else {
		if (context.getNodeParameter('whenToSet', itemIndex, 'now') === 'later') {
			input.check('whenToSet', 'When to Set', [
				'is Later, which needs Password: Generate a Password (a typed password is never output)',
			]);
		}
		const given = context.getNodeParameter('password', itemIndex, '');
		if (typeof given !== 'string') {
			input.check('password', 'New SIP Password', [`must be text, got ${typeof given}`]);
		} else {
			const exotel = exotelPolicyProblems(given);
			const own = nodeRuleProblems(given);
			input.check('password', 'New SIP Password', [
				...(exotel.length ? [`breaks Exotel’s password policy: ${exotel.join('; ')}`] : []),
				...(own.length ? [`breaks this node’s own rule: ${own.join('; ')}`] : []),
			]);
		}
		choice = { mode: 'manual', password: typeof given === 'string' ? given : '' };
	}
	input.done();
	return { user, deviceId, choice };
}

/** The given device, checked against the user's devices as Exotel lists them. */
function checkDevice(
	context: IExecuteFunctions,
	itemIndex: number,
	user: IDataObject,
	deviceId: string,
): IDataObject | undefined {
	// Without the user's devices in the answer there is nothing to check against: Exotel will say.
	if (!Array.isArray(user.devices)) return undefined;
	const devices = devicesOf(user);
	const device = devices.find((d) => String(d.id) === deviceId);
	const userId = String(user.id);
	if (!device) {
		throw new NodeOperationError(
			context.getNode(),
			`Device ${deviceId} is not one of user ${userId}’s devices (devices: ${devices.map(describeDevice).join(', ') || 'none'})`,
			{
				itemIndex,
				description:
					'Nothing was changed. Often the device was picked for another user — before User changed, or while User is an expression that names another user in each run: pick the device again, or leave Device empty for the user’s only SIP device.',
			},
		);
	}
	if (device.type !== 'sip') {
		throw new NodeOperationError(
			context.getNode(),
			`Device ${describeDevice(device)} of user ${userId} is not a SIP device`,
			{
				itemIndex,
				description:
					'A SIP password can only be set on a SIP device. Nothing was changed: pick the user’s SIP device, or leave Device empty to use it.',
			},
		);
	}
	return device;
}

/**
 * Finds the user and the device and chooses the password. `thorough` (the pre-flight check of a
 * run that stops on the first error) always reads the user, so a wrong id or a device that is not
 * theirs stops the run before any password changes; otherwise a user given by ID with a device ID
 * is sent as it is, as before. Once the Rotation ID has started (a prepare step, a failed run), a
 * user or SIP device gone since makes a plan that sets nothing (`notSet`) instead of a stop.
 */
async function planItem(
	{ context, itemIndex, users, run }: ItemScope<PasswordRun, Plan>,
	thorough: boolean,
): Promise<Plan> {
	const { user, deviceId, choice } = readItem(context, itemIndex);
	await run.requireKey(context, itemIndex, choice);
	const rotationId = choice.mode === 'generate' ? choice.rotationId : '';
	const later = choice.mode === 'generate' && choice.later;
	const started = await run.rotationStarted(context, itemIndex, choice);
	const notSet = (gone: Agent, reason: string): Plan => ({
		agent: gone,
		password: '',
		generated: true,
		rotationId,
		later,
		started,
		notSet: reason,
	});
	let agent: Agent;
	if (deviceId !== undefined && !thorough) {
		const found =
			user.by === 'id' ? user.id : (await findUnlessGone(users, itemIndex, user, started))?.id;
		if (found === undefined)
			return notSet(missing(user, deviceId), goneReason(user, undefined, deviceId) ?? '');
		agent = { userId: String(found), deviceId };
	} else {
		const found = await findUnlessGone(users, itemIndex, user, started);
		if (!found) return notSet(missing(user, deviceId), goneReason(user, undefined, deviceId) ?? '');
		const gone = started ? goneReason(user, found, deviceId) : undefined;
		if (gone !== undefined)
			return notSet({ userId: String(found.id), deviceId: deviceId ?? '', user: found }, gone);
		const device =
			deviceId !== undefined
				? checkDevice(context, itemIndex, found, deviceId)
				: onlySipDevice.call(context, itemIndex, found);
		agent = {
			userId: String(found.id),
			deviceId: deviceId ?? String(device?.id),
			user: found,
			device,
		};
	}
	const password = await run.choose(context, itemIndex, agent, choice);
	// A reset meant to change a password must change it: a Rotation ID already done is told now.
	await run.refuseCompleted(context, itemIndex, agent, rotationId);
	return { agent, password, generated: choice.mode === 'generate', rotationId, later, started };
}

/** A user Exotel no longer has, as the item named them. */
function missing(user: UserRef, deviceId: string | undefined): Agent {
	return user.by === 'id'
		? { userId: user.id, deviceId: deviceId ?? '' }
		: { userId: '', deviceId: deviceId ?? '', user: { email: user.email } };
}

/**
 * The pre-flight check of a run that stops on the first error: every item is read, checked and
 * resolved — user, SIP device, the device being the user's, the password — before the first
 * password changes. The first item (by position) with a problem stops the run.
 */
export async function prepare(
	execution: Execution & { run: PasswordRun },
	itemIndexes: number[],
): Promise<Map<number, Plan>> {
	const { context, users, run, concurrency } = execution;
	const read = itemIndexes.map((itemIndex) => readItem(context, itemIndex));
	// A Rotation ID without a usable SIP Password Key stops the run before any request, reads included.
	for (const [position, { choice }] of read.entries())
		await run.requireKey(context, itemIndexes[position], choice);
	// Every item's user is read for the check: one listing of the account when that is fewer requests.
	const refs = read.map(({ user }) => user);
	if (itemIndexes.length > 0) await users.prefetch(itemIndexes[0], refs);
	const planned = await mapInOrder(
		itemIndexes.length,
		concurrency,
		async (position) =>
			await planItem({ ...execution, itemIndex: itemIndexes[position] }, true).then(
				(plan) => ({ plan }),
				(error: unknown) => ({ error }),
			),
		(result) => 'error' in result,
	);
	const plans = new Map<number, Plan>();
	for (const [position, result] of planned.entries()) {
		if (result && 'error' in result) throw result.error;
		if (result) plans.set(itemIndexes[position], result.plan);
	}
	return plans;
}

/**
 * A device picked from the list belongs to the user shown while picking. With User set by an
 * expression every run may be another user, yet the picked device stays: say so once per run.
 */
function warnFixedDevice(context: IExecuteFunctions): void {
	const { userId, deviceId } = context.getNode().parameters as {
		userId?: { value?: unknown };
		deviceId?: { mode?: unknown; value?: unknown };
	};
	const userIsExpression = typeof userId?.value === 'string' && userId.value.startsWith('=');
	const devicePicked =
		deviceId?.mode === 'list' &&
		typeof deviceId.value === 'string' &&
		deviceId.value !== '' &&
		!deviceId.value.startsWith('=');
	if (!userIsExpression || !devicePicked || typeof context.addExecutionHints !== 'function') return;
	context.addExecutionHints({
		message: `Device ${String(deviceId?.value)} was picked from the list, but User is an expression: every item uses that one device, whichever user it names. Leave Device empty to use each user’s only SIP device.`,
		type: 'warning',
		location: 'outputPane',
	});
}

export const start = (): PasswordRun => new PasswordRun();

export async function execute(item: ItemScope<PasswordRun, Plan>): Promise<IDataObject> {
	const { context, itemIndex, client, users, run } = item;
	if (itemIndex === 0) warnFixedDevice(context);
	const plan = item.plan ?? (await planItem(item, false));
	const { agent, password, generated } = plan;
	if (plan.notSet !== undefined)
		return await run.notSetItem(context, itemIndex, agent, plan.rotationId, plan.notSet);
	// As an AI Agent tool, the output goes to the model (and its provider): only if the author says so.
	const withheld =
		generated &&
		runsAsTool(context.getNode().type) &&
		context.getNodeParameter('returnPasswordToModel', itemIndex, false) !== true;
	// Only a password the node made up is output: the user asked for it, and nobody else knows it.
	const passwordFields: IDataObject = !generated
		? {}
		: withheld
			? { passwordReturned: false, note: PASSWORD_WITHHELD }
			: { sipPassword: password };
	if (generated && !withheld) run.generatedOutput = true;
	if (plan.rotationId)
		Object.assign(passwordFields, { rotation_id: plan.rotationId, key_id: run.keyId });
	if (plan.later) return { ...agentFields(agent), ...passwordFields, password_set: false };
	const written = await run.set(client, itemIndex, agent, password, passwordFields).then(
		(envelope) => ({ envelope }),
		(error: unknown) => ({ error }),
	);
	if ('error' in written) {
		// Deleted or changed between the check (or the prepare step) and this write.
		const gone = plan.started ? await goneSince(users, itemIndex, agent, written.error) : undefined;
		if (gone === undefined) throw written.error;
		return await run.notSetItem(context, itemIndex, gone.agent, plan.rotationId, gone.reason);
	}
	return { ...written.envelope, ...agentFields(agent), ...passwordFields, password_set: true };
}
