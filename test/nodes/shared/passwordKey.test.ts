/**
 * The SIP Password Key check, and its twin in the credential test's expression: both must say
 * the same of every kind of key, or the test would pass a key a run refuses (or the reverse).
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Workflow, type INode } from 'n8n-workflow';

import {
	keyId,
	PASSWORD_KEY_WEAK_EXPRESSION,
	passwordKeyBits,
	passwordKeyProblems,
} from '../../../nodes/shared/passwordKey';

const node: INode = {
	id: 'n',
	name: 'n',
	type: 'test',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};
const workflow = new Workflow({
	nodes: [node],
	connections: {},
	active: false,
	nodeTypes: {
		getByName: () => undefined,
		getByNameAndVersion: () => undefined,
		getKnownTypes: () => ({}),
	} as never,
});

/** The credential test's verdict, evaluated by n8n's own expression engine. */
function weakByExpression(passwordKey: unknown, apiToken = 'tok-1'): boolean {
	const value = workflow.expression.getSimpleParameterValue(
		node,
		`={{ ${PASSWORD_KEY_WEAK_EXPRESSION} }}`,
		'internal',
		{ $credentials: { passwordKey, apiToken } } as never,
		undefined,
		'',
	);
	if (typeof value !== 'boolean') throw new Error(`the expression gave ${String(value)}`);
	return value;
}
const weakByRun = (key: string, apiToken = 'tok-1') =>
	key !== '' && passwordKeyProblems(key, { apiToken }).length > 0;

describe('SIP Password Key strength', () => {
	it('accepts the keys the docs tell people to make, even one with no digit, + or /', () => {
		expect(passwordKeyProblems('kQvTzRmWbXcYdNpLsHfGjKaEuVtBnMqPwZrXyCsDeFg=')).toEqual([]);
		for (let i = 0; i < 200; i++) {
			for (const key of [
				randomBytes(32).toString('base64'),
				randomBytes(32).toString('hex'),
				randomBytes(32).toString('base64url'),
			]) {
				expect(passwordKeyProblems(key)).toEqual([]);
			}
		}
	});

	it('refuses short, patterned, spaced keys and the API token, naming what is wrong', () => {
		expect(passwordKeyProblems('x')).toEqual([
			'uses only 1 different characters',
			'has about 4 bits of randomness; at least 256 are needed',
		]);
		expect(passwordKeyProblems('a-long-random-secret-of-the-team')).toContain(
			'has about 187 bits of randomness; at least 256 are needed',
		);
		expect(passwordKeyProblems('ab'.repeat(64))).toEqual(
			expect.arrayContaining(['is one piece repeated', 'uses only 2 different characters']),
		);
		expect(passwordKeyProblems(`${randomBytes(32).toString('base64')} `)).toContain(
			'contains whitespace (a space, tab or line break): paste the key alone',
		);
		const token = randomBytes(40).toString('hex');
		expect(passwordKeyProblems(token, { apiToken: token })).toEqual([
			'is the API token: make a separate key',
		]);
	});

	it('counts bits by the smallest alphabet that holds the key', () => {
		expect(passwordKeyBits('0123456789'.repeat(8))).toBe(265); // digits: log2(10) each
		expect(passwordKeyBits('ab'.repeat(32))).toBe(256); // hex
		expect(passwordKeyBits('Zy'.repeat(21))).toBe(252); // base64: 6 each
		expect(passwordKeyBits('=')).toBe(0);
	});

	it('the credential test’s expression agrees with the run’s check on every kind of key', () => {
		const samples = [
			'',
			'x',
			'ab'.repeat(64),
			randomBytes(32).toString('base64'),
			randomBytes(32).toString('hex'),
			`${randomBytes(32).toString('base64')} `,
			'tok-1',
			'a-long-random-secret-of-the-team',
			'0123456789'.repeat(8),
			randomBytes(24).toString('base64'),
			'ÄÖÜäöüß€'.repeat(10),
		];
		for (const key of samples) expect([key, weakByExpression(key)]).toEqual([key, weakByRun(key)]);
		fc.assert(
			fc.property(
				fc.oneof(
					fc.string({ maxLength: 80 }),
					fc.base64String({ minLength: 30, maxLength: 60 }),
					fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 50, maxLength: 80 }),
					fc.string({ unit: 'binary', maxLength: 60 }),
				),
				(key) => {
					expect(weakByExpression(key)).toBe(weakByRun(key));
				},
			),
			{ numRuns: 300 },
		);
		expect(weakByExpression(undefined)).toBe(false); // a credential saved before the field existed
	});

	it('names a key by 8 hex characters that say nothing about it', () => {
		const key = randomBytes(32).toString('base64');
		expect(keyId(key)).toMatch(/^[0-9a-f]{8}$/);
		expect(keyId(key)).toBe(keyId(key));
		expect(keyId(key)).not.toBe(keyId(randomBytes(32).toString('base64')));
		expect(key).not.toContain(keyId(key));
	});
});
