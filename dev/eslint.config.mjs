// Until issue 21 moves dev/ into tools/: the tools' rules, and their exception for this folder.
import tools from '../tools/eslint.config.mjs';

export default [
	...tools,
	{ files: ['n8n/workflows.ts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
];
