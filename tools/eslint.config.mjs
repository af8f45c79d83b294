// The tools that are never shipped — the development kit, the end-to-end and benchmark tiers,
// the scripts. They run in Node.js on a developer's machine, so n8n's rules for shipped code
// (the root eslint.config.mjs: no process, timers or node: imports) do not apply to them.
// ESLint reads this file for tools/ when the flag unstable_config_lookup_from_file is on, as
// `npm run lint` sets it; disable comments are ignored there (--no-inline-config).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// typescript-eslint's recommended rules, read from its plugin: `tseslint.configs.recommended`
// would record this folder as a tsconfig root, and with two nested configs recording two, the
// n8n plugin's credential check (no-credential-reuse) can no longer parse the credential.
const recommended = tseslint.plugin.configs['flat/recommended'];

/** What the .mjs scripts use of Node.js's globals. */
const nodeGlobals = Object.fromEntries(
	['process', 'console', 'URL', 'Buffer', 'setTimeout', 'clearTimeout', 'fetch'].map((name) => [
		name,
		'readonly',
	]),
);

export default tseslint.config(
	{
		files: ['**/*.{ts,mjs}'],
		extends: [js.configs.recommended, recommended],
		languageOptions: { globals: nodeGlobals },
		rules: {
			// The kit reads JSON from n8n, the sandbox and the model loosely on purpose (the tests
			// then check its shape); typing every such document would prove nothing more.
			'@typescript-eslint/no-explicit-any': 'off',
			// `const { secret: _dropped, ...rest } = x` is how a field is left out of a copy.
			'@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
			// A `let` that a shutdown handler reads before start-up assigns it must stay a `let`.
			'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
		},
	},
	{
		// These load the BUILT node from dist/ (or BENCH_DIST) at run time, by a computed path: a
		// static import would load the TypeScript sources instead, which is not what they test.
		files: ['bench/lib.ts', 'dev/n8n/workflows.ts', 'scripts/demo.ts'],
		rules: { '@typescript-eslint/no-require-imports': 'off' },
	},
);
