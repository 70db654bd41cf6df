// The throughput legs of `npm run bench` (README, "Benchmarks"): the ceiling (GetItem, and GetItem + conditional
// PutItem, sent straight to DynamoDB with the AWS SDK from this process), the same calls through a trivial HTTP
// server, and the service's GET and PUT through its local HTTP server. All at CALLERS concurrency, each leg for a
// fixed time, the legs interleaved round by round so the machine's load hits them alike.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mintToken } from '../lambda/auth/development-token';
import { sessionPathOf } from '../lambda/http/routes';
import { makeDynamoDbClient } from '../lambda/runtime/dynamodb-client';
import { ensureSessionTable } from '../local/create-table';
import { SAMPLE_SCID } from '../local/start-banner';
import { benchXuid, joinBody } from './bench-data';
import { CALLERS, SERVER_CPU_PATH, stats } from './bench-kit';
import { rawGet, rawWriteNextVersion } from './raw-dynamodb';

/** Members of each caller's own session (the GET and member-update legs) and their custom data each. */
const OWN_MEMBERS = 8;
const OWN_CUSTOM_BYTES = 256;
/** Players that join each session of the join leg before the next session is started. */
const JOINERS = 16;

/** Every leg, in the order a round starts from. */
export const LEGS = [
  'ceiling GET',
  'ceiling GET+PUT',
  'trivial GET',
  'trivial GET+PUT',
  'service GET',
  'service PUT update',
  'service PUT join',
] as const;

export type Leg =
  | 'ceiling GET'
  | 'ceiling GET+PUT'
  | 'trivial GET'
  | 'trivial GET+PUT'
  | 'service GET'
  | 'service PUT update'
  | 'service PUT join';

export interface ThroughputResult {
  /** Operations per second of each leg, one figure per round. */
  readonly rounds: Partial<Record<Leg, number[]>>;
  /**
   * CPU microseconds per operation (user + system) of the process that serves the leg, one figure per round: the
   * bench process for the ceiling (its SDK calls), the servers' process for the trivial server and the service.
   * Unlike operations per second, this hardly moves with the machine's load.
   */
  readonly cpuMicrosPerOp: Partial<Record<Leg, number[]>>;
  /** Failed operations per leg (non-2xx answers or errors); they do not count as operations. */
  readonly failures: Partial<Record<Leg, number>>;
}

type Op = (caller: number, n: number) => Promise<void>;

/** Runs `op` from CALLERS concurrent callers for `seconds`; answers completed operations per second and count. */
async function runFor(seconds: number, op: Op, failed: () => void): Promise<{ perSecond: number; done: number }> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      for (let n = 0; performance.now() < end; n += 1) {
        try {
          await op(caller, n);
          done += 1;
        } catch {
          failed();
        }
      }
    }),
  );
  return { perSecond: done / ((performance.now() - start) / 1000), done };
}

const agent = new Agent({ keepAlive: true, maxSockets: CALLERS });

/** One HTTP request; rejects unless the answer is 2xx. The answer body is read and dropped. */
function send(port: number, method: string, urlPath: string, headers: Record<string, string>, body?: string) {
  return new Promise<void>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        agent,
        headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.once('end', () =>
          (res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`${method} ${urlPath}: ${res.statusCode}`)),
        );
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

function startServers(
  tableName: string,
  endpoint: string,
): Promise<{ child: ChildProcess; service: number; trivial: number }> {
  // BENCH_PROFILE=<folder>: the servers' process writes a CPU profile there (node --cpu-prof) when it ends.
  const profile = process.env.BENCH_PROFILE;
  const profiling = profile === undefined || profile === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`];
  const child = spawn(process.execPath, [...profiling, '--import', 'tsx', path.join(__dirname, 'bench-servers.ts')], {
    env: { ...process.env, BENCH_TABLE: tableName, BENCH_ENDPOINT: endpoint },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench servers exited with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) =>
      resolve({ child, ...(JSON.parse(line) as { service: number; trivial: number }) }),
    );
  });
}

async function rawCycle(client: DynamoDBClient, tableName: string, key: string): Promise<void> {
  const { Item } = await rawGet(client, tableName, key);
  if (Item === undefined) throw new Error(`no item ${key}`);
  await rawWriteNextVersion(client, tableName, Item);
}

export async function measureThroughput(
  endpoint: string,
  rounds: number,
  seconds: number,
  progress: (line: string) => void,
  only: readonly Leg[] = LEGS,
): Promise<ThroughputResult> {
  const tableName = `bench-${randomUUID()}`;
  const client = makeDynamoDbClient({ region: 'us-east-1', dynamoDbEndpoint: endpoint });
  await ensureSessionTable(client, tableName, { stream: false });
  const servers = await startServers(tableName, endpoint);
  try {
    // Player numbers: caller c's own session holds players c*OWN_MEMBERS.., the join leg uses 10_000 + c*JOINERS + j.
    const ownPlayer = (c: number, m: number) => c * OWN_MEMBERS + m;
    const joinPlayer = (c: number, j: number) => 10_000 + c * JOINERS + j;
    const tokenOf = new Map<number, string>();
    const players = [
      ...Array.from({ length: CALLERS * OWN_MEMBERS }, (_, i) => i),
      ...Array.from({ length: CALLERS * JOINERS }, (_, i) => 10_000 + i),
    ];
    for (const p of players) tokenOf.set(p, await mintToken({ xuid: benchXuid(p) }));
    const headersOf = (p: number) => ({
      authorization: tokenOf.get(p) as string,
      'x-xbl-contract-version': '107',
      'content-type': 'application/json',
    });
    const sessionPath = (name: string) => sessionPathOf({ scid: SAMPLE_SCID, templateName: 'open', name });
    const own = (c: number) => `bench-own-${c}`;
    const keyOf = (name: string) => `${SAMPLE_SCID}#open#${name}`;
    for (let c = 0; c < CALLERS; c += 1) {
      for (let m = 0; m < OWN_MEMBERS; m += 1) {
        const p = ownPlayer(c, m);
        await send(
          servers.service,
          'PUT',
          sessionPath(own(c)),
          headersOf(p),
          JSON.stringify(joinBody(p, OWN_CUSTOM_BYTES)),
        );
      }
      // The ceiling's items: copies of the service's own sessions, so both sides move items of the same size.
      const { Item } = await rawGet(client, tableName, keyOf(own(c)));
      await client.send(new PutItemCommand({ TableName: tableName, Item: { ...Item, pk: { S: `ceiling-${c}` } } }));
    }

    let round = 0;
    const legs: Record<Leg, Op> = {
      'ceiling GET': (c) => rawGet(client, tableName, `ceiling-${c}`).then(() => {}),
      'ceiling GET+PUT': (c) => rawCycle(client, tableName, `ceiling-${c}`),
      'trivial GET': (c) => send(servers.trivial, 'GET', `/?k=ceiling-${c}`, {}),
      'trivial GET+PUT': (c, n) =>
        send(servers.trivial, 'PUT', `/?k=ceiling-${c}`, headersOf(ownPlayer(c, 0)), JSON.stringify({ n })),
      'service GET': (c) => send(servers.service, 'GET', sessionPath(own(c)), headersOf(ownPlayer(c, 0))),
      'service PUT update': (c, n) =>
        send(
          servers.service,
          'PUT',
          sessionPath(own(c)),
          headersOf(ownPlayer(c, 0)),
          JSON.stringify({ members: { me: { properties: { custom: { n } } } } }),
        ),
      // Each player joins a session of JOINERS players (the first one creates it); then the next session starts.
      'service PUT join': (c, n) => {
        const p = joinPlayer(c, n % JOINERS);
        const name = `bench-join-${round}-${c}-${Math.floor(n / JOINERS)}`;
        return send(
          servers.service,
          'PUT',
          sessionPath(name),
          headersOf(p),
          JSON.stringify(joinBody(p, OWN_CUSTOM_BYTES)),
        );
      },
    };
    // BENCH_LEGS runs some legs only: a profile of the servers' process then shows one leg's work (docs/performance.md).
    const names = (Object.keys(legs) as Leg[]).filter((name) => only.includes(name));
    const serversCpu = async () => {
      let text = '';
      await new Promise<void>((resolve, reject) => {
        request({ host: '127.0.0.1', port: servers.trivial, path: SERVER_CPU_PATH, agent }, (res) => {
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.once('end', resolve);
        })
          .once('error', reject)
          .end();
      });
      return (JSON.parse(text) as { cpuMicros: number }).cpuMicros;
    };
    const ownCpu = () => {
      const { user, system } = process.cpuUsage();
      return user + system;
    };
    const perSecond = new Map(names.map((n) => [n, [] as number[]]));
    const cpuPerOp = new Map(names.map((n) => [n, [] as number[]]));
    const failures = new Map(names.map((n) => [n, 0]));
    // Warm-up: JIT, connection pools, DynamoDB Local's caches; not counted.
    round = -1;
    for (const name of names) await runFor(Math.min(1, seconds), legs[name], () => {});
    for (round = 0; round < rounds; round += 1) {
      // Each round starts with a different leg, so no leg always follows the same one.
      const order = names.map((_, i) => names[(i + round) % names.length] as Leg);
      for (const name of order) {
        const cpu = name.startsWith('ceiling') ? ownCpu : serversCpu;
        const cpuBefore = await cpu();
        const leg = await runFor(seconds, legs[name], () => {
          failures.set(name, (failures.get(name) ?? 0) + 1);
        });
        perSecond.get(name)?.push(leg.perSecond);
        cpuPerOp.get(name)?.push(((await cpu()) - cpuBefore) / Math.max(1, leg.done));
      }
      progress(
        `  round ${round + 1}/${rounds}: ${names.map((n) => `${n} ${perSecond.get(n)?.at(-1)?.toFixed(0)}/s`).join(', ')}`,
      );
    }
    return {
      rounds: Object.fromEntries(perSecond),
      cpuMicrosPerOp: Object.fromEntries(cpuPerOp),
      failures: Object.fromEntries(failures),
    };
  } finally {
    servers.child.kill('SIGTERM');
    agent.destroy();
    client.destroy();
  }
}

/** Ratio of two legs per round (interleaved rounds pair up), as median and spread; undefined unless both ran. */
export function ratioOf(result: ThroughputResult, measured: Leg, baseline: Leg) {
  const per = (result.rounds[measured] ?? []).map((v, i) => v / (result.rounds[baseline]?.[i] ?? Number.NaN));
  if (per.length === 0 || per.some(Number.isNaN)) return undefined;
  return { ...stats(per), rounds: per };
}
