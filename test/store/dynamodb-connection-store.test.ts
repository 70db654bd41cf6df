import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbConnectionStore } from '../../lambda/store/dynamodb-connection-store';
import { connectionTableForFile } from '../support/connection-table';

// The RTA connection state on DynamoDB Local (family spec §6.5): subscription ids per socket, one ConnectionId per
// socket even under concurrent subscribes, the reclaim rules, idempotent unsubscribe and close.

const { store, admin, tableName } = connectionTableForFile();
const CONNECTIONS = 'https://sessiondirectory.xboxlive.com/connections/';
const LATER = 4_000_000_000;

async function openSocket(owner = '1'): Promise<string> {
  const socketId = randomUUID();
  await store.openSocket({ socketId, owner, openedAt: 0, expiresAt: LATER });
  return socketId;
}

async function subscribe(socketId: string, reclaim?: string): Promise<{ subscriptionId: number; id: string }> {
  const subscriptionId = await store.addSubscription(socketId, CONNECTIONS);
  const id = await store.bindConnectionId({
    socketId,
    subscriptionId,
    fresh: randomUUID(),
    expiresAt: LATER,
    ...(reclaim === undefined ? {} : { reclaim }),
  });
  return { subscriptionId, id };
}

describe('the DynamoDB connection store', () => {
  it('numbers subscriptions from 0 per socket and keeps one ConnectionId per socket', async () => {
    const socketId = await openSocket();
    const first = await subscribe(socketId);
    expect(await store.addSubscription(socketId, 'https://social.xboxlive.com/x')).toBe(1);
    const second = await subscribe(socketId);
    expect([first.subscriptionId, second.subscriptionId]).toEqual([0, 2]);
    expect(second.id).toBe(first.id);
    expect(await store.findTapAddresses([first.id])).toEqual(new Map([[first.id, { socketId, subscriptionId: 0 }]]));
    // Unsubscribing the first leaves the second as the tap address; an unknown id and a non-connections one are no-ops.
    await store.removeSubscription(socketId, 0);
    await store.removeSubscription(socketId, 1);
    await store.removeSubscription(socketId, 99);
    expect(await store.findTapAddresses([first.id])).toEqual(new Map([[first.id, { socketId, subscriptionId: 2 }]]));
  });

  it('a socket whose opening was not recorded still gets its subscriptions and a ConnectionId', async () => {
    const { subscriptionId, id } = await subscribe(randomUUID());
    expect(subscriptionId).toBe(0);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('unsubscribing from another resource on a socket without a ConnectionId changes nothing else', async () => {
    const socketId = await openSocket();
    expect(await store.addSubscription(socketId, 'https://social.xboxlive.com/x')).toBe(0);
    await store.removeSubscription(socketId, 0);
    expect((await subscribe(socketId)).subscriptionId).toBe(1);
  });

  it('concurrent subscribes on one socket get one ConnectionId', async () => {
    const socketId = await openSocket();
    const results = await Promise.all([subscribe(socketId), subscribe(socketId), subscribe(socketId)]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.subscriptionId)).size).toBe(3);
    const address = (await store.findTapAddresses([results[0]?.id ?? ''])).get(results[0]?.id ?? '');
    expect(address?.socketId).toBe(socketId);
  });

  it('reclaims only an id of the same user whose socket is gone', async () => {
    const original = await openSocket('7');
    const { id } = await subscribe(original);
    // Still open: a new id.
    expect((await subscribe(await openSocket('7'), id)).id).not.toBe(id);
    await store.closeSocket(original);
    expect((await store.findTapAddresses([id])).size).toBe(0);
    // Another user: a new id. Never issued: a new id.
    expect((await subscribe(await openSocket('8'), id)).id).not.toBe(id);
    expect((await subscribe(await openSocket('7'), randomUUID())).id).not.toBe(id);
    // The same user: the id, bound to the new socket.
    const next = await openSocket('7');
    expect((await subscribe(next, id)).id).toBe(id);
    expect((await store.findTapAddresses([id])).get(id)?.socketId).toBe(next);
  });

  it('closing a socket twice, or one never opened, is no error; a rebound id stays with its new socket', async () => {
    const first = await openSocket('9');
    const { id } = await subscribe(first);
    await store.closeSocket(first);
    await store.closeSocket(first);
    await store.closeSocket(randomUUID());
    const second = await openSocket('9');
    await subscribe(second, id);
    await store.removeSubscription(first, 0);
    expect((await store.findTapAddresses([id])).get(id)?.socketId).toBe(second);
  });

  it('finds the addresses of more ConnectionIds than one batch read holds', async () => {
    const socketId = await openSocket();
    const { id } = await subscribe(socketId);
    const unknown = Array.from({ length: 150 }, () => randomUUID());
    const found = await store.findTapAddresses([...unknown, id, id]);
    expect([...found.keys()]).toEqual([id]);
  });

  it.each([
    ['a reclaim', 'attribute_not_exists(#socket)'],
    ['an unbinding on close', 'REMOVE #socket, #subs'],
    ['an unsubscribe', 'REMOVE #subs.#id'],
    ["an unsubscribe's ConnectionId update", 'DELETE #subs :sub'],
  ])('passes on a failure of %s other than a failed condition', async (_name, expression) => {
    // The real client, except that the one update named fails as a throttled call would.
    const failing = {
      send: (command: unknown) => {
        const input = (command as { input?: { UpdateExpression?: string; ConditionExpression?: string } }).input;
        const text = `${input?.UpdateExpression ?? ''} ${input?.ConditionExpression ?? ''}`;
        if (command instanceof UpdateItemCommand && text.includes(expression)) {
          return Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
        }
        return admin.send(command as never);
      },
    } as unknown as DynamoDBClient;
    const flaky = new DynamoDbConnectionStore(failing, tableName);
    const socketId = await openSocket('5');
    const { id } = await subscribe(socketId);
    const attempt = async () => {
      await flaky.removeSubscription(socketId, 0);
      await flaky.closeSocket(socketId);
      const next = await openSocket('5');
      const subscriptionId = await flaky.addSubscription(next, CONNECTIONS);
      await flaky.bindConnectionId({
        socketId: next,
        subscriptionId,
        reclaim: id,
        fresh: randomUUID(),
        expiresAt: LATER,
      });
    };
    await expect(attempt()).rejects.toThrow('throttled');
  });
});

describe('disconnect checks (family spec §6.9)', () => {
  const CLOSED_AT = 1_800_000_000_000;
  const SESSION = 'scid#template#name';

  it('a close schedules the check 30 s later, found by a Query on the due-time index', async () => {
    const socketId = await openSocket();
    const { id } = await subscribe(socketId);
    await store.recordSessions([id], SESSION, CLOSED_AT - 5_000);
    expect(await store.findDueDisconnects(CLOSED_AT + 60_000, 1000)).not.toContain(id);

    await store.closeSocket(socketId, CLOSED_AT);
    expect(await store.readDisconnect(id)).toEqual({ live: false, closedAt: CLOSED_AT, sessionKeys: [SESSION] });
    expect(await store.findDueDisconnects(CLOSED_AT + 29_999, 1000)).not.toContain(id);
    expect(await store.findDueDisconnects(CLOSED_AT + 30_000, 1000)).toContain(id);

    await store.finishDisconnect(id, CLOSED_AT);
    expect(await store.findDueDisconnects(CLOSED_AT + 60_000, 1000)).not.toContain(id);
  });

  it('a reclaim cancels the pending check', async () => {
    const first = await openSocket('7');
    const { id } = await subscribe(first);
    await store.closeSocket(first, CLOSED_AT);
    const second = await openSocket('7');
    expect((await subscribe(second, id)).id).toBe(id);
    expect(await store.readDisconnect(id)).toEqual({ live: true, sessionKeys: [] });
    expect(await store.findDueDisconnects(CLOSED_AT + 60_000, 1000)).not.toContain(id);
  });

  it('unsubscribing the last connections subscription schedules it; an earlier one does not', async () => {
    const socketId = await openSocket();
    const first = await subscribe(socketId);
    const second = await subscribe(socketId);
    await store.removeSubscription(socketId, first.subscriptionId, CLOSED_AT);
    expect((await store.readDisconnect(first.id))?.closedAt).toBeUndefined();
    await store.removeSubscription(socketId, second.subscriptionId, CLOSED_AT);
    expect(await store.readDisconnect(first.id)).toMatchObject({ live: false, closedAt: CLOSED_AT });
  });

  it('a closed ConnectionId written into a session gets a check; an id the service never issued gets no state', async () => {
    const socketId = await openSocket();
    const { id } = await subscribe(socketId);
    await store.closeSocket(socketId);
    expect(await store.readDisconnect(id)).toEqual({ live: false, sessionKeys: [] });
    await store.recordSessions([id], SESSION, CLOSED_AT);
    expect(await store.readDisconnect(id)).toEqual({ live: false, closedAt: CLOSED_AT, sessionKeys: [SESSION] });

    const stranger = randomUUID();
    await store.recordSessions([stranger], SESSION, CLOSED_AT);
    expect(await store.readDisconnect(stranger)).toBeUndefined();
  });

  it('finishing an older check leaves the one a later close scheduled', async () => {
    const first = await openSocket('8');
    const { id } = await subscribe(first);
    await store.closeSocket(first, CLOSED_AT);
    const second = await openSocket('8');
    await subscribe(second, id);
    await store.closeSocket(second, CLOSED_AT + 1_000);
    await store.finishDisconnect(id, CLOSED_AT);
    expect(await store.findDueDisconnects(CLOSED_AT + 31_000, 1000)).toContain(id);
  });
});
