/**
 * Switches that make a run fail part-way, so a builder can watch recovery work: `npm start --
 * --exotel-5xx-at N` and `npm run sandbox -- --exotel-5xx-at N` (a 5xx from Exotel in the middle
 * of a rotation), `npm start -- --kill-n8n-at N` (n8n killed in the middle of one). Both count
 * the password changes Exotel accepted since the start.
 */
import type { ExotelSandbox, RecordedRequest } from './server';

/** Exotel's SIP password change, as fault rules name a route. */
export const PASSWORD_CHANGE_ROUTE = 'PUT users/:userId/devices/:deviceId/password';

/** The node's default Max Attempts: a fault that lasts this many requests outlasts its retries. */
export const NODE_DEFAULT_ATTEMPTS = 6;

/** Whether the sandbox answered a SIP password change with success. */
export function isAcceptedPasswordChange(
	request: Pick<RecordedRequest, 'method' | 'segments' | 'status'>,
): boolean {
	const s = request.segments;
	// /v2/accounts/{sid}/users/{userId}/devices/{deviceId}/password
	return (
		request.method === 'PUT' &&
		s.length === 8 &&
		s[3] === 'users' &&
		s[5] === 'devices' &&
		s[7] === 'password' &&
		request.status >= 200 &&
		request.status < 300
	);
}

/** A request hook that calls `act` once, right after the `n`-th accepted password change it sees. */
export function afterPasswordChanges(
	n: number,
	act: () => void,
): (request: RecordedRequest) => void {
	let seen = 0;
	return (request) => {
		if (seen >= n || !isAcceptedPasswordChange(request)) return;
		seen++;
		if (seen === n) act();
	};
}

/**
 * Makes the `n`-th password change (counted from now) answer 503 `attempts` times in a row,
 * then lets Exotel answer again: the item fails through the node's retries, and a re-run of
 * the same rotation succeeds. Returns the request hook to feed every recorded request to.
 */
export function failPasswordChangeAt(
	sandbox: Pick<ExotelSandbox, 'faults'>,
	n: number,
	attempts = NODE_DEFAULT_ATTEMPTS,
): (request: RecordedRequest) => void {
	const arm = () =>
		void sandbox.faults.add({
			kind: 'status',
			status: 503,
			times: attempts,
			route: PASSWORD_CHANGE_ROUTE,
		});
	if (n <= 1) {
		arm();
		return () => undefined;
	}
	return afterPasswordChanges(n - 1, arm);
}
