import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { lambdaBundleOptions } from '../../bench/bundles';

// Every Lambda bundle replaces the SDK's default credential chain with its first link, the environment
// (lambda/runtime/lambda-credentials.ts, BUNDLE_ALIASES). A client bundled with the Lambda bundles' own options
// (bench/bundles.ts, the CDK construct's twin) is run in a fresh process against DynamoDB Local: with the role's
// credentials in the environment, as Lambda gives them, it is answered; with credentials only in a profile file, which
// the full chain would read, it finds none; and none of the chain's other providers is in the bundle.

jest.setTimeout(120_000);

const endpoint = process.env.DYNAMODB_ENDPOINT as string;
let dir: string;
let bundle: string;
let inputs: string[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lambda-credentials-'));
  bundle = path.join(dir, 'probe.mjs');
  const result = await build({
    ...lambdaBundleOptions('test/runtime/fixtures/credentials-probe.ts', bundle),
    sourcemap: false,
    metafile: true,
  });
  inputs = Object.keys(result.metafile?.inputs ?? {});
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bundle with only `env` (and PATH) in its environment and a home folder of its own. */
function probe(env: Record<string, string>): string {
  const home = path.join(dir, 'home');
  return execFileSync(process.execPath, [bundle], {
    env: { PATH: process.env.PATH ?? '', HOME: home, PROBE_ENDPOINT: endpoint, AWS_REGION: 'us-east-1', ...env },
    encoding: 'utf8',
  });
}

it('is answered with the credentials in the environment, as Lambda sets them', () => {
  expect(probe({ AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' })).toBe(
    'ok',
  );
});

it('finds no credentials in a profile file: the rest of the chain is not in the bundle', () => {
  const home = path.join(dir, 'home');
  mkdirSync(path.join(home, '.aws'), { recursive: true });
  writeFileSync(
    path.join(home, '.aws', 'credentials'),
    '[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n',
  );
  expect(probe({})).toBe('CredentialsProviderError');
  expect(inputs.filter((input) => /credential-provider-(ini|sso|process|web-identity|node)\b/.test(input))).toEqual([]);
  expect(inputs.some((input) => input.includes('lambda/runtime/lambda-credentials.ts'))).toBe(true);
});
