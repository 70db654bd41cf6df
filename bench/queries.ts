/**
 * Session queries over 10,000 sessions: `npm run bench:queries`.
 *
 * Seeds 10,000 sessions of one SCID (4 members each, from 2,500 users, so a user is in about 16 sessions; one keyword
 * each, from 50) through the service's own store, and the finder's items through the finder's own adapter (what the
 * stream function writes, without waiting for the poller). Then measures, with the handlers called in process (no
 * HTTP), each over BENCH_OPS requests from CALLERS concurrent callers:
 *   - a query by xuid (`GET …/sessions?xuid=`: one index Query, one strongly consistent BatchGetItem);
 *   - a query by keyword (`?keyword=&take=100`: about 200 candidates, newest first);
 *   - a page of the QA listing (`take=100`: 4 index Queries, one BatchGetItem);
 * and prints latency p50/p99 (ms) and the read units DynamoDB reports per request (ReturnConsumedCapacity, summed over
 * the request's calls), median and spread over BENCH_ROUNDS rounds. Baseline, in the same process and interleaved
 * round by round: a session GET (one consistent GetItem), so the ratios do not depend on the machine.
 * Also prints the write units of a session PUT that creates a session and of one that updates it, with the indexes'
 * share (ReturnConsumedCapacity INDEXES): what the listing index adds to a PUT.
 *
 * Every session also has a search handle (template `open`, the session's `searchHandle` naming it) with one tag of 10,
 * a string `mode` of 5 values and a number `skill` 0-99, seeded through the handle store's own adapter. Measured too:
 *   - a search (`POST /handles/query` type search, all three includes) with a filter over tags, strings and numbers
 *     and an orderBy (500 of the 10,000 handles match; the first 100 are answered): the search index read in full
 *     (projection ALL), then the matches' sessions a batch of 100 at a time until 100 are confirmed;
 *   - a search whose filter reads the session (`session/membersCount`): every candidate's session is read.
 * Environment: DYNAMODB_ENDPOINT (else a DynamoDB Local is started), BENCH_ROUNDS (default 3), BENCH_OPS (default 400),
 * BENCH_SEARCH_OPS (default 20) and BENCH_SEARCH_CALLERS (default 4: one search reads the whole template's index).
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { type ConsumedCapacity, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DEVELOPMENT_TOKEN_SECRET, mintToken } from '../lambda/auth/development-token';
import { newHandle } from '../lambda/domain/handles/handle';
import { keywordTerm, xuidTerm } from '../lambda/domain/queries/finder-terms';
import type { ApiHandler } from '../lambda/http/api-types';
import { sessionPathOf } from '../lambda/http/routes';
import { makeDynamoDbClient } from '../lambda/runtime/dynamodb-client';
import type { RuntimeConfig } from '../lambda/runtime/runtime-config';
import { makeSessionHandlers } from '../lambda/runtime/wiring';
import { DynamoDbHandleStore } from '../lambda/store/dynamodb-handle-store';
import { buildPutSession } from '../lambda/store/dynamodb-requests';
import { DynamoDbSessionFinder } from '../lambda/store/dynamodb-session-finder';
import { DynamoDbSessionListing } from '../lambda/store/dynamodb-session-listing';
import { DynamoDbSessionStore } from '../lambda/store/dynamodb-session-store';
import type { StoredRecord } from '../lambda/store/session-store';
import { ensureSessionTable } from '../local/create-table';
import { SAMPLE_SCID } from '../local/start-banner';
import { benchDynamoDb, CALLERS, stats } from './bench-kit';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const OPS = Number(process.env.BENCH_OPS ?? 400);
const SESSIONS = 10_000;
const USERS = 2_500;
const MEMBERS_PER_SESSION = 4;
const KEYWORDS = 50;
const SEARCH_OPS = Number(process.env.BENCH_SEARCH_OPS ?? 20);
/** Concurrent searchers: each search reads the template's whole index, so 32 at once would measure queueing only. */
const SEARCH_CALLERS = Number(process.env.BENCH_SEARCH_CALLERS ?? 4);

const userXuid = (i: number) => String(2533274790000000n + BigInt(i));

function event(
  method: string,
  path: string,
  pathParameters: Record<string, string>,
  token: string,
  query: Record<string, string> = {},
  body?: unknown,
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    queryStringParameters: query,
    headers: {
      authorization: token,
      'x-xbl-contract-version': '107',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    pathParameters,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

/** Per request: its latency and the read units of every DynamoDB call made for it. */
interface Sample {
  readonly ms: number;
  readonly units: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function main(): Promise<void> {
  const dynamoDb = await benchDynamoDb();
  const tableName = `bench-queries-${randomUUID()}`;
  const config: RuntimeConfig = {
    tableName,
    region: 'us-east-1',
    dynamoDbEndpoint: dynamoDb.endpoint,
    templatesDir: `${__dirname}/../lambda/templates`,
    tokenSecret: DEVELOPMENT_TOKEN_SECRET,
    environment: 'local',
    rateLimits: 'off',
    log: { error: (message, details) => console.error(message, details) },
  };
  const client = makeDynamoDbClient(config);
  // Every read asks DynamoDB for its consumed capacity; the units of the request in flight are summed here. The
  // callers run concurrently, so each request's units are kept by a token of its own (AsyncLocalStorage).
  const meter = new AsyncLocalStorage<{ units: number }>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const reads = ['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand'].includes(String(context.commandName));
      if (reads) input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
      const consumed = output.ConsumedCapacity;
      const list = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
      const bucket = meter.getStore();
      if (bucket !== undefined) for (const c of list) bucket.units += c.CapacityUnits ?? 0;
      return result;
    },
    { step: 'initialize', name: 'meterReadUnits' },
  );
  await ensureSessionTable(client, tableName, { stream: false });
  const sessions = new DynamoDbSessionStore(client, tableName);
  const listing = new DynamoDbSessionListing(client, tableName);
  const finder = new DynamoDbSessionFinder(client, tableName);
  const handleStore = new DynamoDbHandleStore(client, tableName);
  const handlers = makeSessionHandlers(config, {
    sessions,
    handles: handleStore,
    listing,
    finder,
    rateLimits: undefined,
  });

  // The model session, made by a real PUT; its copies differ in name, start time, members and keyword.
  const host = await mintToken({ xuid: userXuid(0) });
  const server = await mintToken({ server: true });
  const modelPath = sessionPathOf({ scid: SAMPLE_SCID, templateName: 'open', name: 'model' });
  const join = {
    members: { me: { constants: { system: { initialize: true } }, properties: { system: { active: true } } } },
  };
  const created = await handlers.putSession(
    event('PUT', modelPath, { scid: SAMPLE_SCID, sessionTemplateName: 'open', sessionName: 'model' }, host, {}, join),
  );
  if (created.statusCode !== 201) throw new Error(`model PUT answered ${created.statusCode}`);
  const model = (await sessions.read(`${SAMPLE_SCID}#open#model`)) as Extract<StoredRecord, { kind: 'session' }>;
  const modelMember = Object.values(model.document.members)[0];
  if (modelMember === undefined) throw new Error('the model has no member');

  const seedStart = performance.now();
  const base = Date.parse('2026-01-01T00:00:00Z');
  const seedNow = Date.now();
  for (let i = 0; i < SESSIONS; i += 100) {
    await Promise.all(
      Array.from({ length: 100 }, async (_, j) => {
        const n = i + j;
        const key = `${SAMPLE_SCID}#open#bench-${n}`;
        const members: typeof model.document.members = {};
        const terms: string[] = [];
        for (let m = 0; m < MEMBERS_PER_SESSION; m += 1) {
          const xuid = userXuid((n * MEMBERS_PER_SESSION + m) % USERS);
          members[String(m)] = { ...modelMember, constants: { ...modelMember.constants, system: { xuid } } };
          terms.push(xuidTerm(xuid));
        }
        const keyword = `kw${n % KEYWORDS}`;
        terms.push(keywordTerm(keyword));
        const startTime = new Date(base + n * 1000).toISOString().replace(/Z$/, '0000Z');
        const sessionRef = { scid: SAMPLE_SCID, templateName: 'open', name: `bench-${n}` };
        const searchHandle = newHandle(
          {
            type: 'search',
            sessionRef,
            searchAttributes: { tags: [`tag${n % 10}`], strings: { mode: `m${n % 5}` }, numbers: { skill: n % 100 } },
          },
          // Posted in the last SESSIONS seconds (a handle is garbage 30 days after its POST), one a second.
          {
            id: randomUUID(),
            principal: { isServer: true },
            nowMs: seedNow - (SESSIONS - n) * 1000,
            session: undefined,
          },
        );
        const document = {
          ...model.document,
          startTime,
          members,
          nextMemberIndex: MEMBERS_PER_SESSION,
          properties: { ...model.document.properties, system: { keywords: [keyword] } },
          searchHandle: searchHandle.id,
        };
        await sessions.write(key, { kind: 'session', document, recentWriteIds: [] }, { absent: true });
        await finder.apply(key, { startTime, put: terms, delete: [] });
        await handleStore.replaceSearch(searchHandle, undefined);
      }),
    );
  }
  console.log(`seeded ${SESSIONS} sessions in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  const tokens = await Promise.all(Array.from({ length: CALLERS }, (_, i) => mintToken({ xuid: userXuid(i * 7) })));
  const queryPath = `/serviceconfigs/${SAMPLE_SCID}/sessions`;
  const scidOnly = { scid: SAMPLE_SCID };
  const getPath = sessionPathOf({ scid: SAMPLE_SCID, templateName: 'open', name: 'bench-1' });
  const getParams = { scid: SAMPLE_SCID, sessionTemplateName: 'open', sessionName: 'bench-1' };
  const cases: Record<string, (caller: number, n: number) => APIGatewayProxyEventV2> = {
    'session GET (baseline)': (c) => event('GET', getPath, getParams, tokens[c] as string),
    'query by xuid': (c, n) =>
      event('GET', queryPath, scidOnly, tokens[c] as string, { xuid: userXuid((n * 13) % USERS) }),
    'query by keyword, take=100': (c, n) =>
      event('GET', queryPath, scidOnly, tokens[c] as string, { keyword: `kw${n % KEYWORDS}`, take: '100' }),
    'QA listing page, take=100': () => event('GET', queryPath, scidOnly, server, { take: '100' }),
    'search: tags+strings+numbers, orderBy': (c, n) =>
      event(
        'POST',
        '/handles/query',
        {},
        tokens[c] as string,
        { include: 'relatedInfo,roleInfo,customProperties' },
        {
          type: 'search',
          scid: SAMPLE_SCID,
          templateName: 'open',
          global: true,
          filter: `tags/any(d:tolower(d) eq 'tag${n % 10}') and strings/mode eq 'm${n % 5}' and numbers/skill gt 50`,
          orderBy: 'numbers/skill desc',
        },
      ),
    'search reading the session': (c, n) =>
      event(
        'POST',
        '/handles/query',
        {},
        tokens[c] as string,
        { include: 'relatedInfo' },
        {
          type: 'search',
          scid: SAMPLE_SCID,
          templateName: 'open',
          global: true,
          filter: `numbers/skill ge ${90 + (n % 10)} and session/membersCount eq ${MEMBERS_PER_SESSION}`,
        },
      ),
  };
  const handlerOf: Record<string, ApiHandler> = {
    'session GET (baseline)': handlers.getSession,
    'query by xuid': handlers.querySessions,
    'query by keyword, take=100': handlers.querySessions,
    'QA listing page, take=100': handlers.querySessions,
    'search: tags+strings+numbers, orderBy': handlers.queryHandles,
    'search reading the session': handlers.queryHandles,
  };
  const opsOf = (name: string) => (name.startsWith('search') ? SEARCH_OPS : OPS);
  const callersOf = (name: string) => (name.startsWith('search') ? SEARCH_CALLERS : CALLERS);

  const perRound: Record<string, { p50: number[]; p99: number[]; units: number[]; results: number[] }> = {};
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, make] of Object.entries(cases)) {
      const samples: Sample[] = [];
      let results = 0;
      let next = 0;
      await Promise.all(
        Array.from({ length: callersOf(name) }, async (_, caller) => {
          for (let n = next++; n < opsOf(name); n = next++) {
            const bucket = { units: 0 };
            const started = performance.now();
            const answer = await meter.run(bucket, () => (handlerOf[name] as ApiHandler)(make(caller, n)));
            const ms = performance.now() - started;
            if (answer.statusCode !== 200) throw new Error(`${name} answered ${answer.statusCode}: ${answer.body}`);
            const body = JSON.parse(String(answer.body));
            results += Array.isArray(body.results) ? body.results.length : 1;
            samples.push({ ms, units: bucket.units });
          }
        }),
      );
      const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
      const entry = perRound[name] ?? { p50: [], p99: [], units: [], results: [] };
      entry.p50.push(percentile(ms, 50));
      entry.p99.push(percentile(ms, 99));
      entry.units.push(samples.reduce((sum, s) => sum + s.units, 0) / samples.length);
      entry.results.push(results / samples.length);
      perRound[name] = entry;
    }
  }

  const baseline = stats(perRound['session GET (baseline)']?.p50 ?? []).median;
  console.log(
    `\n${SESSIONS} sessions, ${OPS} requests per case and round (searches ${SEARCH_OPS}), ${CALLERS} callers (searches ${SEARCH_CALLERS}), ${ROUNDS} rounds`,
  );
  console.log(
    'case | p50 ms median (min..max) | p99 ms median (min..max) | read units/request | results/request | p50 / GET p50',
  );
  for (const [name, r] of Object.entries(perRound)) {
    const p50 = stats(r.p50);
    const p99 = stats(r.p99);
    const units = stats(r.units);
    console.log(
      `${name} | ${p50.median.toFixed(1)} (${p50.min.toFixed(1)}..${p50.max.toFixed(1)}) | ${p99.median.toFixed(1)} (${p99.min.toFixed(1)}..${p99.max.toFixed(1)}) | ${units.median.toFixed(1)} | ${stats(r.results).median.toFixed(1)} | ${(p50.median / baseline).toFixed(2)}`,
    );
  }

  // What the listing index adds to a PUT: the write units of a creating and of an updating PUT, table and indexes.
  const fresh = `${SAMPLE_SCID}#open#bench-put-${randomUUID()}`;
  const createInput = buildPutSession(
    tableName,
    fresh,
    { kind: 'session', document: model.document },
    { absent: true },
  );
  const create = await client.send(new PutItemCommand({ ...createInput, ReturnConsumedCapacity: 'INDEXES' }));
  const updateInput = buildPutSession(
    tableName,
    fresh,
    { kind: 'session', document: { ...model.document, changeNumber: 2 } },
    { version: 1 },
  );
  const update = await client.send(new PutItemCommand({ ...updateInput, ReturnConsumedCapacity: 'INDEXES' }));
  const describe = (c: ConsumedCapacity | undefined) =>
    `total ${c?.CapacityUnits ?? '?'} WCU (table ${c?.Table?.CapacityUnits ?? '?'}, indexes ${JSON.stringify(
      Object.fromEntries(Object.entries(c?.GlobalSecondaryIndexes ?? {}).map(([k, v]) => [k, v.CapacityUnits])),
    )})`;
  console.log(`\nsession PUT creating: ${describe(create.ConsumedCapacity)}`);
  console.log(`session PUT updating: ${describe(update.ConsumedCapacity)}`);
  const attributes = JSON.stringify(createInput.Item?.listShard) + JSON.stringify(createInput.Item?.listStart);
  console.log(
    `listing index attributes on the item: ${attributes.length} bytes of JSON (names included: ~${attributes.length + 19})`,
  );

  client.destroy();
  await dynamoDb.stop();
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
