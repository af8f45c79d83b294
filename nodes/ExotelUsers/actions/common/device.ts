import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ItemInput } from '../../helpers/validation';

/** Written for a person and for an AI model alike: what the value is, its format, an example. */
export const DEVICE_DESCRIPTION =
	'The user’s device: its device ID, a whole number such as 101 (Device → Get Many lists a user’s devices)';

export const LEAVE_EMPTY_HINT = 'Leave empty to use the user’s only SIP device';

/**
 * The Device field: picked from the chosen user's devices (name, type, contact) or given
 * by ID. `optional`: an empty value means "the user's only SIP device".
 */
export function deviceLocator(optional: boolean): INodeProperties {
	return {
		displayName: 'Device',
		name: 'deviceId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: !optional,
		description: optional
			? `${DEVICE_DESCRIPTION}. Leave empty to use the user’s only SIP device.`
			: DEVICE_DESCRIPTION,
		hint: optional ? LEAVE_EMPTY_HINT : 'The list shows the devices of the user chosen above',
		// The list is the chosen user's devices: a new user reloads it.
		typeOptions: { loadOptionsDependsOn: ['userId.value'] },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a device of the user…',
				typeOptions: { searchListMethod: 'searchDevices' },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 101',
			},
		],
	};
}

/**
 * The Device field's value: a resource locator (`{mode, value}`), or the plain text or
 * number of a workflow saved before the field became one. Empty gives undefined.
 */
export function readDevice(
	context: IExecuteFunctions,
	itemIndex: number,
	input: ItemInput,
): string | undefined {
	const raw = context.getNodeParameter('deviceId', itemIndex, '') as unknown;
	const value =
		typeof raw === 'object' && raw !== null && 'value' in raw ? (raw as IDataObject).value : raw;
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === ''))
		return undefined;
	return input.id('deviceId', 'Device', value);
}

/** `101 (sip, Asha softphone)`: how errors and lists name a device. */
export function describeDevice(device: IDataObject): string {
	return `${String(device.id)} (${String(device.type)}${device.name ? `, ${String(device.name)}` : ''})`;
}

/** Exotel's 404 for a device id that is not one of the user's: most often picked for another user. */
export const DEVICE_NOT_FOUND_HINTS = {
	'1000':
		'This device is not one of this user’s devices — often it was picked for another user before User changed. Pick the device again (the list shows the chosen user’s devices), or leave Device empty for the user’s only SIP device.',
};
