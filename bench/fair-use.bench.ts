/**
 * What MPSD's fair-use limits cost a request: `npx tsx bench/fair-use.bench.ts`.
 *
 * Baseline, measured in the same process and interleaved round by round: the GET handler with the limits off.
 * Measured: the same handler with the limits on, so every request first makes its two atomic counter updates
 * (burst and sustain windows) in the counters table. The limits are raised out of reach (a temporary templates folder
 * with `fairUseLimits`), so every request is counted and none is refused. Handlers are called in process (no HTTP).
 *
 * Prints ops/s per round, the median and spread (min..max) of rounds, and the ratio on/off of medians.
 * Environment: DYNAMODB_ENDPOINT to use a running DynamoDB Local (else one is started), BENCH_ROUNDS (default 5),
 * BENCH_OPS (GETs per round and side, default 2000).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DEVELOPMENT_TOKEN_SECRET, mintToken } from '../lambda/auth/development-token';
import { routeKeyOf, SESSION_TEMPLATES_SEGMENTS, sessionPathOf, toSessionPath } from '../lambda/http/routes';
import { makeDynamoDbClient } from '../lambda/runtime/dynamodb-client';
import type { RuntimeConfig } from '../lambda/runtime/runtime-config';
import { makeSessionHandlers } from '../lambda/runtime/wiring';
import { ensureRateLimitTable } from '../local/create-rate-limit-table';
import { ensureSessionTable } from '../local/create-table';
import { SAMPLE_SCID } from '../local/start-banner';
import { benchDynamoDb, CALLERS, run, stats } from './bench-kit';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const OPS = Number(process.env.BENCH_OPS ?? 2000);

function event(token: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: routeKeyOf({ method: 'GET', path: toSessionPath(SESSION_TEMPLATES_SEGMENTS[0]) }),
    rawPath: sessionPathOf({ scid: SAMPLE_SCID, templateName: 'lobby', name: 'bench' }),
    rawQueryString: '',
    headers: { authorization: token, 'x-xbl-contract-version': '107' },
    pathParameters: { scid: SAMPLE_SCID, sessionTemplateName: 'lobby', sessionName: 'bench' },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

async function main(): Promise<void> {
  const dynamoDb = await benchDynamoDb();
  const endpoint = dynamoDb.endpoint;
  const tableName = `bench-${randomUUID()}`;
  const rateLimitTableName = `bench-counters-${randomUUID()}`;
  const admin = makeDynamoDbClient({ region: 'us-east-1', dynamoDbEndpoint: endpoint });
  await ensureSessionTable(admin, tableName);
  await ensureRateLimitTable(admin, rateLimitTableName);
  const templatesDir = mkdtempSync(path.join(tmpdir(), 'fair-use-bench-'));
  const sample = JSON.parse(readFileSync(path.resolve(__dirname, `../lambda/templates/${SAMPLE_SCID}.json`), 'utf8'));
  const outOfReach = {
    limits: [
      { maxRequests: 1_000_000, periodInSeconds: 15 },
      { maxRequests: 1_000_000, periodInSeconds: 300 },
    ],
  };
  writeFileSync(
    path.join(templatesDir, `${SAMPLE_SCID}.json`),
    JSON.stringify({ ...sample, fairUseLimits: outOfReach }),
  );

  const config: RuntimeConfig = {
    tableName,
    region: 'us-east-1',
    dynamoDbEndpoint: endpoint,
    templatesDir,
    tokenSecret: DEVELOPMENT_TOKEN_SECRET,
    environment: 'local',
    rateLimitTableName,
    log: { error: (message, details) => console.error(message, details) },
  };
  const on = makeSessionHandlers(config);
  const off = makeSessionHandlers({ ...config, rateLimits: 'off' });
  const tokens = await Promise.all(Array.from({ length: CALLERS }, (_, i) => mintToken({ xuid: String(1000 + i) })));
  const created = await on.putSession({
    ...event(tokens[0] as string),
    headers: {
      authorization: tokens[0] as string,
      'x-xbl-contract-version': '107',
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      members: { me: { constants: { system: { xuid: '1000' } }, properties: { system: { active: true } } } },
    }),
  } as APIGatewayProxyEventV2);
  if (created.statusCode !== 201) throw new Error(`setup PUT answered ${created.statusCode}: ${created.body}`);

  const get = (handlers: typeof on) => async (caller: number) => {
    const result = await handlers.getSession(event(tokens[caller] as string));
    if (result.statusCode !== 200) throw new Error(`GET answered ${result.statusCode}: ${result.body}`);
  };
  await run(300, get(off));
  await run(300, get(on));
  const baseline: number[] = [];
  const measured: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    baseline.push(await run(OPS, get(off)));
    measured.push(await run(OPS, get(on)));
    console.log(
      `round ${round + 1}: limits off ${baseline.at(-1)?.toFixed(0)} GET/s, limits on ${measured.at(-1)?.toFixed(0)} GET/s`,
    );
  }
  const b = stats(baseline);
  const m = stats(measured);
  console.log(`limits off (baseline): median ${b.median.toFixed(0)} GET/s (${b.min.toFixed(0)}..${b.max.toFixed(0)})`);
  console.log(`limits on:             median ${m.median.toFixed(0)} GET/s (${m.min.toFixed(0)}..${m.max.toFixed(0)})`);
  console.log(`ratio on/off of medians: ${(m.median / b.median).toFixed(2)}`);
  admin.destroy();
  await dynamoDb.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
