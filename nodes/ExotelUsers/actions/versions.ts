import type { INodeProperties } from 'n8n-workflow';

/**
 * The node's versions. A saved workflow keeps the version it was built with, and n8n fills
 * in every parameter it did not save from that version's defaults — so a default can only
 * change in a new version.
 *
 * 2: User → operation defaults to Get (a read; also the AI tool's default), Update SIP
 * Password to Generate a Password, Device is a picker, Get Many's Include is its own option.
 */
export const NODE_VERSIONS = [1, 2];

/** The property, shown only in the given versions of the node. */
export function inVersions(versions: number[], property: INodeProperties): INodeProperties {
	const show = { ...property.displayOptions?.show, '@version': versions };
	return { ...property, displayOptions: { ...property.displayOptions, show } };
}
