/**
 * The sandbox's data: Exotel's User and Device models (docs/exotel-api.md) and the
 * deterministic users it starts with. Fields an Exotel answer may omit are optional here.
 */
import { createHash } from 'node:crypto';

export type Role = 'admin' | 'supervisor' | 'user';

export const ROLES: readonly Role[] = ['admin', 'supervisor', 'user'];

export interface Device {
	id: number | string;
	name: string;
	contact_uri: string;
	type: 'tel' | 'sip';
	available: boolean;
	verified: boolean;
	status: string;
}

/** The docs name `active_call` without a schema; this shape is the sandbox's plausible guess. */
export interface ActiveCall {
	call_sid: string;
	device_id: number | string;
	direction: 'inbound' | 'outbound';
	started_at: string;
}

export interface User {
	id: string;
	first_name: string;
	last_name: string;
	email: string | null;
	email_verified: boolean;
	role: Role;
	date_created: string;
	date_updated: string;
	devices: Device[];
	/** Shown only when a request asks for it with `fields`; absent means none. */
	active_call?: ActiveCall | null;
	/** Shown only when a request asks for it with `fields`; absent means never. */
	last_login?: string | null;
}

export const SEED_TIMESTAMP = '2026-01-05T09:30:00Z';

/** Exotel's timestamps have whole seconds. */
export function timestamp(date = new Date()): string {
	return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function device(
	id: number,
	name: string,
	type: 'sip' | 'tel',
	contact: string,
	available: boolean,
): Device {
	return { id, name, contact_uri: contact, type, available, verified: true, status: 'free' };
}

function user(
	id: string,
	first: string,
	last: string,
	email: string | null,
	role: Role,
	devices: Device[],
	extra: Pick<User, 'active_call' | 'last_login'> = {},
): User {
	return {
		id,
		first_name: first,
		last_name: last,
		email,
		email_verified: email !== null,
		role,
		date_created: SEED_TIMESTAMP,
		date_updated: SEED_TIMESTAMP,
		devices,
		...extra,
	};
}

/** The three named users tests and demos refer to (Asha, Vikram, Mei Lin). */
function namedUsers(): User[] {
	return [
		user(
			'a3f1c2d4e5b60718293a4b5c6d7e8f90',
			'Asha',
			'Rao',
			'asha.rao@example.com',
			'user',
			[
				device(101, 'Asha softphone', 'sip', 'sip:asharao101', true),
				device(102, 'Asha mobile', 'tel', '+919876543210', false),
			],
			{ last_login: '2026-01-05T08:55:12Z', active_call: null },
		),
		user(
			'b7e2d9c1a4f3068b5c2e1d0f9a8b7c6d',
			'Vikram',
			'Iyer',
			'vikram.iyer@example.com',
			'supervisor',
			[device(201, 'Vikram softphone', 'sip', 'sip:vikramiyer201', true)],
			{
				last_login: '2026-01-05T09:02:40Z',
				active_call: {
					call_sid: '3c1e9a0f7b2d4e6a8c0b1d3f5e7a9c2b',
					device_id: 201,
					direction: 'inbound',
					started_at: '2026-01-05T09:28:31Z',
				},
			},
		),
		user('c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0', 'Mei Lin', 'Tan', null, 'user', [
			device(301, 'Mei Lin mobile', 'tel', '+6591234567', true),
		]),
	];
}

/**
 * The sandbox's starting users. Without a count: the three named users. With one: that many
 * users, the named ones first and then `manyUsers`, so pagination tests get a large
 * account in which Asha, Vikram and Mei Lin still exist.
 */
export function seedUsers(count?: number): User[] {
	const named = namedUsers();
	if (count === undefined) return named;
	if (!Number.isInteger(count) || count < 0)
		throw new RangeError(`seedUsers: count must be a whole number ≥ 0, got ${count}`);
	return [...named, ...manyUsers(Math.max(0, count - named.length))].slice(0, count);
}

const FIRST_NAMES = [
	'Aarav',
	'Diya',
	'Kabir',
	'Ananya',
	'Rohan',
	'Ishita',
	'Arjun',
	'Kavya',
	'Siddharth',
	'Priya',
	'Wei',
	'Nur',
];
const LAST_NAMES = [
	'Sharma',
	'Nair',
	'Patel',
	'Menon',
	'Gupta',
	'Reddy',
	'Das',
	'Lim',
	'Khan',
	'Fernandes',
	"D'Souza",
];

/**
 * `n` generated users, the same on every call: user i has id sha256("sandbox-user-i")[0..32],
 * one SIP device with id 1001 + i, an email (except every tenth user), and every tenth a
 * supervisor. Their ids and device ids cannot collide with the named users'.
 */
export function manyUsers(n: number): User[] {
	if (!Number.isInteger(n) || n < 0)
		throw new RangeError(`manyUsers: n must be a whole number ≥ 0, got ${n}`);
	return Array.from({ length: n }, (_, i) => {
		const first = FIRST_NAMES[i % FIRST_NAMES.length];
		const last = LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length];
		const slug = (first + last).toLowerCase().replace(/[^a-z0-9]/g, '');
		const deviceId = 1001 + i;
		const id = createHash('sha256').update(`sandbox-user-${i}`).digest('hex').slice(0, 32);
		const email = i % 10 === 9 ? null : `${slug}.${i}@example.com`;
		const role: Role = i % 10 === 0 ? 'supervisor' : 'user';
		return user(
			id,
			first,
			last,
			email,
			role,
			[device(deviceId, `${first} softphone`, 'sip', `sip:${slug}${deviceId}`, true)],
			{
				last_login: i % 3 === 0 ? null : SEED_TIMESTAMP,
				active_call: null,
			},
		);
	});
}
