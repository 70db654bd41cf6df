import { randomUUID } from 'node:crypto';
import { makeTapHandler } from '../../lambda/rta/tap-delivery';
import type { DynamoDbConnectionStore } from '../../lambda/store/dynamodb-connection-store';
import type { SessionChange } from '../../lambda/store/session-stream';
import { connectionTableForFile } from '../support/connection-table';
import { tappedChange } from '../support/tapped-session';

// The tap handler over the DynamoDB connection store (on DynamoDB Local) with a recording gateway: what is sent to
// whom, what a gone socket does to the state, and how a batch reports a failure (family spec §6.8).

const { store } = connectionTableForFile();

const quiet = { warn: () => {}, error: () => {} };
const KEY = '00000000-0000-0000-0000-00006c6f6361#lobby#tap-test';

function change(sequence: number, changeNumber: number, connection: string, branch?: string): SessionChange {
  return tappedChange({
    sequenceNumber: String(sequence),
    sessionKey: KEY,
    changeNumber,
    connection,
    changedAt: Date.parse('2026-11-29T12:00:00.000Z'),
    ...(branch === undefined ? {} : { branch }),
  });
}

/** A socket with a ConnectionId bound to it, as a subscribe leaves it. */
async function openBoundSocket(): Promise<{ socketId: string; connectionId: string }> {
  const socketId = randomUUID();
  await store.openSocket({ socketId, owner: '1', openedAt: 0, expiresAt: 4_000_000_000 });
  const subscriptionId = await store.addSubscription(socketId, 'https://sessiondirectory.xboxlive.com/connections/');
  const connectionId = await store.bindConnectionId({
    socketId,
    subscriptionId,
    fresh: randomUUID(),
    expiresAt: 4_000_000_000,
  });
  return { socketId, connectionId };
}

describe('the tap handler', () => {
  it('sends one event per change to the socket, in order, and never a changeNumber that goes backwards', async () => {
    const { socketId, connectionId } = await openBoundSocket();
    const sent: [string, string][] = [];
    const handle = makeTapHandler({
      connections: store,
      gateway: {
        postToConnection: async (id, frame) => {
          sent.push([id, frame]);
          return 'sent';
        },
      },
      newGuid: randomUUID,
      log: quiet,
    });
    expect(await handle([change(1, 2, connectionId), change(2, 3, connectionId)])).toEqual({});
    // A redelivered older change (a retried batch) is dropped.
    expect(await handle([change(1, 2, connectionId)])).toEqual({});
    const numbers = sent.map(([id, frame]) => {
      expect(id).toBe(socketId);
      const parsed = JSON.parse(frame);
      expect(parsed.slice(0, 2)).toEqual([3, 0]);
      return parsed[2].shoulderTaps[0].changeNumber;
    });
    expect(numbers).toEqual([2, 3]);
  });

  it('a socket found gone is forgotten: its ConnectionId gets no more taps', async () => {
    const { connectionId } = await openBoundSocket();
    const handle = makeTapHandler({
      connections: store,
      gateway: { postToConnection: async () => 'gone' },
      newGuid: randomUUID,
      log: quiet,
    });
    expect((await store.findTapAddresses([connectionId])).size).toBe(1);
    expect(await handle([change(1, 2, connectionId, randomUUID())])).toEqual({});
    expect((await store.findTapAddresses([connectionId])).size).toBe(0);
  });

  it('an unsubscribed socket gets no taps', async () => {
    const { socketId, connectionId } = await openBoundSocket();
    await store.removeSubscription(socketId, 0);
    await store.removeSubscription(socketId, 0);
    expect((await store.findTapAddresses([connectionId])).size).toBe(0);
  });

  it('a change whose recipients cannot be looked up stops the batch there and is reported', async () => {
    const { connectionId } = await openBoundSocket();
    const sent: string[] = [];
    let lookups = 0;
    const handle = makeTapHandler({
      // The real store, but its second lookup fails.
      connections: Object.assign(Object.create(store) as DynamoDbConnectionStore, {
        findTapAddresses: async (ids: readonly string[]) => {
          lookups += 1;
          if (lookups === 2) throw new Error('throttled');
          return store.findTapAddresses(ids);
        },
      }),
      gateway: {
        postToConnection: async (_id, frame) => {
          sent.push(frame);
          return 'sent';
        },
      },
      newGuid: randomUUID,
      log: quiet,
    });
    const branch = randomUUID();
    const batch = [
      change(7, 2, connectionId, branch),
      change(8, 3, connectionId, branch),
      change(9, 4, connectionId, branch),
    ];
    expect(await handle(batch)).toEqual({ failedSequenceNumber: '8' });
    // The retry from the failed change sends it and what follows, and nothing twice.
    expect(await handle(batch.slice(1))).toEqual({});
    expect(sent.map((frame) => JSON.parse(frame)[2].shoulderTaps[0].changeNumber)).toEqual([2, 3, 4]);
  });
});
