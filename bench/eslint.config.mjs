// Until issue 21 moves bench/ into tools/: the tools' rules, and their exception for this folder.
import tools from '../tools/eslint.config.mjs';

export default [
	...tools,
	{ files: ['lib.ts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
];
