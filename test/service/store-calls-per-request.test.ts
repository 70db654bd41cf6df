import { randomUUID } from 'node:crypto';
import { DynamoDbHandleStore } from '../../lambda/store/dynamodb-handle-store';
import { DynamoDbSessionStore } from '../../lambda/store/dynamodb-session-store';
import { type OwnStoresService, startServiceOnOwnStores } from '../support/local-service';
import { joinBody, SAMPLE_SCID, SessionClient } from '../support/session-client';

// What one request costs in DynamoDB calls (issue 12): every call the session store sends is counted at the SDK
// client, on DynamoDB Local, through the local HTTP server. An uncontended PUT is exactly one strongly consistent
// GetItem and one conditional PutItem; a creating PUT writes once, on the condition that the item is absent (its read
// is the one that finds no session); a GET reads once and writes nothing.

interface Call {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

const calls: Call[] = [];
let service: OwnStoresService;

beforeAll(async () => {
  service = await startServiceOnOwnStores({
    config: { rateLimits: 'off' },
    stores: (client, { tableName }) => ({
      sessions: new DynamoDbSessionStore(client, tableName),
      handles: new DynamoDbHandleStore(client, tableName),
      rateLimits: undefined,
    }),
    // Counted once per send, before the SDK's own retries (onEverySend): the tests ask for answers without faults.
    observeSends: (command, input) => calls.push({ command, input }),
  });
});

afterAll(() => service.close());

/** The calls one request made. */
async function callsOf(request: () => Promise<{ status: number }>, status: number): Promise<Call[]> {
  calls.length = 0;
  const response = await request();
  expect(response.status).toBe(status);
  return [...calls];
}

const alice = () => new SessionClient(service.baseUrl, { xuid: '2533274790395904' }, { retryUnavailable: 0 });
const bob = () => new SessionClient(service.baseUrl, { xuid: '2533274790395905' }, { retryUnavailable: 0 });

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
