/**
 * The fields that say how a new SIP password is made — Password Length and Rotation ID — shared
 * by Update SIP Password and Rotate SIP Passwords, and reading them for one item.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	DEFAULT_GENERATED_LENGTH,
	MAX_GENERATED_LENGTH,
	MIN_GENERATED_LENGTH,
} from '../../helpers/passwordGenerator';
import type { ItemInput } from '../../helpers/validation';
import type { PasswordChoice } from './passwordRun';

export function passwordLengthField(
	displayOptions?: INodeProperties['displayOptions'],
): INodeProperties {
	return {
		displayName: 'Password Length',
		name: 'passwordLength',
		type: 'number',
		typeOptions: { minValue: MIN_GENERATED_LENGTH, maxValue: MAX_GENERATED_LENGTH },
		default: DEFAULT_GENERATED_LENGTH,
		description: `How many characters the generated password has, ${MIN_GENERATED_LENGTH} to ${MAX_GENERATED_LENGTH} (${DEFAULT_GENERATED_LENGTH} if unsure)`,
		hint: `${MIN_GENERATED_LENGTH} to ${MAX_GENERATED_LENGTH} characters`,
		displayOptions,
	};
}

/** The longest Rotation ID: it names a change (a ticket, an event, a quarter), not a document. */
export const MAX_ROTATION_ID_LENGTH = 200;

/** What the tool tells the AI model in place of a password it withholds. */
export const PASSWORD_WITHHELD =
	'A new SIP password was generated and set. It is not returned to the AI model (the workflow’s Return Password to the AI Model option is off): do not make one up; the user gets it another way.';

/** What an empty Rotation ID means, said wherever the field is. */
const EMPTY_MEANS = 'Empty: a random password, which a re-run cannot repeat.';

export function rotationIdField(
	defaultValue: string,
	displayOptions?: INodeProperties['displayOptions'],
): INodeProperties {
	return {
		displayName: 'Rotation ID',
		name: 'rotationId',
		type: 'string',
		default: defaultValue,
		placeholder: 'e.g. {{ $json.ticketId }}',
		description:
			'Names this change of password, e.g. the ticket’s or the HR event’s ID. With the credential’s SIP Password Key, the same Rotation ID gives each device the same password in any run, so a run that stopped half-way can be run again and hands on the same passwords. Once a run set a device’s password, the workflow remembers it (production runs) and refuses to reuse that Rotation ID for it: a new Rotation ID gives a new password. ' +
			EMPTY_MEANS,
		hint: `Needs the credential’s SIP Password Key. Re-run a failed run with the same Rotation ID; use a new one for a new password. ${EMPTY_MEANS}`,
		displayOptions,
	};
}

export function whenToSetField(
	displayOptions?: INodeProperties['displayOptions'],
): INodeProperties {
	return {
		displayName: 'When to Set',
		name: 'whenToSet',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Now', value: 'now', description: 'Set the new password in Exotel and output it' },
			{
				name: 'Later (Prepare Only)',
				value: 'later',
				description:
					'Prepare only: output the passwords, set them later. Nothing is written; a later Update SIP Password step with the same Rotation ID sets the same password, after delivery.',
			},
		],
		default: 'now',
		description:
			'Whether to set the password now, or only output it so it is delivered before it is set',
		hint: 'Deliver first, then set: with Later, a mail that fails leaves the agent’s old password working. Later needs a Rotation ID and the SIP Password Key.',
		displayOptions,
	};
}

/** How this item's new password is made: generated, derived when a Rotation ID is given. */
export function readGeneratedChoice(
	context: IExecuteFunctions,
	itemIndex: number,
	input: ItemInput,
): Extract<PasswordChoice, { mode: 'generate' }> {
	const length = context.getNodeParameter('passwordLength', itemIndex, DEFAULT_GENERATED_LENGTH);
	const lengthOk =
		typeof length === 'number' &&
		Number.isInteger(length) &&
		length >= MIN_GENERATED_LENGTH &&
		length <= MAX_GENERATED_LENGTH;
	input.check(
		'passwordLength',
		'Password Length',
		lengthOk
			? []
			: [`must be a whole number from ${MIN_GENERATED_LENGTH} to ${MAX_GENERATED_LENGTH}`],
	);
	const later = context.getNodeParameter('whenToSet', itemIndex, 'now') === 'later';
	const raw = context.getNodeParameter('rotationId', itemIndex, '') as unknown;
	let rotationId = '';
	if (typeof raw === 'string' || typeof raw === 'number' || raw === undefined || raw === null) {
		rotationId = String(raw ?? '').trim();
		const given = context.getNode().parameters.rotationId;
		const expression = typeof given === 'string' && given.startsWith('=');
		input.check(
			'rotationId',
			'Rotation ID',
			rotationId.length > MAX_ROTATION_ID_LENGTH
				? [`is ${rotationId.length} characters long; at most ${MAX_ROTATION_ID_LENGTH}`]
				: rotationId === '' && expression
					? [
							`is an expression that gave nothing for this item (${given.slice(1).trim()}): give it a value, or clear the field on purpose for a random password`,
						]
					: rotationId === '' && later
						? [
								'is empty; When to Set: Later needs one, so that the set step derives the same password',
							]
						: [],
		);
	} else {
		input.check('rotationId', 'Rotation ID', [`must be text, got ${typeof raw}`]);
	}
	return {
		mode: 'generate',
		length: lengthOk ? (length as number) : DEFAULT_GENERATED_LENGTH,
		rotationId,
		later,
	};
}
