/**
 * Every form the credential's secrets can take in an answer that echoes a request: a proxy
 * repeating the Authorization header, a server logging a URL, an error page quoting a query.
 * The token and `key:token` (what the Basic header carries) and the SIP Password Key, each
 * raw, in base64 with and without padding, in base64url, and percent-encoded (as
 * encodeURIComponent writes it, as RFC 3986 strictly does, and as a form does). Pure.
 */

/** The base64 forms of a text: standard, without padding, URL-safe with and without padding. */
export function base64Forms(text: string): string[] {
	const padded = Buffer.from(text, 'utf8').toString('base64');
	const unpadded = padded.replace(/=+$/, '');
	const url = unpadded.replace(/\+/g, '-').replace(/\//g, '_');
	return [padded, unpadded, url, url + padded.slice(unpadded.length)];
}

/** The percent-encoded forms of a text: encodeURIComponent's, RFC 3986's (also !'()*), and a form's (a space as +). */
export function percentForms(text: string): string[] {
	const component = encodeURIComponent(text);
	const strict = component.replace(
		/[!'()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
	);
	return [component, strict, component.replace(/%20/g, '+')];
}

/** A secret and every encoding of it above, each once. */
export function encodedForms(secret: string): string[] {
	const forms = [secret, ...base64Forms(secret)];
	return [...new Set([...forms, ...forms.flatMap(percentForms)])];
}

/**
 * What must never appear in an error or an output: the token, `key:token` and the SIP
 * Password Key, in every form above. The key alone is the Basic user name, not a secret.
 */
export function credentialSecrets(key: string, token: string, passwordKey = ''): string[] {
	const secrets = token === '' ? [] : [...encodedForms(token), ...encodedForms(`${key}:${token}`)];
	if (passwordKey !== '') secrets.push(...encodedForms(passwordKey));
	return [...new Set(secrets)];
}
