// Handler cost of `npm run bench`: CPU time per request of the real GET and PUT handlers (token check, parse, merge,
// render, the item codec), called in process over the in-memory session store, so no DynamoDB or HTTP time is in it.
// Sessions of 1, 32 and 100 members, each member with 2 KB of varied custom data.
import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mintToken } from '../lambda/auth/development-token';
import { parseSessionReference, sessionKey } from '../lambda/domain/session-reference';
import { routeKeyOf, sessionPathOf, toSessionPath } from '../lambda/http/routes';
import { makeDynamoDbClient } from '../lambda/runtime/dynamodb-client';
import { makeSessionHandlers } from '../lambda/runtime/wiring';
import { DynamoDbHandleStore } from '../lambda/store/dynamodb-handle-store';
import { localRuntimeConfig } from '../local/local-config';
import { SAMPLE_SCID } from '../local/start-banner';
import { MemorySessionStore } from '../test/support/memory-session-store';
import { benchXuid, joinBody } from './bench-data';
import { stats } from './bench-kit';

export const MEMBER_COUNTS = [1, 32, 100] as const;
const CUSTOM_BYTES = 2048;

export interface HandlerCost {
  readonly members: number;
  /** CPU milliseconds per request (user + system, GC included): median and spread over the repetitions. */
  readonly putMs: { median: number; min: number; max: number };
  readonly getMs: { median: number; min: number; max: number };
  /** Size of the GET answer's body, bytes. */
  readonly answerBytes: number;
  /** The session's item as the codec stored it after the run (for the item-size figures). */
  readonly item: Record<string, AttributeValue>;
}

/** A payload-2.0 event of the session resource, as API Gateway hands it to the functions. */
export function event(method: 'GET' | 'PUT', token: string, name: string, body?: unknown): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: routeKeyOf({ method, path: toSessionPath('sessiontemplates') }),
    rawPath: sessionPathOf({ scid: SAMPLE_SCID, templateName: 'open', name }),
    rawQueryString: '',
    headers: {
      authorization: token,
      'x-xbl-contract-version': '107',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    pathParameters: { scid: SAMPLE_SCID, sessionTemplateName: 'open', sessionName: name },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
    requestContext: { requestId: randomUUID() } as APIGatewayProxyEventV2['requestContext'],
  } as APIGatewayProxyEventV2;
}

/** CPU ms per call of `fn`, over `calls` sequential calls. */
export async function cpuMsPerCall(calls: number, fn: (n: number) => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  for (let n = 0; n < calls; n += 1) await fn(n);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / calls;
}

/** The real GET and PUT handlers over an in-memory session store (the item codec included), fair use off. */
export function handlersOverMemory(): { handlers: ReturnType<typeof makeSessionHandlers>; store: MemorySessionStore } {
  const store = new MemorySessionStore();
  const config = {
    ...localRuntimeConfig('bench-memory', 'http://unused.invalid'),
    rateLimits: 'off' as const,
    log: { error: () => {} },
  };
  const handlers = makeSessionHandlers(
    config,
    // The handle store is never called here (session GET and PUT only); it needs a client, not a connection.
    {
      sessions: store,
      handles: new DynamoDbHandleStore(makeDynamoDbClient(config), 'bench-unused'),
      rateLimits: undefined,
    },
  );
  return { handlers, store };
}

/**
 * Creates session `name` with `members` members, each joining with `customBytes` of varied custom data; answers
 * each member's token and two requests of its first member: a PUT that changes one custom property, and a GET.
 */
export async function benchSession(
  handlers: ReturnType<typeof makeSessionHandlers>,
  name: string,
  members: number,
  customBytes = CUSTOM_BYTES,
): Promise<{ put: (n: number) => Promise<void>; get: () => Promise<number> }> {
  const tokens: string[] = [];
  for (let m = 0; m < members; m += 1) {
    const token = await mintToken({ xuid: benchXuid(20_000 + m) });
    tokens.push(token);
    const created = await handlers.putSession(event('PUT', token, name, joinBody(20_000 + m, customBytes)));
    if ((created.statusCode ?? 0) >= 300) throw new Error(`setup PUT answered ${created.statusCode}: ${created.body}`);
  }
  const token = tokens[0] as string;
  return {
    put: async (n: number) => {
      const result = await handlers.putSession(
        event('PUT', token, name, { members: { me: { properties: { custom: { score: n } } } } }),
      );
      if (result.statusCode !== 200) throw new Error(`PUT answered ${result.statusCode}: ${result.body}`);
    },
    /** Answers the size of the GET answer's body. */
    get: async () => {
      const result = await handlers.getSession(event('GET', token, name));
      if (result.statusCode !== 200) throw new Error(`GET answered ${result.statusCode}: ${result.body}`);
      return Buffer.byteLength(result.body ?? '');
    },
  };
}

/** Measures every session size; `repetitions` rounds of `calls` requests each (fewer for large sessions). */
export async function measureHandlerCost(repetitions: number, calls: number): Promise<HandlerCost[]> {
  const { handlers, store } = handlersOverMemory();
  const results: HandlerCost[] = [];
  for (const members of MEMBER_COUNTS) {
    const name = `cost-${members}`;
    const session = await benchSession(handlers, name, members);
    const put = session.put;
    let answerBytes = 0;
    const get = async () => {
      answerBytes = await session.get();
    };
    const n = Math.max(5, Math.round(calls / Math.max(1, members / 10)));
    await cpuMsPerCall(n, put); // warm-up
    await cpuMsPerCall(n, get);
    const puts: number[] = [];
    const gets: number[] = [];
    for (let r = 0; r < repetitions; r += 1) {
      puts.push(await cpuMsPerCall(n, put));
      gets.push(await cpuMsPerCall(n, get));
    }
    const item = store.itemOf(sessionKey(parseSessionReference(SAMPLE_SCID, 'open', name)));
    if (item === undefined) throw new Error(`no stored item for ${name}`);
    results.push({ members, putMs: stats(puts), getMs: stats(gets), answerBytes, item });
  }
  return results;
}
