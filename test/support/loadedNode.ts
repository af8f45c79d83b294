/**
 * A node type as n8n's loader hands it to a workflow: a polling node gets n8n's Poll Times
 * parameter (the loader adds it; a workflow drops parameters its node type does not declare).
 */
import type { INodeType } from 'n8n-workflow';
import { commonPollingParameters } from 'n8n-core/dist/nodes-loader/constants';

export function loadedNode<T extends INodeType>(nodeType: T): T {
	if (
		nodeType.description.polling &&
		!nodeType.description.properties.some((p) => p.name === 'pollTimes')
	) {
		nodeType.description.properties.unshift(...commonPollingParameters);
	}
	return nodeType;
}
