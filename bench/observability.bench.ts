// What observability costs a function (issue 15 items 4, 5), in three figures:
// 1. Bundle: the GET function's bundle as deployed (esbuild options of lib/constructs/session-function.ts; Logger and
//    Metrics inside), alone and with the Powertools Tracer added (capturing a DynamoDB client as the wiring would),
//    in bytes and in the time a fresh Node process takes to import it (median and spread of LOADS processes,
//    measured inside the process as bench/bundles.ts does), with the ratio to the bundle alone.
// 2. Request: CPU ms per GET and PUT of the real handlers over the in-memory store (a 32-member session), with the
//    request line written by a Powertools Logger and EMF metrics by Powertools Metrics (stdout swallowed: the
//    serialising is measured, not the terminal), against the same handlers logging nothing but errors; interleaved
//    rounds, median and spread, and the difference.
// 3. Per-request context: the AsyncLocalStorage the pipeline gathers each request's facts in, on a request-shaped
//    promise chain (40 awaits), in a fresh process with and without it: ns per request.
//   npx tsx bench/observability.bench.ts
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { build } from 'esbuild';
import { mintToken } from '../lambda/auth/development-token';
import type { ApiHandler } from '../lambda/http/api-types';
import { makeDynamoDbClient } from '../lambda/runtime/dynamodb-client';
import { makeEmfRequestMetrics } from '../lambda/runtime/emf-request-metrics';
import type { RuntimeConfig } from '../lambda/runtime/runtime-config';
import { makeSessionHandlers } from '../lambda/runtime/wiring';
import { DynamoDbHandleStore } from '../lambda/store/dynamodb-handle-store';
import { localRuntimeConfig } from '../local/local-config';
import { MemorySessionStore } from '../test/support/memory-session-store';
import { benchXuid, joinBody } from './bench-data';
import { stats } from './bench-kit';
import { lambdaBundleOptions, loadTimeMs } from './bundles';
import { cpuMsPerCall, event } from './handler-cost';

const _ROOT = path.resolve(__dirname, '..');
const LOADS = Number(process.env.LOADS ?? 15);

// The GET function as deployed already carries Logger and Metrics (lambda/runtime/lambda-runtime.ts); the question
// left is what the Tracer would add.
const VARIANTS: Record<string, string> = {
  'get-session as deployed': `export { handler } from './lambda/functions/get-session';`,
  '+ Tracer on DynamoDB': `export { handler } from './lambda/functions/get-session';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
const tracer = new Tracer({ serviceName: 'bench' });
export const client = tracer.captureAWSv3Client(new DynamoDBClient({}));`,
};

async function measureBundles(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-observability-'));
  try {
    const outfiles: [string, string][] = [];
    for (const [name, contents] of Object.entries(VARIANTS)) {
      const outfile = path.join(dir, `${outfiles.length}`, 'index.mjs');
      await build(lambdaBundleOptions({ contents }, outfile));
      outfiles.push([name, outfile]);
    }
    // Interleaved rounds, so a busy moment of the machine falls on every variant alike.
    const times: number[][] = outfiles.map(() => []);
    for (let round = 0; round < LOADS; round += 1) {
      for (const [i, [, file]] of outfiles.entries()) times[i]?.push(loadTimeMs(file));
    }
    const baseBytes = statSync(outfiles[0]?.[1] as string).size;
    const baseMs = stats(times[0] as number[]).median;
    console.log(`bundles, ${LOADS} fresh processes per variant:`);
    outfiles.forEach(([name, file], i) => {
      const bytes = statSync(file).size;
      const load = stats(times[i] as number[]);
      console.log(
        `${name.padEnd(28)} ${(bytes / 1024).toFixed(0).padStart(5)} KB (x${(bytes / baseBytes).toFixed(2)})  import median ${load.median.toFixed(1)} ms [${load.min.toFixed(1)}-${load.max.toFixed(1)}] (x${(load.median / baseMs).toFixed(2)})`,
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const MEMBERS = 32;
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const CALLS = Number(process.env.CALLS ?? 200);

/** A 32-member session's GET and PUT through handlers built with `observability`. */
async function sessionCalls(observability: Partial<RuntimeConfig>) {
  const config = {
    ...localRuntimeConfig('bench-memory', 'http://unused.invalid'),
    rateLimits: 'off' as const,
    log: { error: () => {} },
    ...observability,
  };
  const handlers = makeSessionHandlers(config, {
    sessions: new MemorySessionStore(),
    handles: new DynamoDbHandleStore(makeDynamoDbClient(config), 'bench-unused'),
    rateLimits: undefined,
  });
  const name = `observability-${randomUUID()}`;
  let token = '';
  for (let m = 0; m < MEMBERS; m += 1) {
    token = await mintToken({ xuid: benchXuid(30_000 + m) });
    await handlers.putSession(event('PUT', token, name, joinBody(30_000 + m, 2048)));
  }
  const call = async (handler: ApiHandler, event: APIGatewayProxyEventV2) => {
    const result = await handler(event, { awsRequestId: randomUUID(), functionName: 'bench' } as never);
    if ((result.statusCode ?? 0) !== 200) throw new Error(`answered ${result.statusCode}`);
  };
  return {
    get: () => call(handlers.getSession, event('GET', token, name)),
    put: (n: number) =>
      call(handlers.putSession, event('PUT', token, name, { members: { me: { properties: { custom: { n } } } } })),
  };
}

async function measureRequests(): Promise<void> {
  // Everything the handlers write goes nowhere (counted), setup included; figures are printed after.
  const realWrite = process.stdout.write.bind(process.stdout);
  let swallowed = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    swallowed += chunk.length;
    return true;
  }) as typeof process.stdout.write;
  const variants = {
    'errors only': {},
    'line (Logger)': { log: new Logger({ serviceName: 'session-directory' }) },
    'line + EMF': {
      log: new Logger({ serviceName: 'session-directory' }),
      metrics: makeEmfRequestMetrics(new Metrics({ namespace: 'Bench', serviceName: 'session-directory' })),
    },
  } satisfies Record<string, Partial<RuntimeConfig>>;
  const figures: Record<string, { get: number[]; put: number[] }> = {};
  let observedBytes = 0;
  try {
    const calls = Object.entries(variants).map(([name, observability]) => [name, sessionCalls(observability)] as const);
    for (const [name, made] of calls) {
      const c = await made;
      figures[name] = { get: [], put: [] };
      await cpuMsPerCall(CALLS, c.put);
    }
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [name, made] of calls) {
        const c = await made;
        const before = swallowed;
        figures[name]?.get.push(await cpuMsPerCall(CALLS, c.get));
        figures[name]?.put.push(await cpuMsPerCall(CALLS, c.put));
        if (name === 'line + EMF') observedBytes = (swallowed - before) / (2 * CALLS);
      }
    }
  } finally {
    process.stdout.write = realWrite;
  }
  console.log(
    `request CPU per call, ${MEMBERS}-member session, ${ROUNDS} interleaved rounds of ${CALLS} calls (${observedBytes.toFixed(0)} bytes of log and EMF per call with both):`,
  );
  const base = figures['errors only'] as { get: number[]; put: number[] };
  for (const method of ['get', 'put'] as const) {
    const b = stats(base[method]).median;
    for (const [name, figure] of Object.entries(figures)) {
      const f = stats(figure[method]);
      console.log(
        `  ${method.toUpperCase()} ${name.padEnd(14)} ${f.median.toFixed(3)} ms [${f.min.toFixed(3)}-${f.max.toFixed(3)}]  ${name === 'errors only' ? '' : `+${((f.median - b) * 1000).toFixed(0)} µs (x${(f.median / b).toFixed(3)})`}`,
      );
    }
  }
}

/** ns per request-shaped promise chain in a fresh process, with or without an AsyncLocalStorage run around it. */
function contextCostNs(withStorage: boolean): number {
  const script = `
    const { AsyncLocalStorage } = require('node:async_hooks');
    const storage = new AsyncLocalStorage();
    const step = async (n) => n + 1;
    const request = async () => { let n = 0; for (let i = 0; i < 40; i += 1) n = await step(n); return n; };
    const one = ${withStorage} ? () => storage.run({ attempts: 0 }, request) : request;
    (async () => {
      for (let i = 0; i < 20000; i += 1) await one();
      const t = process.hrtime.bigint();
      for (let i = 0; i < 100000; i += 1) await one();
      process.stdout.write(String(Number(process.hrtime.bigint() - t) / 100000));
    })();`;
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

function measureContext(): void {
  const plain: number[] = [];
  const stored: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    plain.push(contextCostNs(false));
    stored.push(contextCostNs(true));
  }
  const p = stats(plain);
  const s = stats(stored);
  console.log(
    `request context: 40-await chain ${p.median.toFixed(0)} ns [${p.min.toFixed(0)}-${p.max.toFixed(0)}] plain, ${s.median.toFixed(0)} ns [${s.min.toFixed(0)}-${s.max.toFixed(0)}] in AsyncLocalStorage.run: +${(s.median - p.median).toFixed(0)} ns per request`,
  );
}

async function main(): Promise<void> {
  console.log(`node ${process.version}`);
  await measureBundles();
  await measureRequests();
  measureContext();
}

void main();
