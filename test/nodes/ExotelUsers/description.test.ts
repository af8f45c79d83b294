/**
 * What the editor shows: the node's parameters, their hints and defaults, read from the
 * description n8n loads. (What only a browser shows is checked by the browser tier.)
 */
import type { INodeProperties } from 'n8n-workflow';

import { ExotelUsers } from '../../../nodes/ExotelUsers/ExotelUsers.node';

const properties = new ExotelUsers().description.properties;

/** Every property (collection options included) shown for a resource and operation. */
function shownFor(resource: string, operation: string): INodeProperties[] {
	return properties
		.filter((p) => {
			const show = p.displayOptions?.show;
			return !show || ((show.resource ?? [resource]).includes(resource) && (show.operation ?? [operation]).includes(operation));
		})
		.flatMap((p) => [p, ...((p.options ?? []).filter((o) => 'displayName' in o && 'type' in o) as INodeProperties[])]);
}

function field(resource: string, operation: string, name: string): INodeProperties {
	const found = shownFor(resource, operation).find((p) => p.name === name);
	if (!found) throw new Error(`no parameter ${name} in ${resource} → ${operation}`);
	return found;
}

describe('the node’s parameters in the editor', () => {
	it.each([
		['create', 'firstName'],
		['create', 'lastName'],
		['update', 'firstName'],
		['update', 'lastName'],
	])('User → %s: %s says in its visible hint what Exotel allows in a name', (operation, name) => {
		expect(field('user', operation, name).hint).toBe("3 to 20 characters: A–Z, a–z, 0–9, space, . ' and - (no accented letters such as é)");
	});
});
