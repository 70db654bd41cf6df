// @swc/jest compiles TypeScript (ts-jest refuses TypeScript 7). jose and friend-connect (test/conformance) ship ESM
// only, so they are compiled too.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|friend-connect)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Generous: the suite must pass on a busy 2-core machine; a deadline, never a measure of speed (DESIGN.md).
  testTimeout: 180000,
  // Enforced by `npm run check` (jest --coverage); a plain `npm test` collects no coverage. Floors a little under
  // what the suite reaches today (2026-11: domain 91/86/98/94 %, store 98/88/100/99 %, statements/branches/functions/
  // lines), so a new rule or store path without tests fails the check.
  collectCoverageFrom: ['lambda/domain/**/*.ts', 'lambda/store/**/*.ts'],
  coverageReporters: ['text-summary'],
  coverageThreshold: {
    './lambda/domain/': { statements: 88, branches: 82, functions: 95, lines: 90 },
    './lambda/store/': { statements: 95, branches: 85, functions: 100, lines: 95 },
  },
};
