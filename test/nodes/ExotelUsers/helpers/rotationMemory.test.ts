import type { IDataObject } from 'n8n-workflow';

import {
	MAX_REMEMBERED_AGENTS,
	MAX_REMEMBERED_ROTATIONS,
	MEMORY_FIELD,
	RotationMemory,
	describeTime,
} from '../../../../nodes/ExotelUsers/helpers/rotationMemory';

describe('what the workflow remembers about its Rotation IDs', () => {
	let now = 1_000;
	const clock = () => now;

	it('keeps the first key id and length of a rotation, and when each device was set', () => {
		const data: IDataObject = {};
		const memory = new RotationMemory(data, clock);
		expect(memory.start('acct', 'q4', 'aaaa1111', 16)).toMatchObject({
			key_id: 'aaaa1111',
			length: 16,
			started: 1_000,
		});
		now = 2_000;
		expect(memory.start('acct', 'q4', 'bbbb2222', 20)).toMatchObject({
			key_id: 'aaaa1111',
			length: 16,
		});
		memory.markDone([
			{
				account: 'acct',
				rotationId: 'q4',
				userId: 'u1',
				deviceId: '101',
				keyId: 'aaaa1111',
				length: 16,
			},
		]);
		expect(memory.doneAt('acct', 'q4', 'u1', '101')).toBe(2_000);
		expect(memory.doneAt('acct', 'q4', 'u1', '102')).toBeUndefined();
		expect(memory.doneAt('other', 'q4', 'u1', '101')).toBeUndefined();
		// What n8n saves is JSON, and a new run reads it back the same.
		const reloaded = new RotationMemory(JSON.parse(JSON.stringify(data)) as IDataObject, clock);
		expect(reloaded.doneAt('acct', 'q4', 'u1', '101')).toBe(2_000);
		expect(JSON.stringify(data)).not.toMatch(/password/i);
	});

	it('ignores stored data it cannot trust, record by record', () => {
		const data: IDataObject = {
			[MEMORY_FIELD]: {
				version: 1,
				accounts: {
					acct: {
						good: { key_id: 'k', length: 16, started: 1, done: { 'u/1': 5 } },
						bad: { key_id: 3, done: [] },
						worse: null,
					},
					x: [],
				},
			},
		};
		const memory = new RotationMemory(data, clock);
		expect(memory.doneAt('acct', 'good', 'u', '1')).toBe(5);
		expect(memory.rotation('acct', 'bad')).toBeUndefined();
		expect(
			new RotationMemory({ [MEMORY_FIELD]: 'garbage' }, clock).rotation('acct', 'good'),
		).toBeUndefined();
	});

	it('forgets the oldest rotations first once it holds too many devices or rotations', () => {
		const data: IDataObject = {};
		const memory = new RotationMemory(data, clock);
		const devices = (rotationId: string, n: number) =>
			Array.from({ length: n }, (_, i) => ({
				account: 'acct',
				rotationId,
				userId: `u${i}`,
				deviceId: '1',
				keyId: 'k',
				length: 16,
			}));
		now = 1;
		memory.markDone(devices('old', MAX_REMEMBERED_AGENTS / 2));
		now = 2;
		memory.markDone(devices('new', MAX_REMEMBERED_AGENTS / 2 + 1));
		expect(memory.rotation('acct', 'old')).toBeUndefined();
		expect(memory.doneAt('acct', 'new', 'u0', '1')).toBe(2);

		const runs = new RotationMemory({}, clock);
		for (let i = 0; i <= MAX_REMEMBERED_ROTATIONS; i++) {
			now = 10 + i;
			runs.start('acct', `run-${i}`, 'k', 16);
		}
		expect(runs.rotation('acct', 'run-0')).toBeUndefined();
		expect(runs.rotation('acct', 'run-1')).toBeDefined();
		expect(runs.rotation('acct', `run-${MAX_REMEMBERED_ROTATIONS}`)).toBeDefined();
	});

	it('tells a rotation started before this node run from one it started itself, and keeps what a stopped run changed until it is done', () => {
		const data: IDataObject = {};
		const first = new RotationMemory(data, clock);
		first.start('acct', 'q1', 'k', 16);
		expect(first.startedBefore('acct', 'q1')).toBe(false);
		now = 3_000;
		first.markChanged([
			{ account: 'acct', rotationId: 'q1', userId: 'u1', deviceId: '101' },
			{ account: 'acct', rotationId: 'q1', userId: 'u2', deviceId: '102' },
			{ account: 'acct', rotationId: 'never-started', userId: 'u3', deviceId: '103' },
		]);
		const next = new RotationMemory(JSON.parse(JSON.stringify(data)) as IDataObject, clock);
		expect(next.startedBefore('acct', 'q1')).toBe(true);
		expect(next.startedBefore('acct', 'never-started')).toBe(false);
		expect(next.startedBefore('other', 'q1')).toBe(false);
		expect(next.changedNotDone('acct', 'q1')).toEqual({ 'u1/101': 3_000, 'u2/102': 3_000 });
		next.markDone([
			{ account: 'acct', rotationId: 'q1', userId: 'u1', deviceId: '101', keyId: 'k', length: 16 },
		]);
		expect(next.changedNotDone('acct', 'q1')).toEqual({ 'u2/102': 3_000 });
		expect(
			new RotationMemory({
				[MEMORY_FIELD]: {
					version: 1,
					accounts: {
						acct: { q: { key_id: 'k', length: 16, started: 1, done: {}, changed: { 'u/1': 'x' } } },
					},
				},
			}).rotation('acct', 'q'),
		).toBeUndefined();
	});

	it('says when, in UTC, to the minute', () => {
		expect(describeTime(Date.UTC(2026, 11, 6, 11, 58, 30))).toBe('2026-12-06 11:58 UTC');
	});
});
