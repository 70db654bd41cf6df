/**
 * Benchmark of the PUT path against DynamoDB Local (README, "Benchmarks"): `npm run bench`.
 *
 * Baseline, measured in the same process and interleaved round by round with the service so drift hits both: the
 * raw cost of what a PUT must do at least — a consistent GetItem of the session's item and a conditional PutItem of
 * it at the next version — with the same SDK client settings. Measured: the PUT handler (token check, parse, merge,
 * render, the same two store calls), called in process, so HTTP parsing is left out of both.
 *
 * Scenario "own session": 32 callers, each updating its own 8-member session (no contention): the service's own cost.
 * Scenario "one session": 32 callers writing distinct keys of one session, through one service instance (its writes
 * to the session queue up: SessionWriteQueue) and through four (four Lambda containers racing: lost races and
 * re-merges). Its baseline is the raw cycle retried on a lost race, with the same back-off policy.
 *
 * Prints ops/s per round, the median and spread (min..max) of rounds, and the ratio service/baseline of medians.
 * Environment: DYNAMODB_ENDPOINT to use a running DynamoDB Local (else one is started), BENCH_ROUNDS (default 5),
 * BENCH_OPS (operations per round and side, default 1500).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DEVELOPMENT_TOKEN_SECRET, mintToken } from '../lambda/auth/development-token';
import { routeKeyOf, SESSION_TEMPLATES_SEGMENTS, sessionPathOf, toSessionPath } from '../lambda/http/routes';
import { makeDynamoDbClient } from '../lambda/runtime/dynamodb-client';
import { makeSessionHandlers } from '../lambda/runtime/wiring';
import { backoffDelayMs, DEFAULT_RETRY_POLICY } from '../lambda/service/retry-policy';
import type { WriteReport } from '../lambda/service/session-service';
import { ensureSessionTable } from '../local/create-table';
import { SAMPLE_SCID } from '../local/start-banner';
import { benchDynamoDb, CALLERS, type Op, run, stats } from './bench-kit';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const OPS = Number(process.env.BENCH_OPS ?? 1500);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function event(token: string, name: string, body: unknown): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: routeKeyOf({ method: 'PUT', path: toSessionPath(SESSION_TEMPLATES_SEGMENTS[0]) }),
    rawPath: sessionPathOf({ scid: SAMPLE_SCID, templateName: 'open', name: name }),
    rawQueryString: '',
    headers: { authorization: token, 'x-xbl-contract-version': '107', 'content-type': 'application/json' },
    pathParameters: { scid: SAMPLE_SCID, sessionTemplateName: 'open', sessionName: name },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: randomUUID() } as APIGatewayProxyEventV2['requestContext'],
  } as APIGatewayProxyEventV2;
}

/** The raw read + conditional write of one item, retried on a lost race when `retry` is set. */
function rawCycle(client: DynamoDBClient, tableName: string, keyOf: (caller: number) => string, retry: boolean): Op {
  return async (caller) => {
    for (let attempt = 1; ; attempt += 1) {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: keyOf(caller) } }, ConsistentRead: true }),
      );
      if (Item === undefined) throw new Error('bench item missing');
      const version = Number(Item.version?.N);
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { ...Item, version: { N: String(version + 1) } },
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':v': { N: String(version) } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return;
      } catch (error) {
        if (!(retry && error instanceof ConditionalCheckFailedException)) throw error;
        await sleep(backoffDelayMs(DEFAULT_RETRY_POLICY, attempt));
      }
    }
  };
}

async function main(): Promise<void> {
  const dynamoDb = await benchDynamoDb();
  const endpoint = dynamoDb.endpoint;
  const tableName = `bench-${randomUUID()}`;
  const client = makeDynamoDbClient({ region: 'us-east-1', dynamoDbEndpoint: endpoint });
  await ensureSessionTable(client, tableName);
  const reports: WriteReport[] = [];
  // Four instances of the service stand for four Lambda containers: each writes a session one request at a time,
  // so races for one item happen between them.
  const containers = Array.from({ length: 4 }, () =>
    makeSessionHandlers({
      tableName,
      region: 'us-east-1',
      dynamoDbEndpoint: endpoint,
      templatesDir: path.resolve(__dirname, '../lambda/templates'),
      tokenSecret: DEVELOPMENT_TOKEN_SECRET,
      environment: 'local',
      observeWrite: (r) => reports.push(r),
      log: { error: (message, details) => console.error(message, details) },
    }),
  );
  const putVia = async (container: number, token: string, name: string, body: unknown) => {
    const result = await (containers[container] ?? containers[0])?.putSession(event(token, name, body));
    if ((result?.statusCode ?? 0) >= 300) throw new Error(`PUT answered ${result?.statusCode}: ${result?.body}`);
  };
  const put = (token: string, name: string, body: unknown) => putVia(0, token, name, body);

  // Each caller owns a session of 8 members; caller c is its first member. One shared session holds all callers.
  const tokens = await Promise.all(
    Array.from({ length: CALLERS * 8 }, (_, i) => mintToken({ xuid: String(5_000_000 + i) })),
  );
  const own = (c: number) => `bench-own-${c}`;
  const shared = 'bench-shared';
  for (let c = 0; c < CALLERS; c += 1) {
    for (let m = 0; m < 8; m += 1) {
      const xuid = String(5_000_000 + c * 8 + m);
      await put(tokens[c * 8 + m] as string, own(c), {
        members: { me: { constants: { system: { xuid } }, properties: { system: { active: true } } } },
      });
    }
    await put(tokens[c * 8] as string, shared, { members: { me: { properties: { system: { active: true } } } } });
  }
  const keyOf = (name: string) => `${SAMPLE_SCID}#open#${name}`;

  const scenarios = [
    {
      name: 'own session per caller',
      baseline: rawCycle(client, tableName, (c) => keyOf(own(c)), false),
      service: ((c, n) =>
        put(tokens[c * 8] as string, own(c), { members: { me: { properties: { custom: { n } } } } })) as Op,
    },
    {
      name: 'one session, 32 writers in one container',
      baseline: rawCycle(client, tableName, () => keyOf(shared), true),
      service: ((c, n) => put(tokens[c * 8] as string, shared, { properties: { custom: { [`c${c}`]: n } } })) as Op,
    },
    {
      name: 'one session, 32 writers over 4 containers',
      baseline: rawCycle(client, tableName, () => keyOf(shared), true),
      service: ((c, n) =>
        putVia(c % 4, tokens[c * 8] as string, shared, { properties: { custom: { [`c${c}`]: n } } })) as Op,
    },
  ];

  console.log(`PUT path vs raw DynamoDB Local cycles; ${CALLERS} callers, ${ROUNDS} rounds x ${OPS} ops per side`);
  for (const scenario of scenarios) {
    await run(200, scenario.baseline);
    await run(200, scenario.service);
    reports.length = 0;
    const base: number[] = [];
    const service: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      base.push(await run(OPS, scenario.baseline));
      service.push(await run(OPS, scenario.service));
    }
    const b = stats(base);
    const s = stats(service);
    const attempts = reports.map((r) => r.attempts).sort((x, y) => x - y);
    const q = (p: number) => attempts[Math.min(attempts.length - 1, Math.floor(p * attempts.length))];
    console.log(`\n${scenario.name}`);
    console.log(
      `  baseline ops/s: ${base.map((v) => v.toFixed(0)).join(' ')}  median ${b.median.toFixed(0)} (${b.min.toFixed(0)}..${b.max.toFixed(0)})`,
    );
    console.log(
      `  service  ops/s: ${service.map((v) => v.toFixed(0)).join(' ')}  median ${s.median.toFixed(0)} (${s.min.toFixed(0)}..${s.max.toFixed(0)})`,
    );
    console.log(`  ratio service/baseline: ${(s.median / b.median).toFixed(2)}`);
    console.log(`  service attempts per PUT: median ${q(0.5)}, p90 ${q(0.9)}, p99 ${q(0.99)}, max ${attempts.at(-1)}`);
  }
  client.destroy();
  await dynamoDb.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
