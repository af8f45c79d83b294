import type { INodeProperties } from 'n8n-workflow';

/**
 * What n8n's editor writes when "Let the model define this parameter" is clicked, and shows
 * as "Defined automatically by the model".
 */
const FROM_AI_MARKER = '/*n8n-auto-generated-fromAI-override*/';

/**
 * A `$fromAI()` expression as n8n's editor writes it. n8n builds the model's tool schema from
 * these arguments alone (never from a property's description), so the description written
 * for the model goes here. Keys are what n8n allows: letters, digits, `_` and `-`.
 */
export function fromAi(
	key: string,
	description: string,
	type: 'string' | 'number' | 'boolean' = 'string',
): string {
	// The description sits in a template literal, so it may hold no backtick, backslash or
	// placeholder (checked by the tests for every one the node declares).
	return `={{ ${FROM_AI_MARKER} $fromAI('${key}', \`${description}\`, '${type}') }}`;
}

/**
 * A parameter an AI model fills when the node runs as an AI Agent tool: as it is for the
 * plain node, and for the tool (displayOptions '@tool') with its default already "defined by
 * the model", under the key the editor itself would use, with a description written for the
 * model. The workflow's author can still set it by hand, or edit the description.
 */
export function modelFilled(
	property: INodeProperties,
	key: string,
	description = property.description ?? '',
): INodeProperties[] {
	const expression = fromAi(
		key,
		description,
		property.type === 'number' ? 'number' : property.type === 'boolean' ? 'boolean' : 'string',
	);
	const toolDefault =
		property.type === 'resourceLocator' ? { mode: 'id', value: expression } : expression;
	const displayOptions = property.displayOptions ?? {};
	return [
		{
			...property,
			displayOptions: { ...displayOptions, hide: { ...displayOptions.hide, '@tool': [true] } },
		},
		{
			...property,
			default: toolDefault,
			displayOptions: { ...displayOptions, show: { ...displayOptions.show, '@tool': [true] } },
		},
	];
}
