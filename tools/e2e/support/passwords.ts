import type { ExotelSandbox } from '../../dev/sandbox/server';

/**
 * Whether `text` contains the password whose sandbox fingerprint is `fingerprint`: every run
 * of the generator's characters is tried at every length a password can have (8–64).
 */
export function containsPassword(
	sandbox: ExotelSandbox,
	text: string,
	fingerprint: string,
): boolean {
	for (const run of text.match(/[A-Za-z0-9._-]{8,}/g) ?? []) {
		for (let length = 8; length <= Math.min(64, run.length); length++) {
			for (let start = 0; start + length <= run.length; start++) {
				if (sandbox.fingerprint(run.slice(start, start + length)) === fingerprint) return true;
			}
		}
	}
	return false;
}
