import { randomUUID } from 'node:crypto';
import { RESYNC_MIN_INTERVAL_MS } from '../../lambda/rta/connection-limits';
import { makeKeepalivePass } from '../../lambda/rta/keepalive';
import { type ConnectionGateway, makeTapHandler } from '../../lambda/rta/tap-delivery';
import type { SessionChange } from '../../lambda/store/session-stream';
import { connectionTableForFile } from '../support/connection-table';
import { readExample, wireText } from '../support/rta-fixtures';
import { tappedChange } from '../support/tapped-session';

// Resync `[4]` on known losses (family spec §6.10): a tap that could not be delivered to a socket that is still there
// makes the socket owe `[4]`; the keepalive pass sends it, at most once per 5 minutes per socket. The connection
// store on DynamoDB Local, a recording gateway (the network boundary), an injected clock.

const { store } = connectionTableForFile();
const CONNECTIONS = 'https://sessiondirectory.xboxlive.com/connections/';
const RESYNC = wireText(readExample('family-rta-resync.json').frame);
const START = Date.parse('2026-11-29T12:00:00.000Z');

const quiet = { warn: () => {}, error: () => {} };

function changeAt(at: number, changeNumber: number, connection: string, sessionKey: string): SessionChange {
  return tappedChange({ sequenceNumber: String(changeNumber), sessionKey, changeNumber, connection, changedAt: at });
}

/** A recording gateway whose deliveries of taps (events) fail while `failing` is set. */
function flakyGateway(): ConnectionGateway & { sent: string[]; failing: boolean } {
  const gateway = {
    sent: [] as string[],
    failing: false,
    async postToConnection(_socketId: string, frame: string): Promise<'sent'> {
      if (gateway.failing && frame.includes('"ncid"')) throw new Error('the socket’s send buffer is full');
      gateway.sent.push(frame);
      return 'sent';
    },
  };
  return gateway;
}

async function openBoundSocket(at: number): Promise<{ socketId: string; connectionId: string }> {
  const socketId = randomUUID();
  await store.openSocket({ socketId, owner: '1', openedAt: at, expiresAt: 4_000_000_000, keepaliveAt: at + 3e5 });
  const subscriptionId = await store.addSubscription(socketId, CONNECTIONS);
  const connectionId = await store.bindConnectionId({ socketId, subscriptionId, fresh: randomUUID(), expiresAt: 4e9 });
  return { socketId, connectionId };
}

it('a failed tap delivery owes [4], sent once by the next keepalive pass and at most once per 5 minutes', async () => {
  let now = START;
  const gateway = flakyGateway();
  const tap = makeTapHandler({ connections: store, gateway, newGuid: randomUUID, log: quiet });
  const pass = makeKeepalivePass({ connections: store, gateway, clock: () => now, log: quiet });
  const { connectionId } = await openBoundSocket(now);
  const session = `00000000-0000-0000-0000-00006c6f6361#lobby#${randomUUID()}`;
  const resyncs = () => gateway.sent.filter((frame) => frame === RESYNC).length;

  // Delivered taps owe nothing.
  await tap([changeAt(now, 2, connectionId, session)]);
  expect((await pass()).resynced).toBe(0);

  // A lost tap: the next pass sends [4], and the one after it nothing more.
  gateway.failing = true;
  await tap([changeAt(now, 3, connectionId, session)]);
  now += 1_000;
  expect((await pass()).resynced).toBe(1);
  expect(resyncs()).toBe(1);
  expect((await pass()).resynced).toBe(0);

  // Another loss within 5 minutes: owed, but not sent before 5 minutes after the last [4].
  now += 60_000;
  await tap([changeAt(now, 4, connectionId, session)]);
  expect((await pass()).resynced).toBe(0);
  now = START + 1_000 + RESYNC_MIN_INTERVAL_MS - 1;
  expect((await pass()).resynced).toBe(0);
  now += 1;
  expect((await pass()).resynced).toBe(1);
  expect(resyncs()).toBe(2);
  expect((await pass()).resynced).toBe(0);
});

it('a socket found gone owes nothing: its state is deleted instead', async () => {
  const now = START;
  const { connectionId } = await openBoundSocket(now);
  const gone: ConnectionGateway = { postToConnection: async () => 'gone' };
  const tap = makeTapHandler({ connections: store, gateway: gone, newGuid: randomUUID, log: quiet });
  await tap([changeAt(now, 2, connectionId, `00000000-0000-0000-0000-00006c6f6361#lobby#${randomUUID()}`)]);
  expect((await store.findTapAddresses([connectionId])).size).toBe(0);
  expect((await store.findDueSockets(now + 1, 500)).filter((socket) => socket.resyncOwed)).toEqual([]);
});
