import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { mintToken } from '../../lambda/auth/development-token';
import { NONCE_LIFETIME_MS } from '../../lambda/service/nonce-service';
import { startTestService, type TestService } from '../support/local-service';
import { CONNECTIONS, RtaTestClient, socketsClosedAfterEach, UpgradeRefused } from '../support/rta-client';
import { readExample } from '../support/rta-fixtures';

// xbox-rta's way in (family spec §6.1, §7 item 20): `GET /nonce` with the token, then the upgrade with `?nonce=` and
// no Authorization header. Over the local server, real sockets and DynamoDB Local, with an injected clock.

const XUID = '2535400000000042';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let now = Date.now();
let service: TestService;
let rtaUrl: string;
beforeAll(async () => {
  service = await startTestService({ realTime: true, clock: () => now });
  rtaUrl = service.rtaUrl as string;
});
afterAll(() => service.close());

const sockets = socketsClosedAfterEach();

async function askNonce(authorization?: string): Promise<Response> {
  return fetch(`${service.baseUrl}/nonce`, {
    headers: authorization === undefined ? {} : { authorization },
  });
}

async function newNonce(xuid = XUID): Promise<string> {
  const response = await askNonce(await mintToken({ xuid, gamertag: 'NonceUser' }));
  expect(response.status).toBe(200);
  return ((await response.json()) as { nonce: string }).nonce;
}

/** Opens a socket with `?nonce=` and no Authorization header, as xbox-rta does; the refusal when refused. */
async function openWithNonce(nonce: string, authorization?: string): Promise<RtaTestClient | UpgradeRefused> {
  return RtaTestClient.open(`${rtaUrl}?nonce=${encodeURIComponent(nonce)}`, {
    protocols: ['rta.xboxlive.com.V2'],
    ...(authorization === undefined ? {} : { authorization }),
  }).then(
    (socket) => {
      sockets.push(socket);
      return socket;
    },
    (error: unknown) => {
      if (error instanceof UpgradeRefused) return error;
      throw error;
    },
  );
}

/** The owners of the open sockets' state items in the connections table. */
async function socketOwners(): Promise<string[]> {
  const { Items } = await service.admin.send(
    new ScanCommand({
      TableName: service.connectionTableName as string,
      FilterExpression: 'begins_with(pk, :socket)',
      ExpressionAttributeValues: { ':socket': { S: 'socket#' } },
      ConsistentRead: true,
    }),
  );
  return (Items ?? []).map((item) => item.owner?.S ?? '');
}

function expectRefusedForNonce(result: RtaTestClient | UpgradeRefused): void {
  expect(result).toBeInstanceOf(UpgradeRefused);
  const refused = result as UpgradeRefused;
  expect(refused.status).toBe(401);
  expect(refused.headers['www-authenticate']).toMatch(/^XBL3\.0/);
  const body = JSON.parse(refused.body);
  expect(body.code).toBe('InvalidNonce');
  expect(body.message).toMatch(/unknown, already used or expired.*one socket.*60 s/);
}

describe('GET /nonce', () => {
  it('answers 200 with one opaque URL-safe nonce, in the fixture’s shape, never to be cached', async () => {
    const response = await askNonce(await mintToken({ xuid: XUID, gamertag: 'NonceUser' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    const fixture = readExample('family-rta-nonce-response.json');
    expect(Object.keys(body)).toEqual(Object.keys(fixture.body));
    expect(body.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('answers a new nonce each time', async () => {
    const nonces = await Promise.all([newNonce(), newNonce(), newNonce()]);
    expect(new Set(nonces).size).toBe(3);
  });

  it.each([
    ['no Authorization header', undefined, 'MissingAuthorization'],
    ['a malformed Authorization header', 'Bearer abc', 'InvalidToken'],
  ])('is refused with 401 for %s, through the same token verifier as every route', async (_name, header, code) => {
    const response = await askNonce(header);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe(code);
  });
});

describe('the upgrade with ?nonce= (§6.1)', () => {
  it('opens a socket without an Authorization header, for the user the nonce was issued to, with a ConnectionId', async () => {
    const before = await socketOwners();
    const socket = await openWithNonce(await newNonce('2535400000000077'));
    expect(socket).toBeInstanceOf(RtaTestClient);
    expect((socket as RtaTestClient).ws.protocol).toBe('rta.xboxlive.com.V2');
    const reply = await (socket as RtaTestClient).request([1, 0, CONNECTIONS]);
    expect(reply.slice(0, 4)).toEqual([1, 0, 0, 0]);
    expect(reply[4].ConnectionId).toMatch(GUID);
    const after = await socketOwners();
    expect(after.filter((owner) => owner === '2535400000000077')).toHaveLength(
      before.filter((owner) => owner === '2535400000000077').length + 1,
    );
  });

  it('opens one socket only: the same nonce again is refused with 401 before the upgrade', async () => {
    const nonce = await newNonce();
    expect(await openWithNonce(nonce)).toBeInstanceOf(RtaTestClient);
    const open = service.realTime?.endpoint.openSockets();
    expectRefusedForNonce(await openWithNonce(nonce));
    expect(service.realTime?.endpoint.openSockets()).toBe(open);
  });

  it('opens one socket only when two upgrades race with the same nonce', async () => {
    const nonce = await newNonce();
    const results = await Promise.all([openWithNonce(nonce), openWithNonce(nonce), openWithNonce(nonce)]);
    expect(results.filter((r) => r instanceof RtaTestClient)).toHaveLength(1);
    for (const refused of results.filter((r) => r instanceof UpgradeRefused)) expectRefusedForNonce(refused);
  });

  it('is refused once the nonce’s 60 s have passed (injected clock), and accepted just before', async () => {
    const late = await newNonce();
    const inTime = await newNonce();
    now += NONCE_LIFETIME_MS - 1;
    try {
      expect(await openWithNonce(inTime)).toBeInstanceOf(RtaTestClient);
      now += 1;
      const before = await socketOwners();
      expectRefusedForNonce(await openWithNonce(late));
      expect(await socketOwners()).toEqual(before);
    } finally {
      now = Date.now();
    }
  });

  it.each([
    ['unknown', 'AAAAAAAAAAAAAAAAAAAAAA'],
    ['empty', ''],
  ])('is refused with 401 for an %s nonce, and records nothing', async (_name, nonce) => {
    const before = await socketOwners();
    expectRefusedForNonce(await openWithNonce(nonce));
    expect(await socketOwners()).toEqual(before);
  });

  it('lets an Authorization header decide when both are sent (no client sends both)', async () => {
    const token = await mintToken({ xuid: XUID, gamertag: 'NonceUser' });
    expect(await openWithNonce('not-a-nonce', token)).toBeInstanceOf(RtaTestClient);
    const refused = await openWithNonce(await newNonce(), 'Bearer abc');
    expect((refused as UpgradeRefused).status).toBe(401);
    expect(JSON.parse((refused as UpgradeRefused).body).code).toBe('InvalidToken');
  });
});
