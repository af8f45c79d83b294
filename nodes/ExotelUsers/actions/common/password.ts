/**
 * The fields that say how a new SIP password is made — Password Length and Rotation ID — shared
 * by Update SIP Password and Rotate SIP Passwords, and reading them for one item.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { DEFAULT_GENERATED_LENGTH, MAX_GENERATED_LENGTH, MIN_GENERATED_LENGTH } from '../../helpers/passwordGenerator';
import type { ItemInput } from '../../helpers/validation';
import type { PasswordChoice } from './passwordWrite';

export function passwordLengthField(displayOptions?: INodeProperties['displayOptions']): INodeProperties {
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

export function rotationIdField(defaultValue: string, displayOptions?: INodeProperties['displayOptions']): INodeProperties {
	return {
		displayName: 'Rotation ID',
		name: 'rotationId',
		type: 'string',
		default: defaultValue,
		placeholder: 'e.g. {{ $json.ticketId }}',
		description:
			'Names this change of password, e.g. the ticket’s or the HR event’s ID, or the quarter. The same Rotation ID gives each device the same password in any run, so a run that stopped half-way can simply be run again: agents already changed get the same password again, and this time it is handed on. A new Rotation ID gives new passwords. Empty: a new random password every run.',
		hint: 'Run again with the same Rotation ID after a failed or interrupted run. Use a new one to force new passwords.',
		displayOptions,
	};
}

/** How this item's new password is made: typed, or generated (derived when a Rotation ID is given). */
export function readGeneratedChoice(context: IExecuteFunctions, itemIndex: number, input: ItemInput): Extract<PasswordChoice, { mode: 'generate' }> {
	const length = context.getNodeParameter('passwordLength', itemIndex, DEFAULT_GENERATED_LENGTH);
	const lengthOk = typeof length === 'number' && Number.isInteger(length) && length >= MIN_GENERATED_LENGTH && length <= MAX_GENERATED_LENGTH;
	input.check('passwordLength', 'Password Length', lengthOk ? [] : [`must be a whole number from ${MIN_GENERATED_LENGTH} to ${MAX_GENERATED_LENGTH}`]);
	const raw = context.getNodeParameter('rotationId', itemIndex, '') as unknown;
	let rotationId = '';
	if (typeof raw === 'string' || typeof raw === 'number') {
		rotationId = String(raw).trim();
		input.check('rotationId', 'Rotation ID', rotationId.length > MAX_ROTATION_ID_LENGTH ? [`is ${rotationId.length} characters long; at most ${MAX_ROTATION_ID_LENGTH}`] : []);
	} else if (raw !== undefined && raw !== null) {
		input.check('rotationId', 'Rotation ID', [`must be text, got ${typeof raw}`]);
	}
	return { mode: 'generate', length: lengthOk ? (length as number) : DEFAULT_GENERATED_LENGTH, rotationId };
}
