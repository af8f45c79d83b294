// The code that is never shipped — tests, the development kit, the end-to-end and benchmark
// tiers, the scripts — linted with ESLint's and typescript-eslint's recommended rules. It runs
// in Node.js on a developer's machine, so n8n's rules for shipped code (eslint.config.mjs: no
// process, timers or node: imports) do not apply to it. Run by `npm run lint:support` (part
// of `npm run lint`) with disable comments ignored, as for nodes/ and credentials/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What the .mjs scripts use of Node.js's globals. */
const nodeGlobals = Object.fromEntries(
	['process', 'console', 'URL', 'Buffer', 'setTimeout', 'clearTimeout', 'fetch'].map((name) => [name, 'readonly']),
);

export default tseslint.config(
	{
		files: ['{test,dev,e2e,bench,scripts}/**/*.{ts,mjs}'],
		extends: [js.configs.recommended, tseslint.configs.recommended],
		languageOptions: { globals: nodeGlobals },
		rules: {
			// Tests and the kit read JSON from n8n, the sandbox and the model loosely on purpose
			// (expect() then checks its shape); typing every such document would rewrite many
			// files and prove nothing more.
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
