// Until issue 21 moves scripts/ into tools/: the tools' rules, and their exception for this folder.
import tools from '../tools/eslint.config.mjs';

export default [
	...tools,
	{ files: ['demo.ts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
];
