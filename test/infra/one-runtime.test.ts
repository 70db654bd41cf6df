import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SessionDirectoryStack } from '../../lib/session-directory-stack';
import { type Json, NO_BUNDLING } from './stack-fixtures';

// One runtime (issue 15 item 9): development, tests, CI and Lambda on one Node major. The Lambda runtime of every
// function, esbuild's target, package.json's engines, @types/node, .nvmrc and the Node .ci/run installs all name it.

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const packageJson = JSON.parse(read('package.json')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const template = Template.fromStack(new SessionDirectoryStack(new App({ context: NO_BUNDLING }), 'OneRuntime'));
const runtimes = new Set(
  (Object.values(template.findResources('AWS::Lambda::Function')) as Json[]).map(
    (fn) => (fn.Properties as Json).Runtime,
  ),
);
const major = String([...runtimes][0]).replace(/^nodejs(\d+)\.x$/, '$1');

it('every function runs on one Lambda Node.js runtime', () => {
  expect([...runtimes]).toEqual([`nodejs${major}.x`]);
});

it('package.json’s engines, @types/node and .nvmrc name the same major', () => {
  expect(packageJson.engines.node).toMatch(new RegExp(`^>=${major}\\.\\d+ <${Number(major) + 1}$`));
  expect(packageJson.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${major}\\.`));
  expect(read('.nvmrc').trim()).toBe(major);
});

it('CI installs that major when the machine’s Node is another or older than engines allows, and bundles target it', () => {
  const minor = packageJson.engines.node.replace(/^>=\d+\.(\d+) .*$/, '$1');
  expect(read('.ci/run')).toContain(`NODE_MAJOR=${major}\nNODE_MIN_MINOR=${minor}\n`);
  expect(read('lib/constructs/session-function.ts')).toContain(`target: 'node${major}'`);
});

// In CI (CI=true, as .ci/run sets it) the suite itself must run on it; a developer still on an older Node is told by
// npm's engines warning and the README, not by a failing suite.
(process.env.CI === 'true' ? it : it.skip)('the tests themselves run on it in CI', () => {
  expect(process.versions.node.split('.')[0]).toBe(major);
});
