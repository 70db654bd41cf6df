// What each HTTP function's Lambda bundle holds, as esbuild bundles it for the CDK (bench/bundles.ts has the
// options): its own handler's services and DynamoDB adapters, and no other handler's. The wiring builds a function's
// dependencies per handler kind (lambda/runtime/wiring.ts) so that tree shaking can leave the rest out; a wiring that
// built every service again would put every part in every bundle, and the size targets of issue 12 with them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { lambdaBundleOptions } from '../../bench/bundles';
import { FUNCTIONS, type FunctionName } from '../../lambda/http/routes';

/** The modules that belong to one kind of handler: a service, or the DynamoDB adapter of a store. */
const PARTS = [
  'lambda/service/session-service.ts',
  'lambda/service/handle-service.ts',
  'lambda/service/nonce-service.ts',
  'lambda/service/session-query-service.ts',
  'lambda/store/dynamodb-session-store.ts',
  'lambda/store/dynamodb-handle-store.ts',
  'lambda/store/dynamodb-nonce-store.ts',
  'lambda/store/dynamodb-session-listing.ts',
  'lambda/store/dynamodb-session-finder.ts',
] as const;
type Part = (typeof PARTS)[number];

const SESSION: readonly Part[] = ['lambda/service/session-service.ts', 'lambda/store/dynamodb-session-store.ts'];
const HANDLE: readonly Part[] = [
  'lambda/service/handle-service.ts',
  'lambda/store/dynamodb-handle-store.ts',
  // A handle's service reads the session it names (to check membership and render it).
  'lambda/store/dynamodb-session-store.ts',
  // A search handle is committed by the session's own conditional write (its `searchHandle` field), and a search
  // reads the sessions it found by key with the listing's batch read.
  'lambda/service/session-service.ts',
  'lambda/store/dynamodb-session-listing.ts',
];
const NONCE: readonly Part[] = ['lambda/service/nonce-service.ts', 'lambda/store/dynamodb-nonce-store.ts'];
const QUERY: readonly Part[] = [
  'lambda/service/session-query-service.ts',
  'lambda/store/dynamodb-session-listing.ts',
  'lambda/store/dynamodb-session-finder.ts',
];

/** The parts each function runs, and so the only ones its bundle may hold. */
const EXPECTED: Record<FunctionName, readonly Part[]> = {
  getSession: SESSION,
  putSession: SESSION,
  putSessionProperties: SESSION,
  deleteSessionMember: SESSION,
  deleteSessionServer: SESSION,
  postHandle: HANDLE,
  queryHandles: HANDLE,
  getHandle: HANDLE,
  deleteHandle: HANDLE,
  getHandleSession: [...new Set([...HANDLE, ...SESSION])],
  putHandleSession: [...new Set([...HANDLE, ...SESSION])],
  getNonce: NONCE,
  querySessions: QUERY,
  batchQuerySessions: QUERY,
  getSessionTemplates: QUERY,
};

/** The target for every bundle (issue 12), in KB of 1,024 bytes as `npm run bench` prints them. */
const BUNDLE_LIMIT_BYTES = 500 * 1024;

const dir = mkdtempSync(path.join(tmpdir(), 'function-bundles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(name: FunctionName): Promise<{ parts: Part[]; bytes: number }> {
  const options = lambdaBundleOptions(FUNCTIONS[name].entry, path.join(dir, name, 'index.mjs'));
  const result = await build({ ...options, metafile: true, write: false });
  const metafile = result.metafile as Metafile;
  const [output] = Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.mjs'));
  if (output === undefined) throw new Error(`esbuild wrote no bundle for ${name}`);
  const inputs = output[1].inputs;
  const parts = PARTS.filter((part) => (inputs[part]?.bytesInOutput ?? 0) > 0);
  return { parts, bytes: output[1].bytes };
}

describe("each HTTP function's bundle", () => {
  it.each(Object.keys(FUNCTIONS) as FunctionName[])(
    "%s holds its own handler's services and stores and no other's, under 500 KB",
    async (name) => {
      const { parts, bytes } = await bundle(name);
      expect(parts.sort()).toEqual([...EXPECTED[name]].sort());
      expect(bytes).toBeLessThan(BUNDLE_LIMIT_BYTES);
    },
  );
});
