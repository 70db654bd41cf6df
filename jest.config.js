// @swc/jest compiles TypeScript (ts-jest refuses TypeScript 7). jose ships ESM only, so it is compiled too.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Generous: the suite must pass on a busy 2-core machine; a deadline, never a measure of speed (DESIGN.md).
  testTimeout: 180000,
};
