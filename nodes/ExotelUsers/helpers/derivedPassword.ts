/**
 * Repeatable SIP passwords (key diversification): the password of one agent's device in one
 * rotation is an HMAC of the rotation, the account, the user and the device under a secret key.
 * A run that died half-way and is run again with the same Rotation ID sets — and hands on —
 * the same password it set the first time, so no agent is left with a password nobody received,
 * and no agent receives two different ones. The same agent twice in one run gets one password.
 *
 * No password is stored: the key lives in n8n's encrypted credential, and the Rotation ID names
 * the change (a ticket, an HR event, a quarter). A new Rotation ID gives new passwords.
 */
import { createHmac } from 'node:crypto';

import { generateSipPassword, type IndexSource } from './passwordGenerator';

/** Labels keep keys and streams made for one purpose from ever equalling those of another. */
const ROOT_CONTEXT = 'n8n-nodes-exotel-users/sip-password-key/v1';
const STREAM_CONTEXT = 'n8n-nodes-exotel-users/sip-password/v1';

/**
 * The derivation key, from the credential's SIP Password Key alone (checked by the caller: see
 * passwordKey.ts). Never the API token: whoever reads accounts with the token must not be able
 * to compute agents' passwords.
 */
export function derivationKey(passwordKey: string): Buffer {
	return createHmac('sha256', passwordKey).update(`${ROOT_CONTEXT}/own`).digest();
}

export interface DerivationInput {
	rotationId: string;
	accountSid: string;
	userId: string;
	deviceId: string;
	length: number;
}

/**
 * An endless stream of bytes from HMAC-SHA256 in counter mode, read as unbiased whole numbers
 * (values past the largest multiple of `max` are skipped, as crypto.randomInt does).
 */
function hmacIndexSource(key: Buffer, message: string): IndexSource {
	let block = Buffer.alloc(0);
	let used = 0;
	let counter = 0;
	const nextByte = () => {
		if (used === block.length) {
			block = createHmac('sha256', key).update(`${message}\u0000${counter++}`).digest();
			used = 0;
		}
		return block[used++];
	};
	return (max) => {
		// Two bytes per draw: every range the generator asks for is far below 65 536.
		const limit = 65536 - (65536 % max);
		for (;;) {
			const value = nextByte() * 256 + nextByte();
			if (value < limit) return value % max;
		}
	};
}

/** The password of this device in this rotation: the same inputs give the same password, anywhere. */
export function deriveSipPassword(key: Buffer, input: DerivationInput): string {
	const message = JSON.stringify([
		STREAM_CONTEXT,
		input.rotationId,
		input.accountSid,
		input.userId,
		input.deviceId,
		input.length,
	]);
	return generateSipPassword(input.length, hmacIndexSource(key, message));
}
