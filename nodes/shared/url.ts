import { EXOTEL_REGION_HOSTS } from '../../credentials/ExotelUsersApi.credentials';

export interface RegionSettings {
	region?: unknown;
	baseUrl?: unknown;
}

/**
 * The API host for a credential's region, without a trailing slash. Returns an error
 * text instead of throwing so the caller can attach it to the item that needs it.
 */
export function baseUrlFor(
	settings: RegionSettings,
): { ok: true; url: string } | { ok: false; problem: string } {
	const region = settings.region ?? 'singapore';
	if (region === 'singapore' || region === 'mumbai')
		return { ok: true, url: EXOTEL_REGION_HOSTS[region] };
	if (region !== 'custom') {
		return {
			ok: false,
			problem: `Region "${String(region)}" is not one of Singapore, Mumbai or Custom`,
		};
	}
	const raw = typeof settings.baseUrl === 'string' ? settings.baseUrl.trim() : '';
	let parsed: URL;
	try {
		parsed = new URL(raw);
	} catch {
		return {
			ok: false,
			problem: 'Base URL must be an http(s) address such as http://127.0.0.1:4010',
		};
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		return { ok: false, problem: 'Base URL must start with http:// or https://' };
	}
	if (parsed.username || parsed.password || parsed.search || parsed.hash) {
		// Credentials in a URL end up in logs; Exotel's key and token belong in their own fields.
		return {
			ok: false,
			problem: 'Base URL may not contain a user name, password, query or fragment',
		};
	}
	return { ok: true, url: raw.replace(/\/+$/, '') };
}

/**
 * `/v2/accounts/{sid}/…` with every segment percent-encoded. Segments are expected to
 * have passed checkId already; the encoding is the second line of defence.
 */
export function accountPath(accountSid: string, ...segments: Array<string | number>): string {
	return ['', 'v2', 'accounts', accountSid, ...segments]
		.map((s) => encodeURIComponent(String(s)))
		.join('/');
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/**
 * The key of an Exotel account in the process's pacing: one account, one key, however its
 * base URL was typed — scheme and host in lower case, no default port, no trailing slash,
 * `localhost` as 127.0.0.1, and Singapore and Mumbai by their canonical hosts (a Custom base
 * URL that names one of them is that region).
 */
export function accountKey(baseUrl: string, accountSid: string): string {
	let origin = baseUrl.trim();
	try {
		const url = new URL(origin);
		const port = url.port && url.port !== DEFAULT_PORTS[url.protocol] ? `:${url.port}` : '';
		const host =
			url.hostname.toLowerCase() === 'localhost' ? '127.0.0.1' : url.hostname.toLowerCase();
		const path = url.pathname.replace(/\/+$/, '');
		origin = `${url.protocol}//${host}${port}${path}`;
	} catch {
		origin = origin.toLowerCase().replace(/\/+$/, '');
	}
	return `${origin} ${accountSid}`;
}
