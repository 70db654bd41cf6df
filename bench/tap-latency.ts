// `npm run bench:taps`: what shoulder taps cost locally (issue 11 item 10), printed as figures.
//
// 1. Tap latency: 100 RTA sockets, each the ConnectionId of one member of 10 MinecraftLobby sessions (10 members
//    each), all subscribed to `everything`. Writers PUT a member's custom property, one write per session at a time
//    (no write races another), and every change taps the session's 10 sockets. Measured per tap arrival: from the
//    moment the service's conditional write came back as written (the session store, decorated here, notes it) to
//    the event frame's arrival at the client socket. The baseline, in the same process and the same rounds: the
//    PUT's own round trip (request sent -> response read). Rounds repeat; the median and spread of each round's
//    p50 and p99 are printed, and the ratio of the tap p50 to the PUT p50.
// 2. The stream consumer's cost per change: the stream records the rounds produced, read back from DynamoDB Local's
//    stream, handed to a fresh tap handler (readSessionChange, the change-type diff, the connection lookups on
//    DynamoDB Local, frame encoding; a gateway that only counts, so no socket I/O is in the figure) and, as the
//    baseline, to readSessionChange alone. CPU time of this process (user + system) per record, median and spread
//    over repeats, and the ratio. It runs after the rounds with the sockets still open and the poller idle (its
//    GetRecords polls every 50 ms are counted in, a few per cent at most).
//
// The service, its stream poller and the 100 client sockets share this process (DynamoDB Local is its own Java
// process): on a 2-core machine the figures include that contention, which is why they are a local indication,
// not a deployed latency (the Lambda event source polls the stream about 4 times a second per shard).
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import * as hdr from 'hdr-histogram-js';
import WebSocket from 'ws';
import { mintToken } from '../lambda/auth/development-token';
import type { RuntimeConfig } from '../lambda/runtime/runtime-config';
import { makeTapHandlerFor } from '../lambda/runtime/wiring';
import type { SessionStore } from '../lambda/store/session-store';
import { readSessionChange, type SessionChange, type StreamRecordLike } from '../lambda/store/session-stream';
import { ensureConnectionTable, ensureSessionTable } from '../local/create-table';
import { makeLocalAdminClient } from '../local/dynamodb-local';
import { createLocalServer } from '../local/http-server';
import { localRuntimeConfig } from '../local/local-config';
import { makeLocalHandlers } from '../local/local-handlers';
import { startRealTime } from '../local/real-time';
import { benchDynamoDb, stats } from './bench-kit';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const SOCKETS = 100;
const SESSIONS = 10;
const MEMBERS = SOCKETS / SESSIONS;
/**
 * Concurrent writers (TAP_BENCH_WRITERS: 1, 2, 5 or 10); writer w writes the sessions w, w + WRITERS, …, so no two
 * writes race on one session. One writer shows the latency without a queue; five, with the poller kept busy.
 */
const WRITERS = Number(process.env.TAP_BENCH_WRITERS ?? 5);
if (!Number.isInteger(SESSIONS / WRITERS)) throw new Error('TAP_BENCH_WRITERS must divide 10: 1, 2, 5 or 10');
const WRITES_PER_ROUND = Number(process.env.TAP_BENCH_WRITES ?? 200);
const ROUNDS = Number(process.env.TAP_BENCH_ROUNDS ?? 3);
const CONSUMER_REPEATS = 5;
/** How long a round waits for its last taps before it counts them as lost. */
const DRAIN_DEADLINE_MS = 30_000;

const SCID = '4fc10100-5f7a-4470-899b-280835760c07';
const TEMPLATE = 'MinecraftLobby';
const CONNECTIONS = 'https://sessiondirectory.xboxlive.com/connections/';

/** `<scid>#<template>#<name>` (the store key) from a tap's `<scid>~<template>~<name>`: the same three parts. */
const keyOfResource = (resource: string) => resource.split('~').join('#').toLowerCase();

interface Member {
  readonly xuid: string;
  readonly authorization: string;
  readonly socket: WebSocket;
  readonly connectionId: string;
}

function histogram(): hdr.Histogram {
  // Microseconds, 1 µs to 60 s, 3 significant digits.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

const ms = (microseconds: number) => (microseconds / 1000).toFixed(1);
const spread = (values: number[], format: (v: number) => string) => {
  const s = stats(values);
  return `${format(s.median)} (${format(s.min)}..${format(s.max)})`;
};

async function main(): Promise<void> {
  const db = await benchDynamoDb();
  const admin = makeLocalAdminClient(db.endpoint);
  const tableName = `tap-bench-${randomUUID()}`;
  const connectionTableName = `tap-bench-connections-${randomUUID()}`;
  await ensureSessionTable(admin, tableName, { stream: true });
  await ensureConnectionTable(admin, connectionTableName);
  const config: RuntimeConfig = {
    ...localRuntimeConfig(tableName, db.endpoint),
    connectionTableName,
    rateLimits: 'off',
    log: { error: (message, details) => console.error(message, details) },
  };

  // When each change was committed: the store's answer to the conditional write, by key and changeNumber.
  const committedAt = new Map<string, number>();
  const decorateStore = (store: SessionStore): SessionStore =>
    Object.assign(Object.create(store) as SessionStore, {
      write: async (...args: Parameters<SessionStore['write']>) => {
        const result = await store.write(...args);
        const [key, record] = args;
        if (result.outcome === 'written' && record.kind === 'session') {
          committedAt.set(`${key.toLowerCase()} ${record.document.changeNumber}`, performance.now());
        }
        return result;
      },
    });
  const server = createLocalServer(makeLocalHandlers(config, { decorateStore }), { log: () => {} });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const realTime = await startRealTime(server, config, admin, { log: () => {} });

  // Tap arrivals: every shoulder tap of every event frame, with its arrival time.
  const arrivals: { key: string; changeNumber: number; at: number }[] = [];
  const members: Member[] = [];
  for (let i = 0; i < SOCKETS; i += 1) {
    const xuid = String(2535400000001000 + i);
    const authorization = await mintToken({ xuid, gamertag: `Bench${i}` });
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/connect`, ['rta.xboxlive.com.V2'], {
      headers: { authorization },
    });
    const connectionId = await new Promise<string>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('open', () => socket.send(JSON.stringify([1, 1, CONNECTIONS])));
      socket.on('message', (data) => {
        const at = performance.now();
        const frame = JSON.parse(String(data));
        if (frame[0] === 1) resolve(frame[4].ConnectionId);
        if (frame[0] !== 3) return;
        for (const tap of frame[2].shoulderTaps) {
          arrivals.push({ key: keyOfResource(tap.resource), changeNumber: tap.changeNumber, at });
        }
      });
    });
    members.push({ xuid, authorization, socket, connectionId });
  }

  const put = async (member: Member, name: string, body: unknown): Promise<number> => {
    const response = await fetch(`${baseUrl}/serviceconfigs/${SCID}/sessiontemplates/${TEMPLATE}/sessions/${name}`, {
      method: 'PUT',
      headers: {
        authorization: member.authorization,
        'x-xbl-contract-version': '107',
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`PUT answered ${response.status}: ${text}`);
    return response.status;
  };

  // 10 sessions of 10 members, each member on its own socket.
  const sessionNames = Array.from({ length: SESSIONS }, () => randomUUID());
  for (const [s, name] of sessionNames.entries()) {
    for (let m = 0; m < MEMBERS; m += 1) {
      const member = members[s * MEMBERS + m] as Member;
      await put(member, name, {
        // The creator opens the session, so the other nine join without invitations.
        ...(m === 0 ? { properties: { system: { joinRestriction: 'none', readRestriction: 'none' } } } : {}),
        members: {
          me: {
            constants: { system: { xuid: member.xuid, initialize: true } },
            properties: {
              system: {
                active: true,
                connection: member.connectionId,
                subscription: { id: randomUUID(), changeTypes: ['everything'] },
              },
            },
          },
        },
      });
    }
  }
  const sessionKeys = new Set(sessionNames.map((name) => `${SCID}#${TEMPLATE}#${name}`.toLowerCase()));
  await new Promise((resolve) => setTimeout(resolve, 2_000));

  console.log(
    `tap latency: ${SOCKETS} sockets, ${SESSIONS} sessions x ${MEMBERS} members, ${WRITERS} writers, ${WRITES_PER_ROUND} writes per round, ${ROUNDS} rounds`,
  );
  const tapP50: number[] = [];
  const tapP99: number[] = [];
  const putP50: number[] = [];
  const putP99: number[] = [];
  let lost = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    arrivals.length = 0;
    const expected = WRITES_PER_ROUND * MEMBERS;
    const puts = histogram();
    let next = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, writer) => {
        for (let n = next++; n < WRITES_PER_ROUND; n = next++) {
          const s = (writer + WRITERS * (n % (SESSIONS / WRITERS))) % SESSIONS;
          const member = members[s * MEMBERS + (n % MEMBERS)] as Member;
          const started = performance.now();
          await put(member, sessionNames[s] as string, {
            members: { me: { properties: { custom: { round, n } } } },
          });
          puts.recordValue(Math.max(1, Math.round((performance.now() - started) * 1000)));
        }
      }),
    );
    const until = performance.now() + DRAIN_DEADLINE_MS;
    while (arrivals.length < expected && performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const taps = histogram();
    let measured = 0;
    for (const arrival of arrivals) {
      const committed = committedAt.get(`${arrival.key} ${arrival.changeNumber}`);
      if (committed === undefined || !sessionKeys.has(arrival.key)) continue;
      taps.recordValue(Math.max(1, Math.round((arrival.at - committed) * 1000)));
      measured += 1;
    }
    lost += expected - measured;
    tapP50.push(taps.getValueAtPercentile(50));
    tapP99.push(taps.getValueAtPercentile(99));
    putP50.push(puts.getValueAtPercentile(50));
    putP99.push(puts.getValueAtPercentile(99));
    console.log(
      `  round ${round + 1}: taps ${measured}/${expected}  commit->tap p50 ${ms(taps.getValueAtPercentile(50))} ms  p99 ${ms(taps.getValueAtPercentile(99))} ms  max ${ms(taps.maxValue)} ms | PUT round trip p50 ${ms(puts.getValueAtPercentile(50))} ms  p99 ${ms(puts.getValueAtPercentile(99))} ms`,
    );
  }
  console.log(
    `commit -> tap arrival  p50 ${spread(tapP50, ms)} ms   p99 ${spread(tapP99, ms)} ms   (median (min..max) of ${ROUNDS} rounds)`,
  );
  console.log(`baseline: PUT round trip  p50 ${spread(putP50, ms)} ms   p99 ${spread(putP99, ms)} ms`);
  console.log(
    `ratio tap p50 / PUT p50: ${(stats(tapP50).median / stats(putP50).median).toFixed(2)}   taps not seen: ${lost}`,
  );

  // 2. The stream consumer's cost per change, on the records the rounds produced, while the sockets are still open
  // (their ConnectionIds bound, so the lookups find them); the poller is idle by now.
  const records = await readStream(admin, db.endpoint, tableName);
  const now = Date.now();
  const decodeCpu: number[] = [];
  const handleCpu: number[] = [];
  const handleWall: number[] = [];
  let changes = 0;
  for (let repeat = 0; repeat < CONSUMER_REPEATS; repeat += 1) {
    const decodeStart = process.cpuUsage();
    let decoded: SessionChange[] = [];
    decoded = records.flatMap((record) => {
      const change = readSessionChange(record as StreamRecordLike, now);
      return change === undefined ? [] : [change];
    });
    const decodeUsed = process.cpuUsage(decodeStart);
    decodeCpu.push((decodeUsed.user + decodeUsed.system) / records.length);
    changes = decoded.length;

    let frames = 0;
    const handle = makeTapHandlerFor(config, {
      postToConnection: async () => {
        frames += 1;
        return 'sent';
      },
    });
    const wallStart = performance.now();
    const cpuStart = process.cpuUsage();
    for (const record of records) {
      const change = readSessionChange(record as StreamRecordLike, now);
      if (change !== undefined) await handle([change]);
    }
    const used = process.cpuUsage(cpuStart);
    handleCpu.push((used.user + used.system) / records.length);
    handleWall.push(((performance.now() - wallStart) * 1000) / records.length);
    if (frames === 0) throw new Error('the tap handler sent no frame: the connections were not found');
  }
  const us = (v: number) => v.toFixed(0);
  console.log(
    `stream consumer: ${records.length} records (${changes} session changes), a fresh tap handler per repeat, ${CONSUMER_REPEATS} repeats`,
  );
  console.log(`  decode only (readSessionChange)   CPU ${spread(decodeCpu, us)} µs per record`);
  console.log(
    `  tap handler (decode, diff, lookups on DynamoDB Local, frames)   CPU ${spread(handleCpu, us)} µs per record   wall ${spread(handleWall, us)} µs per record`,
  );
  console.log(`  ratio handler / decode (CPU): ${(stats(handleCpu).median / stats(decodeCpu).median).toFixed(1)}`);

  for (const member of members) member.socket.terminate();
  await realTime.close();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  admin.destroy();
  await db.stop();
}

/** Every record of the table's stream, shard by shard from the start (DynamoDB Local keeps them 24 h). */
async function readStream(
  admin: ReturnType<typeof makeLocalAdminClient>,
  endpoint: string,
  tableName: string,
): Promise<_Record[]> {
  const { Table } = await admin.send(new DescribeTableCommand({ TableName: tableName }));
  const streams = new DynamoDBStreamsClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: Table?.LatestStreamArn }));
  const records: _Record[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let { ShardIterator: iterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: Table?.LatestStreamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator !== undefined) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      records.push(...(page.Records ?? []));
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  streams.destroy();
  return records;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
