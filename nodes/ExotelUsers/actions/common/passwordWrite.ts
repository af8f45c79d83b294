/**
 * Setting SIP passwords without locking an agent out, shared by Update SIP Password and Rotate
 * SIP Passwords. One `PasswordRun` lives for one execution of the node (the router makes it):
 *
 * - one password per device per run: the same agent twice gets the password of the first
 *   copy, and it is set once; two different typed passwords for one device are refused before
 *   anything is sent;
 * - generated passwords are derived from the Rotation ID when one is given (see
 *   helpers/derivedPassword.ts), so a repeated run sets and hands on the same ones;
 * - it keeps who was changed, and who may have been (an answer lost after the retries), so a
 *   run that stops half-way can say which agents have a password nobody received.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { derivationKey, deriveSipPassword } from '../../helpers/derivedPassword';
import { generateSipPassword } from '../../helpers/passwordGenerator';
import { CREDENTIAL_TYPE, ExotelError, type ExotelClient } from '../../transport/client';
import { DEVICE_NOT_FOUND_HINTS } from './device';

/** One agent's SIP device, with what Exotel told us about the user and the device when we looked. */
export interface Agent {
	userId: string;
	deviceId: string;
	user?: IDataObject;
	device?: IDataObject;
}

export type PasswordChoice =
	| { mode: 'manual'; password: string }
	| { mode: 'generate'; length: number; rotationId: string };

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** What an output item says about the agent, so the next node can address and greet them. */
export function agentFields(agent: Agent): IDataObject {
	const user = agent.user ?? {};
	const device = agent.device ?? {};
	// A password is set on a SIP device only; other operations pass the device they acted on.
	const fields: IDataObject = { user_id: agent.userId, device_id: agent.deviceId, device_type: text(device.type) ?? 'sip' };
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

/** `Asha Rao <asha.rao@example.com> (user a3f1…, device 101)`: never a password. */
export function describeAgent(agent: Agent): string {
	const user = agent.user ?? {};
	const name = [text(user.first_name), text(user.last_name)].filter(Boolean).join(' ');
	const email = text(user.email);
	const who = [name, email ? `<${email}>` : ''].filter(Boolean).join(' ');
	const ids = `user ${agent.userId}, device ${agent.deviceId}`;
	return who ? `${who} (${ids})` : ids;
}

const deviceKey = (agent: Pick<Agent, 'userId' | 'deviceId'>) => `${agent.userId}/${agent.deviceId}`;

/** Errors that carry fields for their Continue On Fail item (the router merges them in). */
export interface WithItemFields {
	itemFields?: IDataObject;
}

/** At most this many agents are named in one error; the rest are counted. */
const NAMED_IN_ERROR = 50;

export class PasswordRun {
	/** @param concurrency How many items the pre-flight check reads at once (the node's Concurrency). */
	constructor(readonly concurrency = 1) {}

	/** Per item, what the pre-flight check found (the router's prepare step), for execute to use. */
	readonly plans = new Map<number, unknown>();

	private readonly chosen = new Map<string, { password: string; itemIndex: number; mode: PasswordChoice['mode'] }>();

	private readonly writes = new Map<string, Promise<IDataObject>>();

	private readonly changed = new Map<string, Agent>();

	private readonly possiblySet = new Map<string, Agent>();

	private keyRead?: Promise<{ key: Buffer; accountSid: string }>;

	private rotationIds = new Set<string>();

	/**
	 * The password this device gets in this run. The first item to ask decides it; later copies
	 * of the same device get the same one. Two items typing different passwords for one device
	 * are refused, naming both, before anything is sent.
	 */
	async choose(context: IExecuteFunctions, itemIndex: number, agent: Agent, choice: PasswordChoice): Promise<string> {
		const key = deviceKey(agent);
		const earlier = this.chosen.get(key);
		if (earlier && choice.mode === 'manual' && earlier.mode === 'manual' && earlier.password !== choice.password && earlier.itemIndex !== itemIndex) {
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
		if (earlier && (choice.mode === 'generate' || earlier.password === choice.password)) return earlier.password;

		let password: string;
		if (choice.mode === 'manual') {
			password = choice.password;
		} else if (choice.rotationId !== '') {
			const { key: secret, accountSid } = await this.derivation(context, itemIndex);
			this.rotationIds.add(choice.rotationId);
			password = deriveSipPassword(secret, { rotationId: choice.rotationId, accountSid, userId: agent.userId, deviceId: agent.deviceId, length: choice.length });
		} else {
			password = generateSipPassword(choice.length);
		}
		// Another copy may have chosen while this one read the credential: the first one stands.
		const settled = this.chosen.get(key);
		if (settled) return settled.password;
		this.chosen.set(key, { password, itemIndex, mode: choice.mode });
		return password;
	}

	/**
	 * Sets the device's password (PUT …/password), once per device per run: a copy that comes
	 * later waits for the first and shares its answer, or — if the first failed — tries itself.
	 * Retries are the client's (the request is idempotent: the same password twice is harmless).
	 * `passwordFields` (the password as the item outputs it, if at all) go on the error item of a
	 * write whose outcome is unknown.
	 */
	async set(client: ExotelClient, itemIndex: number, agent: Agent, password: string, passwordFields: IDataObject = {}): Promise<IDataObject> {
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
						(error as WithItemFields).itemFields = { ...agentFields(agent), ...passwordFields, passwordPossiblySet: true };
					}
					if (this.writes.get(key) === write) this.writes.delete(key);
					throw error;
				},
			);
		this.writes.set(key, write);
		return await write;
	}

	/**
	 * When the run stops on an error after passwords changed: the error says who has a new
	 * password that was not handed on, and the one thing to do. Nothing to add when none did.
	 */
	amendStopError(error: Error & { description?: string | null }): void {
		const changed = [...this.changed.values()];
		const maybe = [...this.possiblySet.values()];
		if (changed.length === 0 && maybe.length === 0) return;
		const count = (n: number) => `${n} agent${n === 1 ? '' : 's'}`;
		const list = (agents: Agent[]) =>
			agents.slice(0, NAMED_IN_ERROR).map(describeAgent).join('; ') + (agents.length > NAMED_IN_ERROR ? `; and ${agents.length - NAMED_IN_ERROR} more` : '');
		const parts = [changed.length ? `${count(changed.length)} already ${changed.length === 1 ? 'has' : 'have'} a new SIP password` : '', maybe.length ? `${count(maybe.length)} may have one` : '']
			.filter(Boolean)
			.join(' and ');
		error.message = `${error.message} — ${parts}, not handed on`;
		const rotation = this.rotationIds.size === 1 ? ` with the same Rotation ID (${[...this.rotationIds][0]})` : this.rotationIds.size ? ' with the same Rotation IDs' : '';
		const again = this.rotationIds.size
			? 'It sets the same passwords again and hands them on, and the agents not reached yet get theirs.'
			: 'It sets every password again and hands the new ones on.';
		error.description = [
			error.description ?? '',
			changed.length ? `Changed in this run, password not passed to the next node: ${list(changed)}.` : '',
			maybe.length ? `Possibly changed (Exotel’s answer was lost): ${list(maybe)}.` : '',
			`What to do now: run the workflow again${rotation}. ${again}`,
		]
			.filter(Boolean)
			.join('\n\n');
	}

	/** The derivation key and the account it is for: read once per run (n8n decrypts on every read). */
	private async derivation(context: IExecuteFunctions, itemIndex: number): Promise<{ key: Buffer; accountSid: string }> {
		this.keyRead ??= context.getCredentials(CREDENTIAL_TYPE, itemIndex).then((credential) => ({
			key: derivationKey(credential),
			accountSid: typeof credential.accountSid === 'string' ? credential.accountSid.trim() : '',
		}));
		return await this.keyRead;
	}
}

