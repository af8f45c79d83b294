/**
 * The CCM Users API's endpoints (docs/exotel-api.md), as a route table of small handlers
 * over a `UserStore`. The store is the sandbox's state, narrowed to what handlers need, so
 * password hashes stay private to the sandbox.
 */
import { randomBytes } from 'node:crypto';

import { exotelAcceptsSipPassword } from './exotelPolicy';
import { timestamp, type Device, type Role, type User } from './model';
import {
	failure,
	invalid,
	missing,
	notFound,
	ok,
	userNotFound,
	type RouteContext,
	type RouteResult,
} from './protocol';
import {
	checkDeviceName,
	checkEmail,
	checkName,
	checkPhone,
	checkRole,
	csv,
	isBlank,
	isE164,
	isObject,
	queryInteger,
	sameEmail,
} from './validation';

export interface UserStore {
	readonly users: Map<string, User>;
	/** Whether the account has VOIP: new users then get a SIP device and need no phone number. */
	readonly voip: boolean;
	readonly passwordResponseData: 'null' | 'device';
	nextDeviceId(): number;
	setPassword(userId: string, deviceId: string | number, password: string): void;
	forgetPasswords(userId: string): void;
}

type Handler = (store: UserStore, context: RouteContext) => RouteResult;

/** Method, pattern below /v2/accounts/{sid}, handler. */
export const USERS_API: ReadonlyArray<[string, string, Handler]> = [
	['POST', 'users', createUser],
	['GET', 'users', listUsers],
	['GET', 'users/:userId', getUser],
	['PUT', 'users/:userId', updateUser],
	['DELETE', 'users/:userId', deleteUser],
	['PUT', 'users/:userId/devices/:deviceId', updateDevice],
	['PUT', 'users/:userId/devices/:deviceId/password', setSipPassword],
];

// ---- presenting ---------------------------------------------------------------------------

const OPTIONAL_FIELDS = ['devices', 'active_call', 'last_login'] as const;
type OptionalField = (typeof OPTIONAL_FIELDS)[number];

/** A user as Exotel shows it: devices, active_call and last_login only when wanted. */
function present(user: User, fields: ReadonlySet<OptionalField>): Record<string, unknown> {
	const { devices, active_call, last_login, ...base } = user;
	return {
		...base,
		...(fields.has('devices') ? { devices } : {}),
		...(fields.has('active_call') ? { active_call: active_call ?? null } : {}),
		...(fields.has('last_login') ? { last_login: last_login ?? null } : {}),
	};
}

function parseFields(raw: string | undefined): Set<OptionalField> | RouteResult {
	const wanted = csv(raw) ?? [];
	const unknown = wanted.filter((f) => !OPTIONAL_FIELDS.includes(f as OptionalField));
	if (unknown.length > 0)
		return invalid(`fields may list ${OPTIONAL_FIELDS.join(', ')}; not ${unknown.join(', ')}`);
	return new Set(wanted as OptionalField[]);
}

const WITH_DEVICES: ReadonlySet<OptionalField> = new Set(['devices']);

// ---- lookups ------------------------------------------------------------------------------

function findDevice(user: User, deviceId: string): Device | undefined {
	return user.devices.find((d) => String(d.id) === deviceId);
}

function emailTaken(store: UserStore, email: string, exceptUserId?: string): boolean {
	return [...store.users.values()].some((u) => u.id !== exceptUserId && sameEmail(u.email, email));
}

function contactTaken(store: UserStore, contact: string, exceptDevice?: Device): boolean {
	return [...store.users.values()].some((u) =>
		u.devices.some((d) => d !== exceptDevice && d.contact_uri === contact),
	);
}

const emailInUse = () =>
	failure(409, 10813, 'Email already in use', 'This email belongs to another user of the account');
const deviceExists = () =>
	failure(
		409,
		10811,
		'Device already exists',
		'A device with this contact number already exists in the account',
	);

// ---- handlers -----------------------------------------------------------------------------

function createUser(store: UserStore, { body }: RouteContext): RouteResult {
	if (body !== undefined && !isObject(body))
		return invalid('The request body must be a JSON object');
	const input = body ?? {};
	const absent = (['first_name', 'last_name'] as const).filter((f) => isBlank(input[f]));
	if (absent.length > 0)
		return missing(`${absent.join(' and ')} ${absent.length > 1 ? 'are' : 'is'} required`);

	const { first_name, last_name, email, role, device_contact_uri: phone, device_name } = input;
	const wantsPhone = !isBlank(phone);
	const problem =
		checkName('first_name', first_name) ??
		checkName('last_name', last_name) ??
		(email === undefined || email === null ? undefined : checkEmail(email)) ??
		checkRole(role) ??
		checkDeviceName(device_name) ??
		(wantsPhone || store.voip
			? undefined
			: failure(
					400,
					1402,
					'Mandatory parameter missing',
					'device_contact_uri is required: this account has no VOIP',
				)) ??
		(wantsPhone ? checkPhone('device_contact_uri', phone) : undefined);
	if (problem) return problem;
	if (typeof email === 'string' && emailTaken(store, email)) return emailInUse();
	if (wantsPhone && contactTaken(store, phone as string)) return deviceExists();

	const first = first_name as string;
	const now = timestamp();
	const devices: Device[] = [];
	if (store.voip) {
		const id = store.nextDeviceId();
		const name = wantsPhone
			? `${first} softphone`
			: ((device_name as string | undefined) ?? `${first} softphone`);
		devices.push({
			id,
			name,
			contact_uri: sipUri(store, first + (last_name as string), id),
			type: 'sip',
			available: true,
			verified: true,
			status: 'free',
		});
	}
	if (wantsPhone) {
		// A new number is unverified until its owner confirms it; it is ON only if it is the user's only device.
		const id = store.nextDeviceId();
		const name = (device_name as string | undefined) ?? `${first} phone`;
		devices.push({
			id,
			name,
			contact_uri: phone as string,
			type: 'tel',
			available: devices.length === 0,
			verified: false,
			status: 'free',
		});
	}
	const user: User = {
		id: newUserId(store),
		first_name: first,
		last_name: last_name as string,
		email: typeof email === 'string' ? email : null,
		email_verified: false,
		role: (role as Role | undefined) ?? 'user',
		date_created: now,
		date_updated: now,
		devices,
		active_call: null,
		last_login: null,
	};
	store.users.set(user.id, user);
	return ok(present(user, WITH_DEVICES));
}

function listUsers(store: UserStore, { query }: RouteContext): RouteResult {
	const limit = queryInteger('limit', query.limit, { fallback: 20, min: 1, max: 50 });
	if (typeof limit !== 'number') return limit;
	const offset = queryInteger('offset', query.offset, {
		fallback: 0,
		min: 0,
		max: Number.MAX_SAFE_INTEGER,
	});
	if (typeof offset !== 'number') return offset;
	const fields = parseFields(query.fields);
	if (!(fields instanceof Set)) return fields;

	const emails = csv(query.email);
	const contacts = csv(query['devices.contact_uri']);
	const matching = [...store.users.values()].filter(
		(u) =>
			(emails === undefined || (u.email !== null && emails.includes(u.email))) &&
			(contacts === undefined || u.devices.some((d) => contacts.includes(d.contact_uri))),
	);
	const page = matching.slice(offset, offset + limit);
	return {
		status: 200,
		list: {
			items: page.map((u) => present(u, fields)),
			metadata: { total: matching.length, count: page.length, offset, limit },
		},
	};
}

function getUser(store: UserStore, { params, query }: RouteContext): RouteResult {
	const user = store.users.get(params.userId);
	if (!user) return userNotFound();
	const fields = parseFields(query.fields);
	if (!(fields instanceof Set)) return fields;
	// One user always comes with its devices: it is how a client finds a device_id.
	return ok(present(user, new Set([...fields, 'devices'])));
}

function updateUser(store: UserStore, { params, body }: RouteContext): RouteResult {
	const user = store.users.get(params.userId);
	if (!user) return userNotFound();
	if (body !== undefined && !isObject(body))
		return invalid('The request body must be a JSON object');
	// Fields other than these are ignored, as Exotel ignores them.
	const { first_name, last_name, email } = body ?? {};
	const problem =
		(first_name === undefined ? undefined : checkName('first_name', first_name)) ??
		(last_name === undefined ? undefined : checkName('last_name', last_name)) ??
		(email === undefined ? undefined : checkNewEmail(user, email));
	if (problem) return problem;
	if (typeof email === 'string' && emailTaken(store, email, user.id)) return emailInUse();

	if (typeof first_name === 'string') user.first_name = first_name;
	if (typeof last_name === 'string') user.last_name = last_name;
	if (typeof email === 'string') {
		user.email = email;
		user.email_verified = false;
	}
	user.date_updated = timestamp();
	return ok(present(user, WITH_DEVICES));
}

/** An email can be added to a user who has none; it cannot be changed once set. */
function checkNewEmail(user: User, email: unknown): RouteResult | undefined {
	if (user.email !== null)
		return invalid('An email is already set for this user; it cannot be changed');
	return checkEmail(email);
}

function deleteUser(store: UserStore, { params }: RouteContext): RouteResult {
	if (!store.users.delete(params.userId)) return userNotFound();
	store.forgetPasswords(params.userId);
	return ok(null);
}

function updateDevice(store: UserStore, { params, body }: RouteContext): RouteResult {
	const user = store.users.get(params.userId);
	if (!user) return userNotFound();
	const device = findDevice(user, params.deviceId);
	if (!device) return notFound(`Device ${params.deviceId} not found for this user`);
	if (body !== undefined && !isObject(body))
		return invalid('The request body must be a JSON object');
	const { available, contact_uri } = body ?? {};

	if (available !== undefined && typeof available !== 'boolean')
		return invalid('available must be true or false');
	if (contact_uri !== undefined) {
		if (device.type !== 'tel') {
			return failure(
				403,
				10817,
				'Contact number cannot be changed',
				'Only a telephone device’s contact number can be changed',
			);
		}
		const problem = checkPhone('contact_uri', contact_uri);
		if (problem) return problem;
		if (contactTaken(store, contact_uri as string, device)) return deviceExists();
	}
	if (available === true && !device.available && !device.verified) {
		return failure(
			409,
			10809,
			'Device not verified',
			'Only a verified device can be made available',
		);
	}
	if (available === true && user.devices.some((d) => d !== device && d.available)) {
		return failure(
			403,
			10810,
			'Another device is ON',
			'Only one device of a user can be available; turn the other one off first',
		);
	}

	if (isE164(contact_uri) && contact_uri !== device.contact_uri) {
		device.contact_uri = contact_uri;
		device.verified = false; // a new number must be verified again
	}
	if (typeof available === 'boolean') device.available = available;
	user.date_updated = timestamp();
	return ok(device);
}

function setSipPassword(store: UserStore, { params, body }: RouteContext): RouteResult {
	const user = store.users.get(params.userId);
	if (!user) return userNotFound();
	const device = findDevice(user, params.deviceId);
	if (!device) return notFound(`Device ${params.deviceId} not found for this user`);
	if (device.type !== 'sip') return invalid('A password can only be set on a SIP device');
	const password = (body as { password?: unknown } | undefined)?.password;
	if (isBlank(password)) return missing('password is required');
	if (typeof password !== 'string' || !exotelAcceptsSipPassword(password)) {
		return invalid(
			'password must be at least 8 characters long and contain 3 of: lower case, upper case, digits, special characters',
		);
	}
	store.setPassword(user.id, device.id, password);
	return ok(store.passwordResponseData === 'device' ? device : null);
}

// ---- ids ----------------------------------------------------------------------------------

function newUserId(store: UserStore): string {
	let id: string;
	do id = randomBytes(16).toString('hex');
	while (store.users.has(id));
	return id;
}

/** `sip:<name><device id>`, like the seeded users'; unique because device ids are. */
function sipUri(store: UserStore, name: string, deviceId: number): string {
	let uri = `sip:${name.toLowerCase().replace(/[^a-z0-9]/g, '')}${deviceId}`;
	while (contactTaken(store, uri)) uri += 'x'; // only if a hand-made seed happened to use it
	return uri;
}
