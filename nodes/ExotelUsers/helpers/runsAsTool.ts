/**
 * Whether the node runs as an AI Agent tool. n8n runs a `usableAsTool` node under its own
 * type name plus "Tool" (`CUSTOM.exotelUsersTool`, `n8n-nodes-exotel-users.exotelUsersTool`),
 * the name its editor and `displayOptions` '@tool' also go by.
 */
export function runsAsTool(nodeType: string): boolean {
	return (nodeType.split('.').pop() ?? '').endsWith('Tool');
}
