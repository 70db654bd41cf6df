// temp profiling driver (not committed)
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mintToken } from '../lambda/auth/development-token';
import { routeKeyOf, sessionPathOf, toSessionPath } from '../lambda/http/routes';
import { makeDynamoDbClient } from '../lambda/runtime/dynamodb-client';
import { makeSessionHandlers } from '../lambda/runtime/wiring';
import { DynamoDbHandleStore } from '../lambda/store/dynamodb-handle-store';
import { localRuntimeConfig } from '../local/local-config';
import { SAMPLE_SCID } from '../local/start-banner';
import { MemorySessionStore } from '../test/support/memory-session-store';
import { benchXuid, joinBody } from './bench-data';

function event(method: 'GET' | 'PUT', token: string, name: string, body?: unknown): APIGatewayProxyEventV2 {
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
async function main() {
  const members = Number(process.env.MEMBERS ?? 100);
  const calls = Number(process.env.CALLS ?? 500);
  const mode = process.env.MODE ?? 'put';
  const store = new MemorySessionStore();
  const config = {
    ...localRuntimeConfig('bench-memory', 'http://unused.invalid'),
    rateLimits: 'off' as const,
    log: { error: () => {} },
  };
  const handlers = makeSessionHandlers(config, {
    sessions: store,
    handles: new DynamoDbHandleStore(makeDynamoDbClient(config), 'x'),
    rateLimits: undefined,
  });
  const name = 'p';
  const tokens: string[] = [];
  for (let m = 0; m < members; m += 1) {
    const token = await mintToken({ xuid: benchXuid(20_000 + m) });
    tokens.push(token);
    await handlers.putSession(event('PUT', token, name, joinBody(20_000 + m, Number(process.env.CUSTOM ?? 2048))));
  }
  const token = tokens[0] as string;
  const run = async (n: number) => {
    const r =
      mode === 'put'
        ? await handlers.putSession(
            event('PUT', token, name, { members: { me: { properties: { custom: { score: n } } } } }),
          )
        : await handlers.getSession(event('GET', token, name));
    if (r.statusCode !== 200) throw new Error(String(r.statusCode));
  };
  for (let n = 0; n < 50; n++) await run(n);
  const before = process.cpuUsage();
  for (let n = 0; n < calls; n++) await run(n);
  const used = process.cpuUsage(before);
  console.log(mode, members, ((used.user + used.system) / 1000 / calls).toFixed(3), 'ms/call');
}
void main();
