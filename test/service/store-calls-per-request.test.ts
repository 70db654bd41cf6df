import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDbClient } from '../../lambda/runtime/dynamodb-client';
import { makeSessionHandlers } from '../../lambda/runtime/wiring';
import { DynamoDbHandleStore } from '../../lambda/store/dynamodb-handle-store';
import { DynamoDbSessionStore } from '../../lambda/store/dynamodb-session-store';
import { ensureSessionTable } from '../../local/create-table';
import { createLocalServer } from '../../local/http-server';
import { localRuntimeConfig } from '../../local/local-config';
import { closeServer, listenOnLoopback, onEverySend } from '../support/loopback-server';
import { joinBody, SAMPLE_SCID, SessionClient } from '../support/session-client';

// What one request costs in DynamoDB calls (issue 12): every call the session store sends is counted at the SDK
// client, on DynamoDB Local, through the local HTTP server. An uncontended PUT is exactly one strongly consistent
// GetItem and one conditional PutItem; a creating PUT writes once, on the condition that the item is absent (its read
// is the one that finds no session); a GET reads once and writes nothing.

interface Call {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

const endpoint = process.env.DYNAMODB_ENDPOINT as string;
const tableName = `sessions-test-${randomUUID()}`;
const calls: Call[] = [];
let client: DynamoDBClient;
let server: ReturnType<typeof createLocalServer>;
let baseUrl: string;

beforeAll(async () => {
  client = makeDynamoDbClient({ region: 'local', dynamoDbEndpoint: endpoint });
  // Counted once per send, before the SDK's own retries (onEverySend): the tests ask for answers without faults.
  onEverySend(client, (command, input) => calls.push({ command, input }));
  await ensureSessionTable(client, tableName, { stream: false });
  const handlers = makeSessionHandlers(
    { ...localRuntimeConfig(tableName, endpoint), rateLimits: 'off', log: { error: () => {} } },
    {
      sessions: new DynamoDbSessionStore(client, tableName),
      handles: new DynamoDbHandleStore(client, tableName),
      rateLimits: undefined,
    },
  );
  server = createLocalServer(handlers, { log: () => {} });
  baseUrl = await listenOnLoopback(server);
});

afterAll(async () => {
  await closeServer(server);
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  client.destroy();
});

/** The calls one request made. */
async function callsOf(request: () => Promise<{ status: number }>, status: number): Promise<Call[]> {
  calls.length = 0;
  const response = await request();
  expect(response.status).toBe(status);
  return [...calls];
}

const alice = () => new SessionClient(baseUrl, { xuid: '2533274790395904' }, { retryUnavailable: 0 });
const bob = () => new SessionClient(baseUrl, { xuid: '2533274790395905' }, { retryUnavailable: 0 });

function expectConsistentRead(call: Call | undefined): void {
  expect(call?.command).toBe('GetItemCommand');
  expect(call?.input.ConsistentRead).toBe(true);
}

describe('DynamoDB calls per request', () => {
  const name = `calls-${randomUUID()}`;

  it('a creating PUT writes once, conditional on the item being absent, after the one read that finds nothing', async () => {
    const made = await callsOf(() => alice().put(SAMPLE_SCID, 'open', name, joinBody('2533274790395904')), 201);
    expect(made.map((c) => c.command)).toEqual(['GetItemCommand', 'PutItemCommand']);
    expectConsistentRead(made[0]);
    expect(made[1]?.input.ConditionExpression).toBe('attribute_not_exists(#pk)');
  });

  it("an uncontended PUT of a member's properties is one consistent read and one conditional write", async () => {
    const made = await callsOf(
      () => alice().put(SAMPLE_SCID, 'open', name, { members: { me: { properties: { custom: { score: 1 } } } } }),
      200,
    );
    expect(made.map((c) => c.command)).toEqual(['GetItemCommand', 'PutItemCommand']);
    expectConsistentRead(made[0]);
    expect(made[1]?.input.ConditionExpression).toBe('#version = :expected');
  });

  it('an uncontended join is one consistent read and one conditional write', async () => {
    const made = await callsOf(() => bob().put(SAMPLE_SCID, 'open', name, joinBody('2533274790395905')), 200);
    expect(made.map((c) => c.command)).toEqual(['GetItemCommand', 'PutItemCommand']);
    expectConsistentRead(made[0]);
    expect(made[1]?.input.ConditionExpression).toBe('#version = :expected');
  });

  it('a GET is one consistent read and no write', async () => {
    const made = await callsOf(() => alice().get(SAMPLE_SCID, 'open', name), 200);
    expect(made.map((c) => c.command)).toEqual(['GetItemCommand']);
    expectConsistentRead(made[0]);
  });
});
