/**
 * Setting SIP passwords without locking an agent out, shared by Update SIP Password and Rotate
 * SIP Passwords. One `PasswordRun` lives for one execution of the node (their `start` hook):
 *
 * - one password per device per run: the same agent twice gets the password of the first
 *   copy, and it is set once; two different typed passwords for one device are refused before
 *   anything is sent;
 * - generated passwords are derived from the Rotation ID and the credential's SIP Password Key
 *   when a Rotation ID is given (see helpers/derivedPassword.ts), so a repeated run sets and
 *   hands on the same ones; the workflow remembers which devices a Rotation ID already set
 *   (helpers/rotationMemory.ts), so a reused one is told before anything is sent;
 * - it keeps who was changed, and who may have been (an answer lost after the retries), so a
 *   run that stops half-way can say which agents have a password nobody received;
 * - once a Rotation ID has started (a prepare step, a failed run), an agent whose user or SIP
 *   device is gone since is not a stop: the item says so (`password_set: false`,
 *   `not_set_reason`), a warning names the agent, and the others are set — a set step or a
 *   re-run never dead-ends on one deleted user.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { derivationKey, deriveSipPassword } from '../../helpers/derivedPassword';
import { generateSipPassword } from '../../helpers/passwordGenerator';
import { keyId, PASSWORD_KEY_COMMAND, passwordKeyProblems } from '../../../shared/passwordKey';
import { describeTime, RotationMemory } from '../../helpers/rotationMemory';
import { ExotelError, type ExotelClient } from '../../../shared/transport/client';
import { CREDENTIAL_TYPE } from '../../../shared/transport/send';
import { DEVICE_NOT_FOUND_HINTS, describeDevice } from './device';
import { rotationMemoryHome } from './rotationMemoryHome';
import { devicesOf, type UserDirectory, type UserRef } from '../../../shared/userDirectory';
import type { RunState, WithItemFields } from '../router';

/** One agent's SIP device, with what Exotel told us about the user and the device when we looked. */
export interface Agent {
	userId: string;
	deviceId: string;
	user?: IDataObject;
	device?: IDataObject;
}

export type PasswordChoice =
	| { mode: 'manual'; password: string }
	/** `later`: prepare only — check and output the password, write nothing (When to Set). */
	| { mode: 'generate'; length: number; rotationId: string; later: boolean };

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** What an output item says about the agent, so the next node can address and greet them. */
export function agentFields(agent: Agent): IDataObject {
	const user = agent.user ?? {};
	const device = agent.device ?? {};
	// A password is set on a SIP device only; other operations pass the device they acted on.
	const fields: IDataObject = {
		user_id: agent.userId,
		device_id: agent.deviceId,
		device_type: text(device.type) ?? 'sip',
	};
	for (const name of ['first_name', 'last_name', 'email'] as const) {
		const value = text(user[name]);
		if (value !== undefined) fields[name] = value;
	}
	const contactUri = text(device.contact_uri);
	if (contactUri !== undefined) {
		fields.contact_uri = contactUri;
		// What the agent types into the softphone: the URI without its scheme.
		if (/^sips?:/i.test(contactUri)) fields.sip_username = contactUri.replace(/^sips?:/i, '');
	}
	return fields;
}

/** An agent as a stop error's `context.passwordRun` lists them: who, never a password. */
function agentRecord(agent: Agent): IDataObject {
	const fields = agentFields(agent);
	delete fields.device_type;
	return fields;
}

/** `Asha Rao <asha.rao@example.com> (user a3f1…, device 101)`: never a password. */
export function describeAgent(agent: Agent): string {
	const user = agent.user ?? {};
	const name = [text(user.first_name), text(user.last_name)].filter(Boolean).join(' ');
	const email = text(user.email);
	const who = [name, email ? `<${email}>` : ''].filter(Boolean).join(' ');
	const ids = [
		agent.userId ? `user ${agent.userId}` : '',
		agent.deviceId ? `device ${agent.deviceId}` : '',
	]
		.filter(Boolean)
		.join(', ');
	return who && ids ? `${who} (${ids})` : who || ids;
}

const deviceKey = (agent: Pick<Agent, 'userId' | 'deviceId'>) =>
	`${agent.userId}/${agent.deviceId}`;

/** Whether the error is Exotel saying the user does not exist (by ID: a 404; by email: nobody has it). */
function userNotFound(error: unknown, user: UserRef): boolean {
	if (user.by === 'id') return error instanceof ExotelError && String(error.httpCode) === '404';
	return (
		error instanceof NodeOperationError && error.message.startsWith('No Exotel user has the email')
	);
}

/** The user, or undefined when `started` and Exotel no longer has them. */
export async function findUnlessGone(
	users: UserDirectory,
	itemIndex: number,
	user: UserRef,
	started: boolean,
): Promise<IDataObject | undefined> {
	return await users.find(itemIndex, user).catch((error: unknown) => {
		if (started && userNotFound(error, user)) return undefined;
		throw error;
	});
}

/**
 * After a write Exotel refused as not found or invalid, in a started rotation: what changed
 * since (a fresh read of the user), or undefined when the user and SIP device are still there.
 */
export async function goneSince(
	users: UserDirectory,
	itemIndex: number,
	agent: Agent,
	error: unknown,
): Promise<{ reason: string; agent: Agent } | undefined> {
	if (
		!(error instanceof ExotelError) ||
		error.outcomeUnknown ||
		!['400', '404'].includes(String(error.httpCode))
	)
		return undefined;
	users.forget(agent.userId);
	// A read that fails for another reason says nothing: the write's own error stands.
	const fresh = await findUnlessGone(users, itemIndex, { by: 'id', id: agent.userId }, true).catch(
		() => null,
	);
	const reason = fresh === null ? undefined : goneReason(agent.userId, fresh, agent.deviceId);
	// The fresh read says who the agent is (name, email) when only ids were given.
	return reason === undefined
		? undefined
		: {
				reason,
				agent: { userId: agent.userId, deviceId: agent.deviceId, user: fresh ?? agent.user },
			};
}

/** At most this many agents are named in one error; the rest are counted. */
const NAMED_IN_ERROR = 50;

/**
 * What changed in Exotel so that this agent's password cannot be set — the user (as the item
 * gave them) is gone, the device is gone or no longer SIP — from a read of the user (undefined:
 * not found); or
 * undefined when nothing of the kind changed. `deviceId` undefined: the user's only SIP device.
 */
export function goneReason(
	given: string | UserRef,
	user: IDataObject | undefined,
	deviceId: string | undefined,
): string | undefined {
	const ref: UserRef = typeof given === 'string' ? { by: 'id', id: given } : given;
	if (user === undefined)
		return ref.by === 'id'
			? `user ${ref.id} no longer exists in Exotel`
			: `no Exotel user has the email ${ref.email} now`;
	const userId = String(user.id);
	if (!Array.isArray(user.devices)) return undefined;
	const devices = devicesOf(user);
	if (deviceId === undefined)
		return devices.some((d) => d.type === 'sip')
			? undefined
			: `user ${userId} has no SIP device now`;
	const device = devices.find((d) => String(d.id) === deviceId);
	if (!device)
		return `device ${deviceId} is no longer one of user ${userId}’s devices (devices: ${devices.map(describeDevice).join(', ') || 'none'})`;
	if (device.type !== 'sip')
		return `device ${describeDevice(device)} of user ${userId} is no longer a SIP device`;
	return undefined;
}

export class PasswordRun implements RunState {
	private readonly chosen = new Map<
		string,
		{
			password: string;
			itemIndex: number;
			mode: PasswordChoice['mode'];
			rotationId?: string;
			length?: number;
		}
	>();

	private readonly writes = new Map<string, Promise<IDataObject>>();

	private readonly changed = new Map<string, Agent>();

	private readonly possiblySet = new Map<string, Agent>();

	private keyRead?: Promise<{ key?: Buffer; keyId?: string; problem?: string; accountSid: string }>;

	private memoryRead?: RotationMemory;

	private listing?: Promise<IDataObject[]>;

	/** Devices already handed to an output item of this run (Rotate: one agent, one output). */
	private readonly claimed = new Map<string, number>();

	private rotationIds = new Set<string>();

	/** The account of this run's derived passwords (for the memory, once a Rotation ID was used). */
	private accountSid?: string;

	/** Agents of a started rotation that could not be set because Exotel changed: named in a warning. */
	private readonly notSet = new Map<
		string,
		{ agent: Agent; rotationId: string; reason: string; changedAt?: number }
	>();

	/** The key id of this run's derived passwords, once a Rotation ID was used. */
	keyId?: string;

	/** Whether this run output a generated password (for the execution-history hint). */
	generatedOutput = false;

	/**
	 * The password this device gets in this run. The first item to ask decides it; later copies
	 * of the same device get the same one. Two items typing different passwords for one device
	 * are refused, naming both, before anything is sent.
	 */
	async choose(
		context: IExecuteFunctions,
		itemIndex: number,
		agent: Agent,
		choice: PasswordChoice,
	): Promise<string> {
		const key = deviceKey(agent);
		const earlier = this.chosen.get(key);
		if (
			earlier &&
			choice.mode === 'manual' &&
			earlier.mode === 'manual' &&
			earlier.password !== choice.password &&
			earlier.itemIndex !== itemIndex
		) {
			throw new NodeOperationError(
				context.getNode(),
				`Items ${earlier.itemIndex + 1} and ${itemIndex + 1} set different SIP passwords on the same device (${describeAgent(agent)})`,
				{
					itemIndex,
					description:
						'Exotel keeps only the last password set, so one of the two would be handed on but not work. Nothing was sent for this item: give each device one password per run.',
				},
			);
		}
		if (earlier && (choice.mode === 'generate' || earlier.password === choice.password))
			return earlier.password;

		let password: string;
		if (choice.mode === 'manual') {
			password = choice.password;
		} else if (choice.rotationId !== '') {
			const { key: secret, accountSid } = await this.startRotation(
				context,
				itemIndex,
				choice.rotationId,
				choice.length,
			);
			password = deriveSipPassword(secret, {
				rotationId: choice.rotationId,
				accountSid,
				userId: agent.userId,
				deviceId: agent.deviceId,
				length: choice.length,
			});
		} else {
			password = generateSipPassword(choice.length);
		}
		// Another copy may have chosen while this one read the credential: the first one stands.
		const settled = this.chosen.get(key);
		if (settled) return settled.password;
		this.chosen.set(key, {
			password,
			itemIndex,
			mode: choice.mode,
			...(choice.mode === 'generate' && choice.rotationId !== ''
				? { rotationId: choice.rotationId, length: choice.length }
				: {}),
		});
		return password;
	}

	/**
	 * When a finished run of this workflow set this device's password for this Rotation ID (the
	 * workflow's memory), or undefined. Checked before anything is sent.
	 */
	async completedAt(
		context: IExecuteFunctions,
		itemIndex: number,
		agent: Agent,
		rotationId: string,
	): Promise<number | undefined> {
		if (rotationId === '') return undefined;
		const { accountSid } = await this.credential(context, itemIndex);
		return this.memory(context).doneAt(accountSid, rotationId, agent.userId, agent.deviceId);
	}

	/** Refuses an agent whose password this Rotation ID already set in a finished run: reusing it would change nothing. */
	async refuseCompleted(
		context: IExecuteFunctions,
		itemIndex: number,
		agent: Agent,
		rotationId: string,
	): Promise<void> {
		const at = await this.completedAt(context, itemIndex, agent, rotationId);
		if (at === undefined) return;
		throw new NodeOperationError(
			context.getNode(),
			`Rotation ID ${rotationId} already changed the SIP password of ${describeAgent(agent)} on ${describeTime(at)}`,
			{
				itemIndex,
				description:
					'Nothing was sent: the same Rotation ID gives the same password, so setting it again would change nothing. A new Rotation ID gives a new password (after a leak, use a new one, e.g. the new ticket’s ID). To hand on the password already set, deliver it from that run.',
			},
		);
	}

	/**
	 * Whether a gone user or device is this item's `not_set_reason` rather than a stop: the
	 * password is derived and its Rotation ID had started before this node run (its prepare
	 * step, or the failed run this one repeats). A fresh Rotation ID still stops, before any write.
	 */
	async rotationStarted(
		context: IExecuteFunctions,
		itemIndex: number,
		choice: PasswordChoice,
	): Promise<boolean> {
		if (choice.mode !== 'generate' || choice.rotationId === '') return false;
		const { accountSid } = await this.credential(context, itemIndex);
		return this.memory(context).startedBefore(accountSid, choice.rotationId);
	}

	/** The devices a stopped run of this Rotation ID changed and no finished run has set since (`user/device` → when). */
	async changedByStoppedRun(
		context: IExecuteFunctions,
		itemIndex: number,
		rotationId: string,
	): Promise<Record<string, number>> {
		const { accountSid } = await this.credential(context, itemIndex);
		return this.memory(context).changedNotDone(accountSid, rotationId);
	}

	/**
	 * An agent of a started rotation whose password is not set because Exotel changed (`reason`):
	 * kept for the run's warning; returns what the item outputs — who, never a password.
	 */
	async notSetItem(
		context: IExecuteFunctions,
		itemIndex: number,
		agent: Agent,
		rotationId: string,
		reason: string,
	): Promise<IDataObject> {
		const named = await this.noteNotSet(context, itemIndex, agent, rotationId, reason);
		const { keyId: id } = await this.credential(context, itemIndex);
		const fields = agentFields(named);
		if (!named.device) delete fields.device_type; // not known: the device may be gone
		for (const name of ['user_id', 'device_id']) if (fields[name] === '') delete fields[name];
		return {
			...fields,
			rotation_id: rotationId,
			key_id: id,
			password_set: false,
			not_set_reason: reason,
		};
	}

	/** Keeps an agent of a started rotation that is not set, for the run's warning (Rotate outputs no item for it). */
	async noteNotSet(
		context: IExecuteFunctions,
		itemIndex: number,
		agent: Agent,
		rotationId: string,
		reason: string,
	): Promise<Agent> {
		const changed = await this.changedByStoppedRun(context, itemIndex, rotationId);
		// A device left empty (the user's only SIP device): the one a stopped run changed, if any.
		const known =
			agent.deviceId === '' && agent.userId !== ''
				? Object.keys(changed).find((key) => key.startsWith(`${agent.userId}/`))
				: undefined;
		const named = known ? { ...agent, deviceId: known.slice(agent.userId.length + 1) } : agent;
		this.notSet.set(deviceKey(named), {
			agent: named,
			rotationId,
			reason,
			changedAt: changed[deviceKey(named)],
		});
		return named;
	}

	/** The account's users with their devices, read once per run (every Rotate item of the run shares it). */
	async accountUsers(client: ExotelClient, itemIndex: number): Promise<IDataObject[]> {
		this.listing ??= client.requestAllPages(itemIndex, {
			path: ['users'],
			qs: { fields: 'devices' },
		});
		return await this.listing;
	}

	/**
	 * Claims the agent for this item's output: true the first time in this run, false when
	 * another item already has it (several input items never output one agent twice).
	 */
	claim(itemIndex: number, agent: Agent): boolean {
		const key = deviceKey(agent);
		const owner = this.claimed.get(key);
		if (owner !== undefined && owner !== itemIndex) return false;
		this.claimed.set(key, itemIndex);
		return true;
	}

	/**
	 * Sets the device's password (PUT …/password), once per device per run: a copy that comes
	 * later waits for the first and shares its answer, or — if the first failed — tries itself.
	 * Retries are the client's (the request is idempotent: the same password twice is harmless).
	 * `passwordFields` (the password as the item outputs it, if at all) go on the error item of a
	 * write whose outcome is unknown.
	 */
	async set(
		client: ExotelClient,
		itemIndex: number,
		agent: Agent,
		password: string,
		passwordFields: IDataObject = {},
	): Promise<IDataObject> {
		const key = deviceKey(agent);
		const earlier = this.writes.get(key);
		if (earlier) {
			try {
				return await earlier;
			} catch {
				// the first copy failed: this one asks Exotel itself
			}
		}
		const write = client
			.request(itemIndex, {
				method: 'PUT',
				path: ['users', agent.userId, 'devices', agent.deviceId, 'password'],
				body: { password },
				secrets: [password],
				idempotent: true,
				hints: { codes: DEVICE_NOT_FOUND_HINTS },
			})
			.then(
				(envelope) => {
					this.possiblySet.delete(key);
					this.changed.set(key, agent);
					return envelope;
				},
				(error: unknown) => {
					if (error instanceof ExotelError && error.outcomeUnknown) {
						this.possiblySet.set(key, agent);
						// Exotel may hold the new password: the item still carries it (Continue On
						// Fail), marked, so the next node can hand it on.
						(error as WithItemFields).itemFields = {
							...agentFields(agent),
							...passwordFields,
							passwordPossiblySet: true,
						};
					}
					if (this.writes.get(key) === write) this.writes.delete(key);
					throw error;
				},
			);
		this.writes.set(key, write);
		return await write;
	}

	/**
	 * The end of a node run that finished (no stop): the devices whose derived password it set
	 * are remembered as done for their Rotation ID, and the hints a builder needs are added.
	 */
	async finish(context: IExecuteFunctions): Promise<void> {
		const done = [...this.changed.entries()].flatMap(([key, agent]) => {
			const chosen = this.chosen.get(key);
			return chosen?.rotationId !== undefined && chosen.length !== undefined
				? [{ agent, rotationId: chosen.rotationId, length: chosen.length }]
				: [];
		});
		if (done.length > 0) {
			const { accountSid } = await this.credential(context, 0);
			this.memory(context).markDone(
				done.map(({ agent, rotationId, length }) => ({
					account: accountSid,
					rotationId,
					userId: agent.userId,
					deviceId: agent.deviceId,
					keyId: this.keyId ?? '',
					length,
				})),
			);
		}
		if (typeof context.addExecutionHints !== 'function') return;
		if (this.notSet.size > 0) {
			const entries = [...this.notSet.values()];
			const named = entries
				.slice(0, NAMED_IN_ERROR)
				.map(
					({ agent, rotationId, reason, changedAt }) =>
						`${describeAgent(agent)}: ${reason}${changedAt !== undefined ? ` (a stopped run of Rotation ID ${rotationId} changed this password on ${describeTime(changedAt)})` : ''}`,
				)
				.join('; ');
			const more =
				entries.length > NAMED_IN_ERROR ? `; and ${entries.length - NAMED_IN_ERROR} more` : '';
			context.addExecutionHints({
				message: `Not set, ${entries.length} agent${entries.length === 1 ? '' : 's'} changed in Exotel since the rotation started — ${named}${more}. The other agents were set. Nobody can sign in with a password of a deleted user or device; when the agent has a SIP device again, give them a new password with a new Rotation ID.`,
				type: 'warning',
				location: 'outputPane',
			});
		}
		if (done.length > 0 && this.memoryKeptBy.length > 0 && context.getMode() !== 'manual') {
			context.addExecutionHints({
				message: `Not remembered after this execution: this workflow starts with ${this.memoryKeptBy.map((name) => `“${name}”`).join(', ')}, which keeps its own state in the workflow’s static data, so ${this.describeRotationIds()} is not stored there (in queue mode n8n would overwrite one with the other). To have a reused Rotation ID refused, run the password steps as a sub-workflow (Execute Workflow).`,
				type: 'info',
				location: 'outputPane',
			});
		}
		if (this.rotationIds.size > 0 && context.getMode() === 'manual') {
			context.addExecutionHints({
				message: `This is a manual run: n8n does not save what the workflow remembers, so a later run will not know that ${this.describeRotationIds()} ${done.length > 0 ? 'set these passwords' : 'was used'}. Production runs (a trigger, a webhook, Execute Workflow) remember it and refuse to reuse a completed Rotation ID.`,
				type: 'info',
				location: 'outputPane',
			});
		}
		if (this.generatedOutput) {
			const saving = savedExecutionSettings(context);
			if (saving.length > 0) {
				context.addExecutionHints({
					message: `Generated SIP passwords are in this node’s output, and this workflow saves executions, so n8n keeps them in its execution history. Turn off in the workflow’s settings (… → Settings): ${saving.join(', ')}.`,
					type: 'warning',
					location: 'outputPane',
				});
			}
		}
	}

	/**
	 * When the run stops on an error after passwords changed: the error says who has a new
	 * password that was not handed on, and the one thing to do; its `context.passwordRun` lists
	 * them for a recovery workflow. Nothing to add when no password was chosen.
	 */
	amendStopError(error: Error & { description?: string | null; context?: IDataObject }): void {
		const changed = [...this.changed.values()];
		const maybe = [...this.possiblySet.values()];
		this.rememberChanged([...changed, ...maybe]);
		if (this.chosen.size > 0 || changed.length > 0 || maybe.length > 0) {
			error.context = {
				...(error.context ?? {}),
				passwordRun: {
					rotation_ids: [...this.rotationIds],
					key_id: this.keyId ?? null,
					changed: changed.map(agentRecord),
					possibly_changed: maybe.map(agentRecord),
				},
			};
		}
		if (changed.length === 0 && maybe.length === 0) return;
		const count = (n: number) => `${n} agent${n === 1 ? '' : 's'}`;
		const list = (agents: Agent[]) =>
			agents.slice(0, NAMED_IN_ERROR).map(describeAgent).join('; ') +
			(agents.length > NAMED_IN_ERROR ? `; and ${agents.length - NAMED_IN_ERROR} more` : '');
		const parts = [
			changed.length
				? `${count(changed.length)} already ${changed.length === 1 ? 'has' : 'have'} a new SIP password`
				: '',
			maybe.length ? `${count(maybe.length)} may have one` : '',
		]
			.filter(Boolean)
			.join(' and ');
		error.message = `${error.message} — ${parts}, not handed on`;
		const rotation = this.rotationIds.size
			? ` with the same Rotation ${this.rotationIds.size === 1 ? 'ID' : 'IDs'} (${[...this.rotationIds].join(', ')}) and the same SIP Password Key (key id ${this.keyId ?? '?'})`
			: '';
		const again = this.rotationIds.size
			? 'It sets the same passwords again and hands them on, and the agents not reached yet get theirs.'
			: 'It sets every password again and hands the new ones on.';
		error.description = [
			error.description ?? '',
			changed.length
				? `Changed in this run, password not passed to the next node: ${list(changed)}.`
				: '',
			maybe.length ? `Possibly changed (Exotel’s answer was lost): ${list(maybe)}.` : '',
			this.notSet.size
				? `Not set, gone from Exotel since the rotation started: ${[...this.notSet.values()].map(({ agent, reason }) => `${describeAgent(agent)}: ${reason}`).join('; ')}.`
				: '',
			`What to do now: run the workflow again${rotation}. ${again}`,
		]
			.filter(Boolean)
			.join('\n\n');
	}

	/** A stopping run's changed agents, in the memory of their Rotation ID: the re-run names them even if it cannot reach them. */
	private rememberChanged(agents: Agent[]): void {
		if (!this.memoryRead || this.accountSid === undefined) return;
		const account = this.accountSid;
		this.memoryRead.markChanged(
			agents.flatMap((agent) => {
				const rotationId = this.chosen.get(deviceKey(agent))?.rotationId;
				return rotationId === undefined
					? []
					: [{ account, rotationId, userId: agent.userId, deviceId: agent.deviceId }];
			}),
		);
	}

	private describeRotationIds(): string {
		const ids = [...this.rotationIds];
		return ids.length === 1 ? `Rotation ID ${ids[0]}` : `Rotation IDs ${ids.join(', ')}`;
	}

	private memory(context: IExecuteFunctions): RotationMemory {
		if (!this.memoryRead) {
			const home = rotationMemoryHome(context);
			this.memoryKeptBy = home.keptBy;
			this.memoryRead = new RotationMemory(home.staticData);
		}
		return this.memoryRead;
	}

	/** The triggers that keep the Rotation ID memory to this execution (rotationMemoryHome.ts). */
	private memoryKeptBy: string[] = [];

	/** The credential's key (checked) and account: read once per run (n8n decrypts on every read). */
	private async credential(
		context: IExecuteFunctions,
		itemIndex: number,
	): Promise<{ key?: Buffer; keyId?: string; problem?: string; accountSid: string }> {
		this.keyRead ??= context.getCredentials(CREDENTIAL_TYPE, itemIndex).then((credential) => {
			const accountSid =
				typeof credential.accountSid === 'string' ? credential.accountSid.trim() : '';
			const own = typeof credential.passwordKey === 'string' ? credential.passwordKey : '';
			if (own === '') return { accountSid, problem: 'is empty' };
			const problems = passwordKeyProblems(own, credential);
			if (problems.length > 0) return { accountSid, problem: problems.join('; ') };
			return { accountSid, key: derivationKey(own), keyId: keyId(own) };
		});
		return await this.keyRead;
	}

	/**
	 * A Rotation ID needs a strong SIP Password Key: checked first, before any request (reads
	 * included), so a missing or weak key costs nothing.
	 */
	async requireKey(
		context: IExecuteFunctions,
		itemIndex: number,
		choice: PasswordChoice,
	): Promise<void> {
		if (choice.mode === 'generate' && choice.rotationId !== '')
			await this.derivationFor(context, itemIndex, choice.rotationId);
	}

	private async derivationFor(
		context: IExecuteFunctions,
		itemIndex: number,
		rotationId: string,
	): Promise<{ key: Buffer; keyId: string; accountSid: string }> {
		const { key, keyId: id, problem, accountSid } = await this.credential(context, itemIndex);
		if (!key || !id) {
			throw new NodeOperationError(
				context.getNode(),
				`Rotation ID ${rotationId} needs the credential’s SIP Password Key, which ${problem ?? 'is missing'}`,
				{
					itemIndex,
					description:
						`Nothing was sent. A Rotation ID derives the password from the credential’s SIP Password Key alone (never the API token), so the key must be at least 256 random bits with no whitespace. ` +
						`Make one with \`${PASSWORD_KEY_COMMAND}\`, put it in the Exotel Users API credential (SIP Password Key), keep it as secret as the token, and run again. ` +
						'Or clear Rotation ID for a random password (it cannot be repeated after a failed run).',
				},
			);
		}
		return { key, keyId: id, accountSid };
	}

	/**
	 * The derivation key for a Rotation ID, once the checks that must come before any write
	 * pass: a strong SIP Password Key, the same key and length the Rotation ID started with.
	 */
	private async startRotation(
		context: IExecuteFunctions,
		itemIndex: number,
		rotationId: string,
		length: number,
	): Promise<{ key: Buffer; accountSid: string }> {
		const { key, keyId: id, accountSid } = await this.derivationFor(context, itemIndex, rotationId);
		this.keyId = id;
		this.accountSid = accountSid;
		const record = this.memory(context).start(accountSid, rotationId, id, length);
		if (record.key_id !== id) {
			throw new NodeOperationError(
				context.getNode(),
				`Rotation ID ${rotationId} started with SIP Password Key ${record.key_id}; the credential’s key is now ${id}`,
				{
					itemIndex,
					description: `Nothing was sent. A run repeated with another key would set passwords different from those its first run handed on. Put the key with id ${record.key_id} back in the credential to finish this rotation, or use a new Rotation ID for new passwords.`,
				},
			);
		}
		if (record.length !== length) {
			throw new NodeOperationError(
				context.getNode(),
				`Rotation ID ${rotationId} started with Password Length ${record.length}; this node has ${length}`,
				{
					itemIndex,
					description: `Nothing was sent. The length is part of the derived password: with another one this node would set a password nobody was given. Set Password Length to ${record.length}, or use a new Rotation ID.`,
				},
			);
		}
		this.rotationIds.add(rotationId);
		return { key, accountSid };
	}
}

/**
 * The workflow settings under which n8n keeps executions' data, as the editor names them. A
 * setting left at the instance's default counts as saving for manual, successful and failed
 * runs (n8n's defaults) and as not saving for progress. All are named, whatever this run's
 * mode: today's manual test is tomorrow's production run.
 */
export function savedExecutionSettings(context: IExecuteFunctions): string[] {
	if (typeof context.getWorkflowSettings !== 'function') return [];
	const settings = context.getWorkflowSettings() ?? {};
	const saving: string[] = [];
	if (settings.saveManualExecutions !== false) saving.push('Save manual executions');
	if (settings.saveDataSuccessExecution !== 'none')
		saving.push('Save successful production executions');
	if (settings.saveDataErrorExecution !== 'none') saving.push('Save failed production executions');
	if (settings.saveExecutionProgress === true) saving.push('Save execution progress');
	return saving;
}
