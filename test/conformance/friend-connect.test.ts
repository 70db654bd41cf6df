import { XboxClient } from 'friend-connect/dist/xbox/index.js';
import { RTAMultiplayerSession } from 'friend-connect/dist/xbox/modules/rta.js';
import SessionDirectory from 'friend-connect/dist/xbox/modules/sessionDirectory.js';
import { mintToken } from '../../lambda/auth/development-token';
import { startTestService, type TestService } from '../support/local-service';

// friend-connect 0.7.6 from npm, its code unchanged (family spec §8.3): XboxClient, SessionDirectory and
// RTAMultiplayerSession run against the local service with real RTA. What is ours: the base URLs (SessionDirectory's
// static `uri`; the RTA `uri`, which its constructor assigns and uses at once, through a subclass accessor) and the
// token provider (XboxClient's own seam; prismarine-auth is never called). Jest compiles the package's ES modules to
// CommonJS as it does jose's (jest.config.js); no statement of it is edited. The 27.6-s refresh interval the RTA
// constructor starts is captured and stopped, and the test calls its callback instead of waiting 27.6 s. Every request
// must go to the local service (the recording fetch refuses any other origin before sending).

const MC_SCID = '4fc10100-5f7a-4470-899b-280835760c07';
const TEMPLATE = 'MinecraftLobby';
const HOST = '2535400000000000';
const PEER = '2535400000000001';
/** Generous: a deadline, never a measure of speed (DESIGN.md). */
const DEADLINE_MS = 30_000;

/** One answer friend-connect received, as the transport saw it (the package reads some of them and ignores others). */
interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

let service: TestService;
let rtaBase: string;
const exchanges: Exchange[] = [];
const realFetch = globalThis.fetch;
const realSetInterval = globalThis.setInterval;
const intervals: { callback: () => void; handle: ReturnType<typeof setInterval> }[] = [];
const originalSessionDirectoryUri = SessionDirectory.uri;

/** friend-connect's own RTA class with only its base URL ours: the constructor's `this.uri = "wss://…"` is ignored. */
class LocalRtaMultiplayerSession extends RTAMultiplayerSession {}
Object.defineProperty(LocalRtaMultiplayerSession.prototype, 'uri', {
  get: () => rtaBase,
  set: () => {},
});

beforeAll(async () => {
  service = await startTestService({ realTime: true });
  rtaBase = (service.rtaUrl as string).replace(/\/connect$/, '');
  (SessionDirectory as unknown as { uri: string }).uri = service.baseUrl;
  // A pass-through that records each answer; friend-connect's requests and the bodies it reads are untouched.
  globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    if (url.origin !== service.baseUrl) throw new Error(`friend-connect called ${url.origin}, not the local service`);
    const response = await realFetch(input, init);
    exchanges.push({
      method: init?.method ?? 'GET',
      path: url.pathname,
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text: await response.clone().text(),
    });
    return response;
  };
});

afterAll(async () => {
  for (const { handle } of intervals) clearInterval(handle);
  globalThis.fetch = realFetch;
  (SessionDirectory as unknown as { uri: string }).uri = originalSessionDirectoryUri;
  await service?.close();
});

/** A token provider of the shape XboxClient takes, carrying a token the local service accepts. */
async function accountFor(xuid: string): Promise<XboxClient> {
  const header = await mintToken({ xuid, gamertag: `Gamer${xuid.slice(-4)}` });
  const match = /^XBL3\.0 x=([^;]+);(.+)$/.exec(header);
  if (match === null) throw new Error('unexpected token shape');
  const [, userHash, xstsToken] = match as unknown as [string, string, string];
  return new XboxClient({
    userXuid: xuid,
    userHash,
    xstsToken,
    expiresOn: Date.now() + 86_400_000,
    isRefreshing: false,
    reset: () => {
      throw new Error('friend-connect tried to reset its Xbox Live token');
    },
    refresh: () => Promise.reject(new Error('friend-connect tried to refresh its Xbox Live token')),
  });
}

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${DEADLINE_MS} ms; answers so far ${JSON.stringify(steps(0))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `PUT session 201`, `POST handles 201`, …: what friend-connect asked and what it was answered, in order. */
function steps(from: number, to = exchanges.length): string[] {
  return exchanges.slice(from, to).map((e) => {
    const what = e.path === '/handles' ? 'handles' : e.path.includes('/members/') ? 'member' : 'session';
    return `${e.method} ${what} ${e.status}`;
  });
}

type RtaRequest = ConstructorParameters<typeof RTAMultiplayerSession>[1];

/** The body of the Minecraft lobby friend-connect's Session builds (the capture's `properties`). */
function lobbyRequest() {
  return {
    properties: {
      system: { joinRestriction: 'followed', readRestriction: 'followed', closed: false },
      custom: {
        BroadcastSetting: 3,
        CrossPlayDisabled: false,
        Joinability: 'joinable_by_friends',
        LanGame: true,
        MaxMemberCount: 20,
        MemberCount: 0,
        OnlineCrossPlatformGame: true,
        SupportedConnections: [{ ConnectionType: 6, HostIpAddress: '127.0.0.1', HostPort: 19132, RakNetGUID: '' }],
        TitleId: 0,
        hostName: 'Local Host',
        ownerId: HOST,
        rakNetGUID: '',
        worldName: 'Local World',
        worldType: 'Survival',
        protocol: 534,
        version: '1.19.10',
        levelId: 'level',
        TransportLayer: 0,
      },
    },
  };
}

/** What the flow test leaves for the tap test: the host socket's frames and the peer join's change. */
const observed: { frames: string[]; resource?: string; joinChangeNumber?: number } = { frames: [] };

describe('friend-connect 0.7.6, unchanged, against the local service', () => {
  it('gets its ConnectionId, publishes, lets a peer join, keeps alive, refreshes and leaves, every answer 2xx JSON (issues 10, 11)', async () => {
    const host = await accountFor(HOST);
    const peer = await accountFor(PEER);
    const sessionResponses: unknown[] = [];
    const errors: unknown[] = [];

    // The constructor opens the socket and starts the 27.6-s refresh: that interval is captured and stopped, and the
    // test calls its callback (the package's own tick) when it wants the refresh, instead of waiting for it.
    globalThis.setInterval = ((callback: () => void, ms: number) => {
      const handle = realSetInterval(callback, ms);
      intervals.push({ callback, handle });
      return handle;
    }) as typeof setInterval;
    let rta: LocalRtaMultiplayerSession;
    try {
      rta = new LocalRtaMultiplayerSession(host, lobbyRequest() as RtaRequest, MC_SCID, TEMPLATE, false, () => {});
    } finally {
      globalThis.setInterval = realSetInterval;
    }
    expect(intervals).toHaveLength(1);
    clearInterval(intervals[0]?.handle);
    rta.on('message', (data: unknown) => observed.frames.push(String(data)));
    rta.on('sessionResponse', (data: unknown) => sessionResponses.push(data));
    rta.on('error', (error: unknown) => errors.push(error));

    // The socket gets its ConnectionId; friend-connect then PUTs the session and POSTs its activity handle.
    const connectionId = await until(
      'the ConnectionId',
      () => (rta as unknown as { connectionId?: string }).connectionId,
    );
    expect(connectionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(observed.frames[0]).toBe(`[1,1,0,0,{"ConnectionId":"${connectionId}"}]`);
    await until('the host publish', () => (exchanges.length >= 2 ? true : undefined));
    expect(steps(0)).toEqual(['PUT session 201', 'POST handles 201']);
    const sessionName = rta.sessionName;
    const created = JSON.parse(exchanges[0]?.text ?? '');
    expect(created.members['0'].properties.system.connection).toBe(connectionId);
    expect(sessionResponses).toHaveLength(1);
    expect(JSON.parse(exchanges[1]?.text ?? '').sessionRef.name).toBe(sessionName);

    // Peer join: the peer PUTs itself with the host's ConnectionId, then (finally) POSTs its own activity handle.
    const joinedAt = exchanges.length;
    rta.join(peer);
    await until('the peer join', () => (exchanges.length >= joinedAt + 2 ? true : undefined));
    expect(steps(joinedAt)).toEqual(['PUT session 200', 'POST handles 201']);
    const joined = JSON.parse(exchanges[joinedAt]?.text ?? '');
    expect(joined.membersInfo).toMatchObject({ count: 2, active: 2 });
    expect(joined.members['1'].properties.system.connection).toBe(connectionId);
    observed.resource = `${MC_SCID}~${TEMPLATE.toLowerCase()}~${sessionName}`;
    observed.joinChangeNumber = joined.changeNumber;

    // The 27.6-s tick: the host re-PUTs and re-POSTs its handle, the peer GETs the session (keep-alive).
    const tickAt = exchanges.length;
    intervals[0]?.callback();
    await until('the refresh and keep-alive', () => (exchanges.length >= tickAt + 3 ? true : undefined));
    expect(steps(tickAt).sort()).toEqual(['GET session 200', 'POST handles 200', 'PUT session 200']);
    const refreshed = JSON.parse(exchanges.slice(tickAt).find((e) => e.method === 'PUT')?.text ?? '');
    expect(refreshed.membersInfo.count).toBe(2);
    expect(sessionResponses).toHaveLength(2);

    // Leave: friend-connect sends no explicit leave (§8.3); its removeMember, called by the peer on its own index.
    const leftAt = exchanges.length;
    await peer.sessionDirectory.removeMember(MC_SCID, TEMPLATE, sessionName, 1);
    expect(steps(leftAt)).toEqual(['DELETE member 200']);
    const left = JSON.parse(exchanges[leftAt]?.text ?? '');
    expect(left.membersInfo).toMatchObject({ count: 1 });
    expect(Object.keys(left.members)).toEqual(['0']);

    // Every answer friend-connect received: 2xx and JSON.
    for (const exchange of exchanges) {
      expect({ ...exchange, ok: exchange.status >= 200 && exchange.status < 300 }).toMatchObject({
        ok: true,
        contentType: expect.stringMatching(/^application\/json/),
      });
      expect(() => JSON.parse(exchange.text)).not.toThrow();
    }
    expect(errors).toEqual([]);
  });

  // POST /handles writes handle items into the sessions table, whose stream the tap function reads: the stream
  // reader skips them (lambda/store/session-stream.ts), so the host is tapped for every change after them too.
  it("delivers a shoulder tap to the host's socket when the peer joins (issue 11)", async () => {
    const tap = await until(`the tap for the join (frames so far ${JSON.stringify(observed.frames)})`, () =>
      observed.frames
        .map((frame) => JSON.parse(frame))
        .find(
          (frame) =>
            frame[0] === 3 &&
            frame[2].shoulderTaps.some(
              (t: { resource: string; changeNumber: number }) =>
                t.resource === observed.resource && t.changeNumber === observed.joinChangeNumber,
            ),
        ),
    );
    expect(tap[1]).toBe(0);
    expect(tap[2].ncid).toMatch(/^[0-9a-f-]{36}$/);
  });
});
