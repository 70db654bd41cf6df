import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mintToken } from '../../lambda/auth/development-token';
import { startTestService, type TestService } from '../support/local-service';
import { CONNECTIONS, RtaTestClient, socketsClosedAfterEach, UpgradeRefused } from '../support/rta-client';
import { readExample, wireText } from '../support/rta-fixtures';
import { SAMPLE_SCID, SessionClient } from '../support/session-client';

// Real-time activity over the local server, real sockets and DynamoDB Local (family spec §6): the upgrade, every
// frame type against the fixtures, and shoulder taps read from the sessions table's stream.

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MC_SCID = '4fc10100-5f7a-4470-899b-280835760c07';
const CAPTURES = path.resolve(__dirname, '../../../shared/spec/client-captures');
const HOST = '2535400000000000';
const PEER = '2535400000000001';

let service: TestService;
let rtaUrl: string;
beforeAll(async () => {
  service = await startTestService({ realTime: true });
  rtaUrl = service.rtaUrl as string;
});
afterAll(() => service.close());

const sockets = socketsClosedAfterEach();

async function open(xuid: string, protocols?: string[]): Promise<RtaTestClient> {
  const socket = await RtaTestClient.open(rtaUrl, {
    authorization: await mintToken({ xuid, gamertag: `Gamer${xuid.slice(-4)}` }),
    ...(protocols === undefined ? {} : { protocols }),
  });
  sockets.push(socket);
  return socket;
}

/** The friend-connect capture's body (its members.me), with this test's ConnectionId. */
// biome-ignore lint/suspicious/noExplicitAny: capture bodies are arbitrary JSON
function friendConnectBody(file: string, connectionId: string): any {
  const body = JSON.parse(readFileSync(path.join(CAPTURES, 'friend-connect-0.7.6', file), 'utf8')).body;
  body.members.me.properties.system.connection = connectionId;
  return body;
}

describe('the upgrade (§6.1)', () => {
  it.each([
    ['no Authorization header', undefined],
    ['a malformed Authorization header', 'Bearer abc'],
    ['a token signed with another secret', 'XBL3.0 x=1;eyJhbGciOiJIUzI1NiJ9.eyJ4dWlkIjoiMSJ9.c2lnbmF0dXJl'],
  ])('is refused with 401 before the upgrade for %s', async (_name, authorization) => {
    const refused = await RtaTestClient.open(rtaUrl, {
      ...(authorization === undefined ? {} : { authorization }),
    }).then(
      (socket) => {
        sockets.push(socket);
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(UpgradeRefused);
    expect((refused as UpgradeRefused).status).toBe(401);
    expect((refused as UpgradeRefused).headers['www-authenticate']).toMatch(/^XBL3\.0/);
    expect(JSON.parse((refused as UpgradeRefused).body).code).toMatch(/MissingAuthorization|InvalidToken/);
  });

  it.each([
    ['XSAPI and xbox-rta', ['rta.xboxlive.com.V2'], 'rta.xboxlive.com.V2'],
    ['friend-connect', ['echo-protocol'], 'echo-protocol'],
    ['MCXboxBroadcast (none)', [], ''],
    ['a client offering two', ['first.example', 'rta.xboxlive.com.V2'], 'first.example'],
  ])('selects the first subprotocol %s offers', async (_name, offered, selected) => {
    const socket = await open(HOST, offered);
    expect(socket.ws.protocol).toBe(selected);
  });

  it('answers 404 on another path, as API Gateway does', async () => {
    const refused = await RtaTestClient.open(rtaUrl.replace('/connect', '/other'), {
      authorization: await mintToken({ xuid: HOST }),
    }).catch((error: unknown) => error);
    expect((refused as UpgradeRefused).status).toBe(404);
  });
});

describe('frames (§6.2, §6.3, §6.5)', () => {
  it('a socket driven through every frame type gets exactly the fixtures', async () => {
    const socket = await open(HOST, ['rta.xboxlive.com.V2']);
    const subscribe = readExample('family-rta-subscribe-request.json').frame;
    const reply = readExample('family-rta-subscribe-reply.json').frame;

    // Subscribe: [1, 1, 0, 0, {"ConnectionId": <random lower-case GUID>}] — the fixture with our id.
    const first = await socket.request(subscribe);
    const connectionId = first[4].ConnectionId;
    expect(connectionId).toMatch(GUID);
    expect(wireText(first)).toBe(wireText([...reply.slice(0, 4), { ConnectionId: connectionId }]));

    // Frames no client should send get no answer: the next answer is the next subscribe's.
    for (const garbage of ['hello', '{}', '[]', '[3,0,{}]', '[4]', '[9,1,"x"]', '[1,-1,"x"]']) socket.send(garbage);
    socket.ws.send(Buffer.from([1, 2, 3]), { binary: true });

    // A second subscription on the same socket: the same ConnectionId, the next subscription id.
    const second = await socket.request([1, 1, CONNECTIONS]);
    expect(second).toEqual([1, 1, 0, 1, { ConnectionId: connectionId }]);

    // Another resource: UnknownResource, byte for byte the fixture (MCXboxBroadcast's friends subscription).
    socket.send([1, 2, 'https://social.xboxlive.com/users/xuid(2535400000000000)/friends']);
    expect(await socket.next()).toBe(wireText(readExample('family-rta-subscribe-reply-failure.json').frame));

    // Unsubscribe, and unsubscribe again (idempotent), and of an id never given: [2, seq, 0] each time.
    const unsubscribe = readExample('family-rta-unsubscribe.json').frames;
    socket.send(unsubscribe[0].frame);
    expect(await socket.next()).toBe(wireText(unsubscribe[1].frame));
    socket.send(unsubscribe[0].frame);
    expect(await socket.next()).toBe(wireText(unsubscribe[1].frame));
    expect(await socket.request([2, 6, 987654])).toEqual([2, 6, 0]);

    // Never sent (§6.11): a type other than 1-4, a non-array, `ConnectionId` outside a subscribe reply.
    for (const text of socket.frames) {
      const frame = JSON.parse(text);
      expect(Array.isArray(frame)).toBe(true);
      expect([1, 2, 3, 4]).toContain(frame[0]);
      if (text.includes('ConnectionId')) expect(frame.slice(0, 3)).toEqual([1, frame[1], 0]);
    }
  });

  it('every socket gets a ConnectionId of its own, whoever opened it', async () => {
    const a = await open(HOST);
    const b = await open(HOST);
    const c = await open(PEER);
    const ids = await Promise.all([a, b, c].map(async (s) => (await s.request([1, 0, CONNECTIONS]))[4].ConnectionId));
    expect(new Set(ids).size).toBe(3);
  });

  it('the reclaim form returns the id to its user once its socket is gone, and a new id to anyone else', async () => {
    const first = await open(HOST);
    const id = (await first.request([1, 1, CONNECTIONS]))[4].ConnectionId;

    const other = await open(PEER);
    expect((await other.request([1, 1, `${CONNECTIONS}${id}`]))[4].ConnectionId).not.toBe(id);

    await first.close();
    // The $disconnect is handled after the close: ask again (a new socket each time) until it has been.
    const deadline = Date.now() + 30_000;
    let reclaimed: string | undefined;
    while (reclaimed !== id && Date.now() < deadline) {
      const again = await open(HOST);
      reclaimed = (await again.request([1, 1, `${CONNECTIONS}${id}`]))[4].ConnectionId;
      expect(reclaimed).toMatch(GUID);
    }
    expect(reclaimed).toBe(id);
  });
});

describe('shoulder taps (§6.6-§6.8)', () => {
  it('a member that wrote its ConnectionId is tapped with the next changeNumber when another player joins', async () => {
    const name = randomUUID();
    const host = new SessionClient(service.baseUrl, { xuid: HOST, gamertag: 'Host' });
    const peer = new SessionClient(service.baseUrl, { xuid: PEER, gamertag: 'Peer' });
    const socket = await open(HOST, ['echo-protocol']);
    const connectionId = (await socket.request([1, 1, CONNECTIONS]))[4].ConnectionId;

    const created = await host.put(
      MC_SCID,
      'MinecraftLobby',
      name,
      friendConnectBody('host-create-put.json', connectionId),
      {
        spelling: 'sessionTemplates',
      },
    );
    expect(created.status).toBe(201);
    const resource = `${MC_SCID}~minecraftlobby~${name}`;
    // The writer is tapped too (§6.8): its own creation.
    const own = await socket.nextMatching((f) => f[0] === 3);
    expect(own[2].shoulderTaps).toEqual([
      expect.objectContaining({ resource, changeNumber: created.json.changeNumber, branch: created.json.branch }),
    ]);

    // The peer joins on the host's ConnectionId and the same subscription id (friend-connect): one entry.
    const joined = await peer.put(
      MC_SCID,
      'MinecraftLobby',
      name,
      friendConnectBody('peer-join-put.json', connectionId),
      {
        spelling: 'sessionTemplates',
      },
    );
    expect(joined.status).toBe(200);
    const tap = await socket.nextMatching((f) => f[0] === 3);
    expect(tap[0]).toBe(3);
    expect(tap[1]).toBe(0);
    expect(Object.keys(tap[2])).toEqual(['ncid', 'shoulderTaps']);
    expect(tap[2].ncid).toMatch(GUID);
    expect(tap[2].ncid).not.toBe(own[2].ncid);
    expect(tap[2].shoulderTaps).toEqual([
      {
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/),
        subscription: '9042513B-D0CF-48F6-AF40-AD83B3C9EED4',
        resourceType: 'mpsd/session',
        resource,
        branch: created.json.branch,
        changeNumber: created.json.changeNumber + 1,
      },
    ]);
    expect(joined.json.changeNumber).toBe(created.json.changeNumber + 1);
  });

  it('members on sockets of their own are each tapped, in changeNumber order', async () => {
    const name = randomUUID();
    const host = new SessionClient(service.baseUrl, { xuid: HOST, gamertag: 'Host' });
    const peer = new SessionClient(service.baseUrl, { xuid: PEER, gamertag: 'Peer' });
    const hostSocket = await open(HOST);
    const peerSocket = await open(PEER);
    const hostId = (await hostSocket.request([1, 1, CONNECTIONS]))[4].ConnectionId;
    const peerId = (await peerSocket.request([1, 0, CONNECTIONS]))[4].ConnectionId;
    const member = (connection: string, id: string) => ({
      constants: { system: { xuid: undefined, initialize: true } },
      properties: { system: { active: true, connection, subscription: { id, changeTypes: ['everything'] } } },
    });
    const meOf = (xuid: string, connection: string, id: string) => {
      const m = member(connection, id);
      m.constants.system.xuid = xuid as never;
      return { members: { me: m } };
    };
    expect((await host.put(SAMPLE_SCID, 'lobby', name, meOf(HOST, hostId, 'host-sub'))).status).toBe(201);
    expect((await peer.put(SAMPLE_SCID, 'lobby', name, meOf(PEER, peerId, 'peer-sub'))).status).toBe(200);
    for (let n = 0; n < 3; n += 1) {
      const r = await host.put(SAMPLE_SCID, 'lobby', name, { properties: { custom: { n } } });
      expect(r.status).toBe(200);
    }
    const last = (await host.get(SAMPLE_SCID, 'lobby', name)).json.changeNumber;

    const tapsOf = async (socket: RtaTestClient, until: number) => {
      const seen: number[] = [];
      while (seen.at(-1) !== until) {
        const frame = await socket.nextMatching((f) => f[0] === 3);
        expect(frame[2].shoulderTaps).toHaveLength(1);
        seen.push(frame[2].shoulderTaps[0].changeNumber);
      }
      return seen;
    };
    const hostSeen = await tapsOf(hostSocket, last);
    const peerSeen = await tapsOf(peerSocket, last);
    expect(hostSeen).toEqual([1, 2, 3, 4, 5]);
    // The peer's socket hears of every change from its own join on.
    expect(peerSeen).toEqual([2, 3, 4, 5]);
  });

  it('a member connection that is not a GUID is refused with 400 and a message saying so', async () => {
    const host = new SessionClient(service.baseUrl, { xuid: HOST, gamertag: 'Host' });
    const r = await host.put(
      MC_SCID,
      'MinecraftLobby',
      randomUUID(),
      friendConnectBody('host-create-put.json', 'not-a-guid'),
    );
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/connection must be a GUID/);
  });
});
