import { randomUUID } from 'node:crypto';
import { mintToken } from '../../lambda/auth/development-token';
import { CONNECTION_LIFETIME_MS, KEEPALIVE_INTERVAL_MS } from '../../lambda/rta/connection-limits';
import { DynamoDbConnectionStore } from '../../lambda/store/dynamodb-connection-store';
import { startTestService, type TestService } from '../support/local-service';
import { CONNECTIONS, RtaTestClient, socketsClosedAfterEach } from '../support/rta-client';
import { readExample, wireText } from '../support/rta-fixtures';

// Connection lifetime and keepalives (family spec §6.4) over the local server, real sockets and DynamoDB Local, with
// an injected clock: the 2-hour limit drops the TCP connection (clients see 1006), and quiet sockets get the
// keepalive event every client ignores, found by a Query on the connections table's due-time index.

let now = Date.now();
let service: TestService;
beforeAll(async () => {
  service = await startTestService({ realTime: true, clock: () => now });
});
afterAll(() => service.close());

const sockets = socketsClosedAfterEach();
afterEach(() => {
  now = Date.now();
});

async function open(): Promise<RtaTestClient> {
  const socket = await RtaTestClient.open(service.rtaUrl as string, {
    authorization: await mintToken({ xuid: '2535400000000099', gamertag: 'Quiet' }),
    protocols: ['rta.xboxlive.com.V2'],
  });
  sockets.push(socket);
  return socket;
}

/** Resolves with the close code the client saw. */
function closeCodeOf(socket: RtaTestClient): Promise<number> {
  return new Promise((resolve) => {
    if (socket.ws.readyState === socket.ws.CLOSED) resolve(-1);
    socket.ws.once('close', (code) => resolve(code));
  });
}

const keepAliveNow = () => (service.realTime as NonNullable<TestService['realTime']>).keepAliveNow();
const endpoint = () => (service.realTime as NonNullable<TestService['realTime']>).endpoint;

describe('the 2-hour lifetime (§6.4)', () => {
  it('never ends a socket before 2 h, and then drops its TCP connection: the client sees 1006, not a clean close', async () => {
    const socket = await open();
    expect((await socket.request([1, 1, CONNECTIONS]))[2]).toBe(0);
    const closed = closeCodeOf(socket);
    now += CONNECTION_LIFETIME_MS - 1;
    expect(endpoint().dropExpired()).toBe(0);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    now += 1;
    expect(endpoint().dropExpired()).toBeGreaterThanOrEqual(1);
    expect(await closed).toBe(1006);
  });
});

describe('keepalives (§6.4)', () => {
  it('go to a socket quiet for the keepalive interval, as the fixture’s frame on its connections subscription', async () => {
    const socket = await open();
    // Two connections subscriptions, the first one dropped: the frame must name the one the client still holds.
    expect((await socket.request([1, 1, CONNECTIONS]))[3]).toBe(0);
    expect((await socket.request([1, 2, CONNECTIONS]))[3]).toBe(1);
    expect(await socket.request([2, 3, 0])).toEqual([2, 3, 0]);

    await keepAliveNow();
    now += KEEPALIVE_INTERVAL_MS - 1;
    await keepAliveNow();
    expect(socket.frames).toHaveLength(3);

    now += 1;
    const report = await keepAliveNow();
    expect(report.keptAlive).toBeGreaterThanOrEqual(1);
    const fixture = readExample('family-rta-event-keepalive.json').frame;
    expect(await socket.next()).toBe(wireText([fixture[0], 1, fixture[2]]));

    // Not again until another interval has passed.
    await keepAliveNow();
    now += KEEPALIVE_INTERVAL_MS - 1;
    await keepAliveNow();
    expect(socket.frames).toHaveLength(4);
    now += 1;
    await keepAliveNow();
    expect(await socket.next()).toBe(wireText([fixture[0], 1, fixture[2]]));
  });

  it('are never sent to a socket without a connections subscription: no event for a subscription it does not hold', async () => {
    const socket = await open();
    const subscribed = await socket.request([1, 7, CONNECTIONS]);
    expect(await socket.request([2, 8, subscribed[3]])).toEqual([2, 8, 0]);
    now += KEEPALIVE_INTERVAL_MS;
    const report = await keepAliveNow();
    expect(report.skipped).toBeGreaterThanOrEqual(1);
    expect(socket.frames).toHaveLength(2);
  });

  it('forget a socket found gone, as a tap does', async () => {
    const store = new DynamoDbConnectionStore(service.admin, service.connectionTableName as string);
    const socketId = randomUUID();
    await store.openSocket({ socketId, owner: '1', openedAt: now, expiresAt: 4_000_000_000, keepaliveAt: now });
    await store.addSubscription(socketId, CONNECTIONS);
    const report = await keepAliveNow();
    expect(report.gone).toBeGreaterThanOrEqual(1);
    now += KEEPALIVE_INTERVAL_MS;
    expect((await store.findDueSockets(now, 500)).map((due) => due.socketId)).not.toContain(socketId);
  });
});
