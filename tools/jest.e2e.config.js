/** The end-to-end tier: the node inside a real n8n (see tools/e2e/). Run with `npm run test:e2e`. */
/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/e2e'],
	testMatch: ['**/*.e2e.test.ts'],
	transform: { '^.+\\.ts$': 'ts-jest' },
	testTimeout: 600_000,
	maxWorkers: 1,
};
