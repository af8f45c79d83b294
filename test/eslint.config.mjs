// The unit and integration tests: never shipped, run by jest in Node.js, so n8n's rules for
// shipped code (the root eslint.config.mjs: no process, timers or node: imports) do not apply.
// ESLint reads this file for test/ when the flag unstable_config_lookup_from_file is on, as
// `npm run lint` sets it; disable comments are ignored there (--no-inline-config).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// typescript-eslint's recommended rules, read from its plugin: `tseslint.configs.recommended`
// would record this folder as a tsconfig root, and with two nested configs recording two, the
// n8n plugin's credential check (no-credential-reuse) can no longer parse the credential.
const recommended = tseslint.plugin.configs['flat/recommended'];

export default tseslint.config({
	files: ['**/*.{ts,mjs}'],
	extends: [js.configs.recommended, recommended],
	rules: {
		// Tests read JSON from n8n, the sandbox and the model loosely on purpose (expect() then
		// checks its shape); typing every such document would prove nothing more.
		'@typescript-eslint/no-explicit-any': 'off',
		// `const { secret: _dropped, ...rest } = x` is how a field is left out of a copy.
		'@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
		// A `let` that a shutdown handler reads before start-up assigns it must stay a `let`.
		'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
	},
});
