import { EXOTEL_REGION_HOSTS } from '../../../credentials/ExotelUsersApi.credentials';
import { accountKey, accountPath, baseUrlFor } from '../../../nodes/shared/url';

describe('baseUrlFor', () => {
	it('maps each region to its Exotel host', () => {
		expect(baseUrlFor({ region: 'singapore' })).toEqual({
			ok: true,
			url: 'https://ccm-api.exotel.com',
		});
		expect(baseUrlFor({ region: 'mumbai' })).toEqual({
			ok: true,
			url: 'https://ccm-api.in.exotel.com',
		});
	});

	it('defaults to Singapore, as the credential does', () => {
		expect(baseUrlFor({})).toEqual({ ok: true, url: 'https://ccm-api.exotel.com' });
	});

	it('takes a custom base URL, tolerating trailing slashes and white space', () => {
		expect(baseUrlFor({ region: 'custom', baseUrl: 'http://127.0.0.1:4010/' })).toEqual({
			ok: true,
			url: 'http://127.0.0.1:4010',
		});
		expect(baseUrlFor({ region: 'custom', baseUrl: ' https://proxy.example/exotel// ' })).toEqual({
			ok: true,
			url: 'https://proxy.example/exotel',
		});
	});

	it.each([
		['', 'must be an http(s) address'],
		['127.0.0.1:4010', 'must be an http(s) address'],
		['ftp://host', 'must start with http:// or https://'],
		['https://key:token@host', 'may not contain a user name, password'],
		['https://host/?x=1', 'may not contain'],
	])('refuses custom base URL %j', (baseUrl, problem) => {
		const result = baseUrlFor({ region: 'custom', baseUrl });
		expect(result.ok).toBe(false);
		expect(!result.ok && result.problem).toContain(problem);
	});

	it('refuses an unknown region', () => {
		expect(baseUrlFor({ region: 'frankfurt' })).toEqual({
			ok: false,
			problem: 'Region "frankfurt" is not one of Singapore, Mumbai or Custom',
		});
	});
});

describe('accountPath', () => {
	it('builds /v2/accounts/{sid}/… from segments', () => {
		expect(accountPath('acme1', 'users', 'u1', 'devices', 101, 'password')).toBe(
			'/v2/accounts/acme1/users/u1/devices/101/password',
		);
	});

	it('percent-encodes every segment so none can add a path level or a query', () => {
		expect(accountPath('acme', 'users', '../x/y?z#w')).toBe(
			'/v2/accounts/acme/users/..%2Fx%2Fy%3Fz%23w',
		);
	});
});

describe('accountKey: one account, one key, however its base URL was typed', () => {
	it.each([
		['HTTP://LocalHost:4010/', 'http://127.0.0.1:4010 acme'],
		['http://127.0.0.1:4010//', 'http://127.0.0.1:4010 acme'],
		['https://CCM-API.exotel.com:443', 'https://ccm-api.exotel.com acme'],
		['https://ccm-api.in.exotel.com/', 'https://ccm-api.in.exotel.com acme'],
		['http://Proxy.example:80/exotel/', 'http://proxy.example/exotel acme'],
	])('%s', (baseUrl, key) => {
		expect(accountKey(baseUrl, 'acme')).toBe(key);
	});

	it('keeps two accounts, or two ports, apart', () => {
		expect(accountKey('http://127.0.0.1:4010', 'a')).not.toBe(
			accountKey('http://127.0.0.1:4010', 'b'),
		);
		expect(accountKey('http://127.0.0.1:4010', 'a')).not.toBe(
			accountKey('http://127.0.0.1:4011', 'a'),
		);
	});

	it('gives Singapore and Mumbai by region the same key as their hosts typed as a Custom base URL', () => {
		for (const region of ['singapore', 'mumbai'] as const) {
			const byRegion = baseUrlFor({ region });
			const typed = baseUrlFor({
				region: 'custom',
				baseUrl: `${EXOTEL_REGION_HOSTS[region].toUpperCase()}/`,
			});
			expect(
				byRegion.ok && typed.ok && accountKey(byRegion.url, 'x') === accountKey(typed.url, 'x'),
			).toBe(true);
		}
	});
});
