import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isJsonObject, parseExactJson, stringifyExactJson } from '../../lambda/domain/json';
import { startTestService, type TestService } from '../support/local-service';
import { CheckedSessionClient } from '../support/mpsd-response-validator';
import { MINECRAFT_TITLE_ID, readRequestCapture, replayCapture } from '../support/request-capture';
import type { SessionResponse } from '../support/session-client';

// The requests two community clients really send (client-captures/friend-connect-0.7.6, bedrock-portal-2.4.0),
// replayed verbatim (path casing, headers, body bytes) in the order the clients send them, against the real
// MinecraftLobby template. Every session answer passes the §2.2/§9.8 validator.

const CAPTURES = path.resolve(__dirname, '../../../shared/spec/client-captures');

const capture = (file: string) => readRequestCapture(`client-captures/${file}`);

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.close());

const as = (xuid: string) =>
  new CheckedSessionClient(service.baseUrl, { xuid, gamertag: `Gamer${xuid.slice(-4)}`, titleId: MINECRAFT_TITLE_ID });

function replay(file: string, xuid: string): Promise<SessionResponse> {
  return replayCapture(as(xuid), capture(file));
}

const HOST = '2535400000000000';
const MINECRAFT_SCID = '4fc10100-5f7a-4470-899b-280835760c07';
const PEER = '2535400000000001';

describe('friend-connect 0.7.6', () => {
  it('host-create-put creates the MinecraftLobby session as the real service shapes it', async () => {
    const r = await replay('friend-connect-0.7.6/host-create-put.json', HOST);
    expect(r.status).toBe(201);
    expect(r.json.properties.system).toEqual({
      joinRestriction: 'followed',
      readRestriction: 'followed',
      closed: false,
    });
    expect(r.json.properties.custom.SupportedConnections[0].HostPort).toBe(19132);
    expect(r.json.constants.system).toMatchObject({
      maxMembersCount: 30,
      inactiveRemovalTimeout: 300000,
      memberInitialization: { membersNeededToStart: 1 },
    });
    expect(r.json.members['0'].properties.system).toEqual({
      active: true,
      connection: 'bc92f7c3-3f9d-4749-b852-ee9cd7cf68e2',
      subscription: { changeTypes: ['everything'], id: '9042513B-D0CF-48F6-AF40-AD83B3C9EED4' },
    });
  });

  it('host-refresh-put (every 27.6 s) creates, then repeats without a change; the peer joins with the host connection id and keeps alive', async () => {
    const first = await replay('friend-connect-0.7.6/host-refresh-put.json', HOST);
    expect(first.status).toBe(201);
    const again = await replay('friend-connect-0.7.6/host-refresh-put.json', HOST);
    expect(again.status).toBe(200);
    expect(again.json.changeNumber).toBe(first.json.changeNumber);
    // joinRestriction "followed" is treated as "none" (no social graph here; README), so the peer may join.
    const joined = await replay('friend-connect-0.7.6/peer-join-put.json', PEER);
    expect(joined.status).toBe(200);
    expect(joined.json.membersInfo).toEqual({ first: 0, next: 2, count: 2, accepted: 2, active: 2 });
    expect(joined.json.members['1'].properties.system.connection).toBe(
      joined.json.members['0'].properties.system.connection,
    );
    const keepalive = await replay('friend-connect-0.7.6/peer-keepalive-get.json', PEER);
    expect(keepalive.status).toBe(200);
    expect(keepalive.json.changeNumber).toBe(joined.json.changeNumber);
    // The host's next refresh keeps the peer.
    expect((await replay('friend-connect-0.7.6/host-refresh-put.json', HOST)).json.membersInfo.count).toBe(2);
  });
});

describe('bedrock-portal 2.4.0', () => {
  it('create, get, republish, member count, connection update, leave: the whole life of a portal session', async () => {
    const created = await replay('bedrock-portal-2.4.0/create-put.json', HOST);
    expect(created.status).toBe(201);
    // 64-bit integers in custom come back digit for digit (spec §9.9).
    expect(created.text).toContain('"WebRTCNetworkId":12345678901234567890');
    expect(created.text).toContain('"NetherNetId":12345678901234567890');

    const read = await replay('bedrock-portal-2.4.0/get.json', HOST);
    expect(read.status).toBe(200);
    expect(read.text).toContain('"WebRTCNetworkId":12345678901234567890');

    // The client sends back the properties it read, turn included (spec §9.7); the capture holds the numbers a
    // JSON.parse server had already rounded, and those are stored exactly as sent.
    const republished = await replay('bedrock-portal-2.4.0/republish-put.json', HOST);
    expect(republished.status).toBe(200);
    expect(republished.json.properties.system.turn).toEqual([]);
    expect(republished.text).toContain('"WebRTCNetworkId":12345678901234567000');

    const counted = await replay('bedrock-portal-2.4.0/membercount-put.json', HOST);
    expect(counted.json.properties.custom).toMatchObject({
      MemberCount: 3,
      MaxMemberCount: 10,
      hostName: 'Bedrock Portal v1.0.0',
    });

    const reconnected = await replay('bedrock-portal-2.4.0/update-connection-put.json', HOST);
    expect(reconnected.json.members['0'].properties.system).toMatchObject({
      active: true,
      connection: '66666666-7777-8888-9999-000000000000',
    });
    expect(reconnected.json.members['0'].properties.system.subscription.id).toBe(
      'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    );

    const left = await replay('bedrock-portal-2.4.0/leave-put.json', HOST);
    expect([left.status, left.text]).toEqual([204, '']);
    expect((await replay('bedrock-portal-2.4.0/get.json', HOST)).status).toBe(204);
  });
});

describe('MCXboxBroadcast sub-accounts (family spec §1.3, §3.10)', () => {
  it("joins a sub-account that sends the primary's xuid and ConnectionId as itself, with that connection", async () => {
    // The body a sub-account sends (examples/family-handle-session-join-request-mcxb-subaccount.json), verbatim, on
    // the session URI: the same session rules answer it there and through the handle.
    const example = parseExactJson(
      readFileSync(
        path.resolve(CAPTURES, '../examples/family-handle-session-join-request-mcxb-subaccount.json'),
        'utf8',
      ),
    );
    if (!isJsonObject(example)) throw new Error('not a wrapper');
    const body = stringifyExactJson(example.body ?? null);
    const primary = '2535465771790293';
    const subAccount = '2535465771790294';
    const uri = `/serviceconfigs/${MINECRAFT_SCID}/sessionTemplates/MinecraftLobby/sessions/mcxb-${Date.now()}`;
    // The primary publishes with `followed` restrictions, as every Minecraft client does (the template's default
    // `local` admits only the primary's own device).
    const restrictions = { system: { joinRestriction: 'followed', readRestriction: 'followed' } };
    const create = stringifyExactJson({ ...(example.body as object), properties: restrictions } as never);
    expect((await as(primary).request('PUT', uri, { body: create })).status).toBe(201);
    const joined = await as(subAccount).request('PUT', uri, { body });
    expect(joined.status).toBe(200);
    const members = Object.values(joined.json.members) as {
      constants: { system: { xuid: string } };
      properties: { system: { connection: string } };
    }[];
    expect(members.map((m) => [m.constants.system.xuid, m.properties.system.connection])).toEqual([
      [primary, 'd01a8c1b-2f83-4e03-9278-3048b480928f'],
      [subAccount, 'd01a8c1b-2f83-4e03-9278-3048b480928f'],
    ]);
  });
});

describe('the activity POST after the session PUT', () => {
  it.each(['friend-connect-0.7.6/activity-handle-post.json', 'bedrock-portal-2.4.0/activity-handle-post.json'])(
    '%s (POST /handles) is answered with the activity handle as JSON, never an empty body (sequences: handle-sequences.test.ts)',
    async (file) => {
      const r = await replay(file, HOST);
      expect([200, 201]).toContain(r.status);
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(r.json).toMatchObject({ type: 'activity', version: 1, ownerXuid: HOST, id: expect.any(String) });
    },
  );
});
