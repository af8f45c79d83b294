/**
 * Exotel's SIP password rule as Exotel states it, written independently of the node's
 * validator (nodes/ExotelUsers/helpers/passwordPolicy.ts) so the sandbox, and tests that
 * compare the two, catch a mistake in either.
 */
export function exotelAcceptsSipPassword(password: string): boolean {
	if (Array.from(password).length < 8) return false;
	const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/u];
	return classes.filter((pattern) => pattern.test(password)).length >= 3;
}
