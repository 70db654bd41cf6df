import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// The dependency rules of DESIGN.md, as .dependency-cruiser.cjs states them, over the real tree; and proof that each
// rule bites, on a fixture tree (test/architecture/fixtures/violations) that breaks every one of them.

const ROOT = path.resolve(__dirname, '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const FIXTURE = path.join(ROOT, 'test', 'architecture', 'fixtures', 'violations');

interface Violation {
  readonly rule: string;
  readonly from: string;
  readonly to: string;
}

interface Cruise {
  readonly ruleNames: readonly string[];
  readonly modules: readonly string[];
  readonly violations: readonly Violation[];
}

/** Runs dependency-cruiser's API in a child process (it is ESM only; Jest runs CommonJS): test/support/cruise.mjs. */
function cruise(baseDir: string, paths: readonly string[]): Cruise {
  const output = execFileSync(
    process.execPath,
    [path.join(ROOT, 'test', 'support', 'cruise.mjs'), CONFIG, baseDir, ...paths],
    { cwd: baseDir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(output) as Cruise;
}

const describeViolation = (v: Violation) => `${v.rule}: ${v.from} -> ${v.to}`;

describe('the dependency rules', () => {
  let tree: Cruise;
  beforeAll(() => {
    tree = cruise(ROOT, ['lambda', 'lib', 'local', 'bench', 'load', 'tools']);
  });

  it('hold for the whole tree (lambda, lib, local, bench, load, tools)', () => {
    expect(tree.violations.map(describeViolation)).toEqual([]);
  });

  it('see the tree, type-only imports included', () => {
    expect(tree.modules).toEqual(
      expect.arrayContaining([
        'lambda/domain/json.ts',
        'lambda/runtime/wiring.ts',
        'lib/app.ts',
        'local/start.ts',
        'tools/run-command.ts',
      ]),
    );
    // lambda/http/api-types.ts has only `import type` from aws-lambda: the rule on the domain needs to see such imports.
    expect(tree.modules).toContain('node_modules/@types/aws-lambda/index.d.ts');
  });

  it('each bite: the fixture tree breaks every rule, and only where it means to', () => {
    const fixture = cruise(FIXTURE, ['lambda', 'lib', 'local', 'tools']);
    const normalise = (to: string) => to.replace(/^(\.\.\/)+node_modules\//, 'node_modules/');
    expect(fixture.violations.map((v) => describeViolation({ ...v, to: normalise(v.to) })).sort()).toEqual(
      [
        'cdk-imports-no-handler-code: lib/stack.ts -> lambda/http/handler.ts',
        'domain-imports-only-domain: lambda/domain/uses-service.ts -> lambda/service/writer.ts',
        'domain-no-aws: lambda/domain/uses-aws.ts -> node_modules/@aws-sdk/client-dynamodb/dist-es/index.js',
        'domain-no-aws: lambda/domain/uses-aws.ts -> node_modules/@types/aws-lambda/index.d.ts',
        'handler-tree-imports-no-local: lambda/http/handler.ts -> local/server.ts',
        'no-circular: lambda/service/loop.ts -> lambda/service/writer.ts',
        'not-to-unresolvable: lambda/http/handler.ts -> ./missing',
        'only-wiring-imports-dynamodb-adapters: lambda/service/writer.ts -> lambda/store/dynamodb-session-store.ts',
        'plain-data-imports-nothing: lambda/http/routes.ts -> lambda/http/handler.ts',
        'tools-import-no-project-code: tools/uses-local.ts -> local/server.ts',
        'write-loop-knows-no-mpsd: lambda/service/conditional-write.ts -> lambda/domain/session/commit.ts',
      ].sort(),
    );
    expect(new Set(fixture.violations.map((v) => v.rule))).toEqual(new Set(fixture.ruleNames));
  });
});

/**
 * What dependency-cruiser cannot see: the domain reads neither the environment nor the clock (time comes in as an
 * argument, so rules are tested at any instant). `new Date(epochMs)` converts a given instant and is allowed.
 */
const DOMAIN_FORBIDDEN = [
  { what: 'process.env', pattern: /\bprocess\.env\b/ },
  { what: 'Date.now()', pattern: /\bDate\.now\s*\(/ },
  { what: 'new Date() (the current time)', pattern: /\bnew Date\s*\(\s*\)/ },
  { what: 'performance.now()', pattern: /\bperformance\.now\s*\(/ },
];

function domainScan(domainDir: string): string[] {
  const findings: string[] = [];
  for (const file of readdirSync(domainDir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const lines = readFileSync(path.join(domainDir, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const { what, pattern } of DOMAIN_FORBIDDEN) {
        if (pattern.test(line)) findings.push(`${file}:${i + 1} uses ${what}`);
      }
    });
  }
  return findings.sort();
}

describe('the domain', () => {
  it('reads neither the environment nor the clock', () => {
    expect(domainScan(path.join(ROOT, 'lambda', 'domain'))).toEqual([]);
  });

  it('scan bites: it finds each in the fixture tree', () => {
    expect(domainScan(path.join(FIXTURE, 'lambda', 'domain'))).toEqual([
      'reads-env-and-clock.ts:2 uses process.env',
      'reads-env-and-clock.ts:3 uses Date.now()',
      'reads-env-and-clock.ts:4 uses new Date() (the current time)',
    ]);
  });
});
