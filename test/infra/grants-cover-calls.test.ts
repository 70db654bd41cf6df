import { randomUUID } from 'node:crypto';
import { FUNCTIONS, type FunctionDefinition, type FunctionName } from '../../lambda/http/routes';
import { DynamoDbHandleStore } from '../../lambda/store/dynamodb-handle-store';
import { DynamoDbNonceStore } from '../../lambda/store/dynamodb-nonce-store';
import { DynamoDbRateLimitStore } from '../../lambda/store/dynamodb-rate-limit-store';
import { DynamoDbSessionFinder } from '../../lambda/store/dynamodb-session-finder';
import { DynamoDbSessionListing } from '../../lambda/store/dynamodb-session-listing';
import { DynamoDbSessionStore } from '../../lambda/store/dynamodb-session-store';
import { NONCE_GRANT, RATE_LIMIT_TABLE_ACTIONS, SESSION_TABLE_GRANTS } from '../../lib/constructs/table-grants';
import { type OwnStoresService, startServiceOnOwnStores } from '../support/local-service';
import { joinBody, SAMPLE_SCID, SessionClient } from '../support/session-client';

// The grants the stack gives each function (lib/constructs/table-grants.ts, from the route table's
// sessionTableAccess) cover every DynamoDB call the function really makes: each route is called on DynamoDB Local
// through the real handlers, with fair use on, and every call the SDK client sends is recorded (command, table,
// index) and checked against the function's grant. A store change that calls something its function may not (a Query
// on a new index, a transaction with a DeleteItem) fails here instead of with AccessDenied once deployed.

const sessionTable = `sessions-grants-${randomUUID()}`;
const counterTable = `counters-grants-${randomUUID()}`;
const connectionTable = `connections-grants-${randomUUID()}`;
const HOST = '2533274790395950';
const FRIEND = '2533274790395951';

interface Call {
  readonly action: string;
  readonly table: string;
  readonly index?: string;
}

const calls: Call[] = [];
let service: OwnStoresService;

/** The IAM actions a command needs: a transaction needs the action of each of its items. */
function callsOf(command: string, input: Record<string, unknown>): Call[] {
  const action = `dynamodb:${command.replace(/Command$/, '')}`;
  if (command === 'TransactWriteItemsCommand') {
    const items = input.TransactItems as Record<string, { TableName: string }>[];
    const ACTIONS: Record<string, string> = {
      Put: 'dynamodb:PutItem',
      Delete: 'dynamodb:DeleteItem',
      Update: 'dynamodb:UpdateItem',
      ConditionCheck: 'dynamodb:ConditionCheckItem',
    };
    return items.flatMap((item) =>
      Object.entries(item).map(([kind, detail]) => ({ action: ACTIONS[kind] ?? kind, table: detail.TableName })),
    );
  }
  if (command === 'BatchGetItemCommand') {
    return Object.keys(input.RequestItems as Record<string, unknown>).map((table) => ({ action, table }));
  }
  const index = input.IndexName as string | undefined;
  return [{ action, table: String(input.TableName), ...(index === undefined ? {} : { index }) }];
}

beforeAll(async () => {
  service = await startServiceOnOwnStores({
    config: {
      tableName: sessionTable,
      rateLimitTableName: counterTable,
      connectionTableName: connectionTable,
      // A slow counter on a busy machine must not let a request in uncounted: every request is counted here.
      fairUseTimeoutMs: 60_000,
    },
    stores: (client) => ({
      sessions: new DynamoDbSessionStore(client, sessionTable),
      handles: new DynamoDbHandleStore(client, sessionTable),
      rateLimits: new DynamoDbRateLimitStore(client, counterTable),
      listing: new DynamoDbSessionListing(client, sessionTable),
      finder: new DynamoDbSessionFinder(client, sessionTable),
      nonces: new DynamoDbNonceStore(client, connectionTable),
    }),
    observeSends: (command, input) => calls.push(...callsOf(command, input)),
  });
});

afterAll(() => service.close());

/** Every call each function made, over the whole flow below. */
const made = new Map<FunctionName, Call[]>();

/** Runs one request known to go to `fn`, expecting `status`; records the calls it made under `fn`. */
async function as(fn: FunctionName, status: number, request: () => Promise<{ status: number }>) {
  calls.length = 0;
  const response = await request();
  expect([fn, response.status]).toEqual([fn, status]);
  made.set(fn, [...(made.get(fn) ?? []), ...calls]);
  return response as { status: number; json: { id?: string } };
}

it('every function makes only the calls its grant allows, on the tables it is granted', async () => {
  const host = new SessionClient(service.baseUrl, { xuid: HOST, titleId: '1234' });
  const friend = new SessionClient(service.baseUrl, { xuid: FRIEND, titleId: '1234' });
  const server = new SessionClient(service.baseUrl, { server: true });
  const name = `grants-${randomUUID()}`;
  const lobby = (path = '') => `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/lobby/sessions/${name}${path}`;
  await as('putSession', 201, () => host.put(SAMPLE_SCID, 'lobby', name, joinBody(HOST)));
  await as('getSession', 200, () => friend.get(SAMPLE_SCID, 'lobby', name));
  await as('putSessionProperties', 200, () => host.putProperties(SAMPLE_SCID, 'lobby', name, { custom: { a: 1 } }));
  await as('deleteSessionServer', 204, () => server.request('DELETE', lobby('/servers/none')));
  const activity = await as('postHandle', 201, () =>
    host.request('POST', '/handles', {
      body: { version: 1, type: 'activity', sessionRef: { scid: SAMPLE_SCID, templateName: 'lobby', name } },
    }),
  );
  const id = String(activity.json.id);
  await as('queryHandles', 200, () =>
    friend.request('POST', '/handles/query', {
      body: { type: 'activity', scid: SAMPLE_SCID, owners: { xuids: [HOST] } },
    }),
  );
  await as('queryHandles', 200, () =>
    friend.request('POST', '/handles/query', {
      body: { type: 'activity', scid: SAMPLE_SCID, owners: { people: { moniker: 'people', monikerXuid: FRIEND } } },
    }),
  );
  await as('getHandle', 200, () => friend.request('GET', `/handles/${id}`));
  await as('getHandleSession', 200, () => friend.request('GET', `/handles/${id}/session`));
  await as('putHandleSession', 200, () => friend.request('PUT', `/handles/${id}/session`, { body: joinBody(FRIEND) }));
  await as('deleteSessionMember', 200, () => friend.request('DELETE', lobby('/members/me')));
  await as('deleteHandle', 204, () => host.request('DELETE', `/handles/${id}`));
  // A second activity replaces the first in one transaction (the pointer's put and the old handle's delete).
  await as('postHandle', 201, () =>
    host.request('POST', '/handles', {
      body: { version: 1, type: 'activity', sessionRef: { scid: SAMPLE_SCID, templateName: 'lobby', name } },
    }),
  );
  await as('postHandle', 200, () =>
    host.request('POST', '/handles', {
      body: { version: 1, type: 'activity', sessionRef: { scid: SAMPLE_SCID, templateName: 'lobby', name } },
    }),
  );

  // Search handles: created on a searchable session (the pointer and the handle in one transaction), searched with a
  // filter that reads the session (the search index, then the sessions by BatchGetItem), deleted by a member. One
  // write per user: the search limit is 1 write per 15 s.
  const browse = `browse-${randomUUID()}`;
  const searchable = { constants: { system: { capabilities: { searchable: true } } } };
  await as('putSession', 201, () =>
    host.request('PUT', `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/open/sessions/${browse}`, {
      body: joinBody(HOST, searchable),
    }),
  );
  await as('putSession', 200, () =>
    friend.request('PUT', `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/open/sessions/${browse}`, {
      body: joinBody(FRIEND),
    }),
  );
  const searchHandle = await as('postHandle', 201, () =>
    host.request('POST', '/handles', {
      body: {
        version: 1,
        type: 'search',
        sessionRef: { scid: SAMPLE_SCID, templateName: 'open', name: browse },
        searchAttributes: { tags: ['grants'] },
      },
    }),
  );
  await as('queryHandles', 200, () =>
    friend.request('POST', '/handles/query?include=relatedInfo', {
      body: {
        type: 'search',
        scid: SAMPLE_SCID,
        templateName: 'open',
        filter: "tags/any(d:d eq 'grants') and session/membersCount ge 1",
      },
    }),
  );
  await as('deleteHandle', 204, () => friend.request('DELETE', `/handles/${searchHandle.json.id}`));

  // Session queries: the QA listing (a server), a query by xuid, a batch query, the template reads.
  const queries = `/serviceconfigs/${SAMPLE_SCID}`;
  await as('querySessions', 200, () => server.request('GET', `${queries}/sessions?take=10`));
  await as('querySessions', 200, () => host.request('GET', `${queries}/sessions?xuid=${HOST}`));
  await as('batchQuerySessions', 200, () =>
    host.request('POST', `${queries}/batch`, { body: { xuids: [HOST, FRIEND] } }),
  );
  await as('getSessionTemplates', 200, () => host.request('GET', `${queries}/sessiontemplates`));
  // Real-time activity's nonce, put into the connections table.
  await as('getNonce', 200, () => host.request('GET', '/nonce'));

  // Each of today's functions was called (a function added later is checked once a step above calls it).
  const today: FunctionName[] = [
    'getSession',
    'putSession',
    'putSessionProperties',
    'deleteSessionMember',
    'deleteSessionServer',
    'postHandle',
    'queryHandles',
    'getHandle',
    'deleteHandle',
    'getHandleSession',
    'putHandleSession',
    'querySessions',
    'batchQuerySessions',
    'getSessionTemplates',
    'getNonce',
  ];
  expect([...made.keys()].sort()).toEqual(today.sort());
  for (const [fn, fnCalls] of made) {
    const grant = SESSION_TABLE_GRANTS[FUNCTIONS[fn].sessionTableAccess];
    const definition: FunctionDefinition = FUNCTIONS[fn];
    const nonces = definition.connectionTableAccess === 'put-nonce' ? NONCE_GRANT.itemActions : [];
    expect(fnCalls.length).toBeGreaterThan(0);
    for (const call of fnCalls) {
      const allowed =
        call.table === counterTable
          ? call.index === undefined && (RATE_LIMIT_TABLE_ACTIONS as readonly string[]).includes(call.action)
          : call.table === connectionTable
            ? call.index === undefined && nonces.includes(call.action)
            : call.table === sessionTable &&
              (call.index === undefined
                ? (grant.itemActions as readonly string[]).includes(call.action)
                : call.action === 'dynamodb:Query' && (grant.indexQueries as readonly string[]).includes(call.index));
      expect({ fn, call, allowed }).toEqual({ fn, call, allowed: true });
    }
  }
  // And the GET function reads session items by key and nothing else.
  expect(
    new Set(
      made
        .get('getSession')
        ?.filter((c) => c.table === sessionTable)
        .map((c) => c.action),
    ),
  ).toEqual(new Set(['dynamodb:GetItem']));
});
