import {
	newStamp,
	stampOf,
	UnsavedStates,
} from '../../../../nodes/ExotelUsersTrigger/helpers/unsavedState';
import { newState } from '../../../../nodes/ExotelUsersTrigger/helpers/usersState';

describe('UnsavedStates', () => {
	const written = { ...newState('acct'), offset: 1_250, users: { u1: '0+1' }, stamp: newStamp() };

	it('goes on from what the last poll wrote while the stored state is still the one it started from', () => {
		const unsaved = new UnsavedStates();
		unsaved.remember('wf/node', 'stamp-before', written);
		const state = unsaved.goOn('wf/node', 'stamp-before', 'acct');
		expect(state).toEqual(written);
		state!.users.u2 = '0+';
		expect(written.users).not.toHaveProperty('u2');
	});

	it('lets a newer stored state win (saved with events, or by another process), and another account, and another trigger', () => {
		const unsaved = new UnsavedStates();
		unsaved.remember('wf/node', 'stamp-before', written);
		expect(unsaved.goOn('wf/node', written.stamp, 'acct')).toBeUndefined();
		expect(unsaved.goOn('wf/node', 'stamp-before', 'other')).toBeUndefined();
		expect(unsaved.goOn('wf/other', 'stamp-before', 'acct')).toBeUndefined();
	});

	it('names a stored state by its stamp, or by a hash when it has none', () => {
		expect(stampOf(undefined)).toBe('none');
		expect(stampOf(written)).toBe(written.stamp);
		expect(stampOf({ version: 1, users: [] })).toMatch(/^sha256:/);
		expect(stampOf({ version: 1, users: [] })).toBe(stampOf({ version: 1, users: [] }));
		expect(stampOf({ version: 1, users: [] })).not.toBe(stampOf({ version: 1, users: [{}] }));
		expect(newStamp()).not.toBe(newStamp());
	});
});
