import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { mintToken } from '../../lambda/auth/development-token';
import type { SweepReport } from '../../lambda/service/timer-sweeper';
import { DynamoDbConnectionStore } from '../../lambda/store/dynamodb-connection-store';
import { startTestService, type TestService } from '../support/local-service';
import { CONNECTIONS, FRAME_DEADLINE_MS, RtaTestClient, socketsClosedAfterEach } from '../support/rta-client';
import { SessionClient } from '../support/session-client';

// Issue 11 items 5 and 6 over the local server, real sockets and DynamoDB Local, with an injected clock: the sweeper
// commits due timers with nobody touching the session (a stream record, so a tap), and a closed socket's members
// become inactive 30 s later through a sweep (family spec §6.9, session spec §2.4). The clock moves only when the
// test says; the sweeps are called by the test (npm start sweeps every 10 s).

const MC_SCID = '4fc10100-5f7a-4470-899b-280835760c07';
const TEMPLATE = 'MinecraftLobby';
// MinecraftLobby's timeouts (lambda/templates/4fc10100-….json): it also sets connectionRequiredForActiveMembers.
const RESERVED_REMOVAL_MS = 240_000;
const INACTIVE_REMOVAL_MS = 300_000;
const HOST = '2535400000000000';
const PEER = '2535400000000001';
const GUEST = '2535400000000002';

let now = Date.UTC(2026, 10, 29, 12, 0, 0);
let service: TestService;
let connections: DynamoDbConnectionStore;
beforeAll(async () => {
  service = await startTestService({ realTime: true, clock: () => now });
  connections = new DynamoDbConnectionStore(service.admin, service.connectionTableName as string);
});
afterAll(() => service.close());

const sockets = socketsClosedAfterEach();

async function open(xuid: string): Promise<{ socket: RtaTestClient; connectionId: string }> {
  const socket = await RtaTestClient.open(service.rtaUrl as string, {
    authorization: await mintToken({ xuid, gamertag: `Gamer${xuid.slice(-4)}` }),
  });
  sockets.push(socket);
  const connectionId = (await socket.request([1, 1, CONNECTIONS]))[4].ConnectionId as string;
  return { socket, connectionId };
}

/** A `members.me` body as XSAPI writes it: active, with a ConnectionId and a subscription to every change. */
function activeMember(xuid: string, connection: string, extra: Record<string, unknown> = {}) {
  return {
    members: {
      me: {
        constants: { system: { xuid, initialize: true } },
        properties: {
          system: {
            active: true,
            connection,
            subscription: { id: randomUUID().toUpperCase(), changeTypes: ['everything'] },
          },
        },
      },
      ...extra,
    },
  };
}

/** The next tap frame on the socket for this session, with its changeNumber. */
// biome-ignore lint/suspicious/noExplicitAny: frames are arbitrary JSON
async function nextTap(socket: RtaTestClient, name: string): Promise<any> {
  return socket.nextMatching(
    (frame) =>
      frame[0] === 3 &&
      // biome-ignore lint/suspicious/noExplicitAny: frames are arbitrary JSON
      frame[2].shoulderTaps.some((tap: any) => String(tap.resource).endsWith(`~${name.toLowerCase()}`)),
  );
}

/**
 * Sweeps until `done` says the sweep did what the test waits for: the index and the local stream are read
 * asynchronously, so the first sweep may come before a write reached them. Bounded by a generous deadline.
 */
async function sweepUntil(
  done: (report: SweepReport) => boolean | Promise<boolean>,
  /** What the failure says besides the last report: the state the test waited on. */
  state: () => Promise<unknown> = async () => undefined,
): Promise<SweepReport> {
  const until = Date.now() + FRAME_DEADLINE_MS;
  for (;;) {
    const report = await service.sweep();
    if (await done(report)) return report;
    if (Date.now() > until)
      throw new Error(
        `no sweep did it within ${FRAME_DEADLINE_MS} ms: ${JSON.stringify(report)}; at ${now}: ${JSON.stringify(await state())}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the ConnectionId's disconnect check is scheduled (the local endpoint handles the close by itself). */
async function closedAtOf(connectionId: string): Promise<number> {
  const until = Date.now() + FRAME_DEADLINE_MS;
  for (;;) {
    const state = await connections.readDisconnect(connectionId);
    if (state?.closedAt !== undefined) return state.closedAt;
    if (Date.now() > until) throw new Error(`the close of ${connectionId} was not recorded`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('timers that fire on their own (issue 11 item 5)', () => {
  it('a reservation nobody touches expires at a sweep: a tap reaches the host and the next GET lacks it', async () => {
    const name = randomUUID();
    const host = new SessionClient(service.baseUrl, { xuid: HOST, gamertag: 'Host' });
    const { socket, connectionId } = await open(HOST);
    const created = await host.put(
      MC_SCID,
      TEMPLATE,
      name,
      activeMember(HOST, connectionId, { reserve_0: { constants: { system: { xuid: GUEST } } } }),
    );
    expect(created.status).toBe(201);
    expect(Object.keys(created.json.members)).toEqual(['0', '1']);
    const own = await nextTap(socket, name);
    expect(own[2].shoulderTaps[0].changeNumber).toBe(created.json.changeNumber);

    // Not yet due: a sweep a millisecond before the reservation's timer commits nothing.
    now += RESERVED_REMOVAL_MS - 1;
    expect((await service.sweep()).committed).toBe(0);

    // Due: the sweep commits the expiry with nobody touching the session.
    now += 1;
    const report = await sweepUntil((r) => r.committed >= 1);
    expect(report).toMatchObject({ committed: 1, failed: 0 });
    const tap = await nextTap(socket, name);
    // Numbered like a PUT's commit: the fired timer counts (as a GET's view counts it), then the commit itself, so
    // the committed document never shares a changeNumber with the view a GET showed before.
    expect(tap[2].shoulderTaps).toEqual([
      expect.objectContaining({ branch: created.json.branch, changeNumber: created.json.changeNumber + 2 }),
    ]);

    const read = await host.get(MC_SCID, TEMPLATE, name);
    expect(read.status).toBe(200);
    expect(Object.keys(read.json.members)).toEqual(['0']);
    // The GET shows the committed document: the tap's changeNumber, the commit's own ETag.
    expect(read.json.changeNumber).toBe(tap[2].shoulderTaps[0].changeNumber);
    // Nothing is left due: the next sweep finds the session no more.
    expect((await service.sweep()).committed).toBe(0);
  });
});

describe('disconnect detection (issue 11 item 6, family spec §6.9)', () => {
  it("a closed socket's member becomes inactive 30 s later; a member that wrote a new connection is untouched", async () => {
    const name = randomUUID();
    const host = new SessionClient(service.baseUrl, { xuid: HOST, gamertag: 'Host' });
    const peer = new SessionClient(service.baseUrl, { xuid: PEER, gamertag: 'Peer' });
    const hostSocket = await open(HOST);
    const peerOld = await open(PEER);
    const peerNew = await open(PEER);

    // friend-connect's host opens the session to people it follows (any user, locally).
    const followed = { properties: { system: { joinRestriction: 'followed', readRestriction: 'followed' } } };
    const created = await host.put(MC_SCID, TEMPLATE, name, {
      ...activeMember(HOST, hostSocket.connectionId),
      ...followed,
    });
    expect(created.status).toBe(201);
    await nextTap(hostSocket.socket, name);
    expect((await peer.put(MC_SCID, TEMPLATE, name, activeMember(PEER, peerOld.connectionId))).status).toBe(200);
    await nextTap(peerOld.socket, name);
    // The peer moves to a new socket and writes its new ConnectionId (as XSAPI does after a reconnect).
    const moved = await peer.put(MC_SCID, TEMPLATE, name, activeMember(PEER, peerNew.connectionId));
    expect(moved.status).toBe(200);
    await nextTap(peerNew.socket, name);

    await peerOld.socket.close();
    await hostSocket.socket.close();
    const closedAt = await closedAtOf(hostSocket.connectionId);
    await closedAtOf(peerOld.connectionId);

    // Within the 30 s nothing happens.
    now = closedAt + 29_999;
    expect(await service.sweep()).toMatchObject({ setInactive: 0, committed: 0 });

    now = closedAt + 30_000;
    // Sockets other tests closed are checked in the same sweeps: the session itself says what happened to it.
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are arbitrary JSON
    const membersByXuid = async (): Promise<Record<string, any>> => {
      const read = await peer.get(MC_SCID, TEMPLATE, name);
      expect(read.status).toBe(200);
      return Object.fromEntries(
        // biome-ignore lint/suspicious/noExplicitAny: response bodies are arbitrary JSON
        Object.values(read.json.members).map((member: any) => [member.constants.system.xuid, member]),
      );
    };
    const report = await sweepUntil(
      async () => (await membersByXuid())[HOST].properties.system.active === false,
      async () => ({
        closedAt,
        host: await service.admin.send(
          new GetItemCommand({
            TableName: service.connectionTableName as string,
            Key: { pk: { S: `connection#${hostSocket.connectionId}` } },
            ConsistentRead: true,
          }),
        ),
        session: (await peer.get(MC_SCID, TEMPLATE, name)).json,
      }),
    );
    expect(report.failed).toBe(0);
    const tap = await nextTap(peerNew.socket, name);
    expect(tap[2].shoulderTaps[0].changeNumber).toBe(moved.json.changeNumber + 1);
    const members = await membersByXuid();
    expect(members[HOST].properties.system.active).toBe(false);
    // The peer wrote a new connection before its old socket closed: untouched.
    expect(members[PEER].properties.system.active).toBe(true);
    expect((await peer.get(MC_SCID, TEMPLATE, name)).json.changeNumber).toBe(moved.json.changeNumber + 1);

    // Then inactiveRemovalTimeout applies: the host is removed at a sweep once it has run out.
    now = closedAt + 30_000 + INACTIVE_REMOVAL_MS;
    await sweepUntil(async () => (await membersByXuid())[HOST] === undefined);
    const removal = await nextTap(peerNew.socket, name);
    // Numbered like a PUT's commit: the fired timer counts (as the GET's view counted it), then the commit.
    expect(removal[2].shoulderTaps[0].changeNumber).toBe(moved.json.changeNumber + 3);
    expect(Object.keys(await membersByXuid())).toEqual([PEER]);
  });

  it('a ConnectionId reclaimed within the 30 s keeps its member active', async () => {
    const name = randomUUID();
    const host = new SessionClient(service.baseUrl, { xuid: HOST, gamertag: 'Host' });
    const first = await open(HOST);
    expect((await host.put(MC_SCID, TEMPLATE, name, activeMember(HOST, first.connectionId))).status).toBe(201);
    await nextTap(first.socket, name);
    await first.socket.close();
    const closedAt = await closedAtOf(first.connectionId);

    // XSAPI's reclaim form after a reconnect (§6.5): the same user gets its ConnectionId back.
    const socket = await RtaTestClient.open(service.rtaUrl as string, {
      authorization: await mintToken({ xuid: HOST, gamertag: 'Host' }),
    });
    sockets.push(socket);
    const reclaimed = await socket.request([1, 1, `${CONNECTIONS}${first.connectionId}`]);
    expect(reclaimed[4].ConnectionId).toBe(first.connectionId);

    // The check runs and finds the ConnectionId live again (other tests' checks may run in the same sweep).
    now = closedAt + 30_000;
    await sweepUntil(async () => (await connections.readDisconnect(first.connectionId))?.closedAt === undefined);
    const read = await host.get(MC_SCID, TEMPLATE, name);
    expect(read.json.members['0'].properties.system.active).toBe(true);
  });
});
