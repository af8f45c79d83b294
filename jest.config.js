/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// Type errors are caught by `npm run typecheck`; transpiling alone keeps jest fast.
	transform: { '^.+\\.ts$': 'ts-jest' },
	testTimeout: 20000,
};
