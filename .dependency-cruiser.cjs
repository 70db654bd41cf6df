// The dependency rules of DESIGN.md ("Layout"), checked by test/architecture.test.ts (part of `npm test` and so of
// `npm run check`). Paths are relative to the cruise's base directory (the repository root; a fixture tree in the
// test that proves every rule bites). Rules that dependency-cruiser cannot see (process.env, the clock) are a source
// scan in the same test.

/** The plain-data modules the CDK app may read from the handler tree: they import nothing themselves. */
const PLAIN_DATA_MODULES =
  '^lambda/(http/routes|store/table-schema|runtime/environment-variables|runtime/metric-names|runtime/bundle-aliases)[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-no-aws',
      comment:
        'lambda/domain is pure MPSD rules: no AWS SDK, no Powertools, no aws-lambda types (they belong to the edges).',
      severity: 'error',
      from: { path: '^lambda/domain/' },
      to: { path: '(^|/)(@aws-sdk|@aws-lambda-powertools|@types/aws-lambda|aws-lambda|aws-cdk-lib)(/|$)' },
    },
    {
      name: 'domain-imports-only-domain',
      comment:
        'Dependencies point one way (functions -> runtime -> http -> service -> domain): domain imports no layer.',
      severity: 'error',
      from: { path: '^lambda/domain/' },
      to: { path: '^(lambda|lib|local|test|bench|load)/', pathNot: '^lambda/domain/' },
    },
    {
      name: 'cdk-imports-no-handler-code',
      comment:
        'The CDK app (lib/) reads only plain-data modules from the handler tree (route table, schema, variable names).',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^lambda/', pathNot: PLAIN_DATA_MODULES },
    },
    {
      name: 'plain-data-imports-nothing',
      comment: 'The modules the CDK app reads from lambda/ import nothing, so the app never loads handler code.',
      severity: 'error',
      from: { path: PLAIN_DATA_MODULES },
      to: { path: '.' },
    },
    {
      name: 'only-wiring-imports-dynamodb-adapters',
      comment:
        'Only the wiring picks the DynamoDB adapters (lambda/store/dynamodb-*); everything else sees the store ports.',
      severity: 'error',
      from: {
        path: '^(lambda|lib|local)/',
        pathNot: '^lambda/(runtime/wiring[.]ts|store/dynamodb-[^/]+)$',
      },
      to: { path: '^lambda/store/dynamodb-' },
    },
    {
      name: 'write-loop-knows-no-mpsd',
      comment:
        'The conditional-write loop serves every writer (sessions, handles, timers, connections): it reads the ' +
        'generic store port and the error catalogue only, never a session rule or the session store port.',
      severity: 'error',
      from: { path: '^lambda/service/(conditional-write|attempt-budget|retry-policy|write-queue)[.]ts$' },
      to: { path: '^lambda/(domain|store)/', pathNot: '^lambda/(domain/errors|store/versioned-store)[.]ts$' },
    },
    {
      name: 'handler-tree-imports-no-local',
      comment: 'local/ is the development server around the handlers; what runs in Lambda never loads it.',
      severity: 'error',
      from: { path: '^lambda/' },
      to: { path: '^local/' },
    },
    {
      name: 'tools-import-no-project-code',
      comment:
        'tools/ holds what the load kit, local/ and the tests share (the headless browser, the command runner): it ' +
        'stands below them all and imports none of them, so no arrow runs back up through it.',
      severity: 'error',
      from: { path: '^tools/' },
      to: { path: '^(lambda|lib|local|test|bench|load)/' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes load order matter and hides which module a rule lives in.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing would otherwise slip past every rule above.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript API for dependency-cruiser's tsc parser; @swc/core (already here for jest) parses.
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(cdk[.]out|coverage)/' },
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
