import { mintToken } from '../../lambda/auth/development-token';
import { startTestService, type TestService } from '../support/local-service';
import { CheckedSessionClient } from '../support/mpsd-response-validator';
import { MINECRAFT_TITLE_ID, readRequestCapture, replayCapture } from '../support/request-capture';
import { SAMPLE_SCID, type SessionResponse } from '../support/session-client';

// What real clients send around their session PUTs (spec/mpsd-family.md §8): the captured friend-connect and
// bedrock-portal requests replayed verbatim (path, headers, body bytes) with their activity POSTs, the constructed
// MCXboxBroadcast and go-xsapi joins through a handle (examples/family-handle-session-join-request-*.json) and XSAPI's
// handle fixtures. Every answer passes the validator (sessions by §2.2/§9.8, handles by §1.5/§3.1).

const capture = readRequestCapture;

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.close());

const as = (xuid: string) =>
  new CheckedSessionClient(service.baseUrl, { xuid, gamertag: `Gamer${xuid.slice(-4)}`, titleId: MINECRAFT_TITLE_ID });

function replay(file: string, xuid: string, pathOverride?: string): Promise<SessionResponse> {
  const c = capture(file);
  return replayCapture(as(xuid), c, pathOverride ?? c.path);
}

function activitiesOf(caller: string, scid: string, xuids: string[]): Promise<SessionResponse> {
  return as(caller).request('POST', '/handles/query', {
    query: 'include=relatedInfo,customProperties',
    body: { type: 'activity', scid, owners: { xuids } },
  });
}

const MINECRAFT_SCID = '4fc10100-5f7a-4470-899b-280835760c07';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe('friend-connect 0.7.6: PUT, then POST /handles after every PUT', () => {
  it('the host publish and its refreshes keep one activity, answered 201 then 200 with the same id', async () => {
    const HOST = '2535400000000000'; // the xuid the captures carry
    expect((await replay('client-captures/friend-connect-0.7.6/host-create-put.json', HOST)).status).toBe(201);
    const first = await replay('client-captures/friend-connect-0.7.6/activity-handle-post.json', HOST);
    expect(first.status).toBe(201);
    expect(first.json.id).toMatch(GUID);
    for (let refresh = 0; refresh < 2; refresh += 1) {
      expect((await replay('client-captures/friend-connect-0.7.6/host-create-put.json', HOST)).status).toBe(200);
      const again = await replay('client-captures/friend-connect-0.7.6/activity-handle-post.json', HOST);
      expect([again.status, again.json.id]).toEqual([200, first.json.id]);
    }
    const listed = await activitiesOf('2535411100000009', MINECRAFT_SCID, [HOST]);
    expect(listed.json.results.map((h: { id: string }) => h.id)).toEqual([first.json.id]);
  });
});

describe('bedrock-portal 2.4.0: create, activity, update-connection, leave', () => {
  it('the activity lives from the publish to the leave, and a re-post after the reconnect keeps it', async () => {
    const HOST = '2535400000000000'; // the xuid the captures carry
    const FRIEND = '2535411100000008';
    expect((await replay('client-captures/bedrock-portal-2.4.0/create-put.json', HOST)).status).toBe(201);
    const activity = await replay('client-captures/bedrock-portal-2.4.0/activity-handle-post.json', HOST);
    expect(activity.status).toBe(201);
    expect((await replay('client-captures/bedrock-portal-2.4.0/get.json', HOST)).status).toBe(200);
    expect((await replay('client-captures/bedrock-portal-2.4.0/republish-put.json', HOST)).status).toBe(200);
    expect((await replay('client-captures/bedrock-portal-2.4.0/update-connection-put.json', HOST)).status).toBe(200);
    const reposted = await replay('client-captures/bedrock-portal-2.4.0/activity-handle-post.json', HOST);
    expect([reposted.status, reposted.json.id]).toEqual([200, activity.json.id]);
    const before = await activitiesOf(FRIEND, MINECRAFT_SCID, [HOST]);
    expect(before.json.results.map((h: { id: string }) => h.id)).toEqual([activity.json.id]);
    expect(before.json.results[0].relatedInfo).toMatchObject({ joinRestriction: 'followed', membersCount: 1 });

    const left = await replay('client-captures/bedrock-portal-2.4.0/leave-put.json', HOST);
    expect(left.status).toBe(204);
    expect((await activitiesOf(FRIEND, MINECRAFT_SCID, [HOST])).json).toEqual({ results: [] });
    expect((await as(FRIEND).request('GET', `/handles/${activity.json.id}`)).status).toBe(404);
  });

  it('its invite (the Minecraft invite body) is 201 with the invite handle', async () => {
    const HOST = '2535400000000000';
    const session = capture('client-captures/bedrock-portal-2.4.0/create-put.json');
    const otherSession = session.path.replace(
      'c6f5b7a2-8f59-4d0c-9d0e-0b7f2d5c1e11',
      'b0000000-0000-0000-0000-000000000003',
    );
    expect((await replay('client-captures/bedrock-portal-2.4.0/create-put.json', HOST, otherSession)).status).toBe(201);
    const invite = capture('examples/family-handle-invite-request-minecraft.json');
    const body = (invite.body as string).replace(
      'c6f5b7a2-8f59-4d0c-9d0e-0b7f2d5c1e11',
      'b0000000-0000-0000-0000-000000000003',
    );
    const r = await as(HOST).request('POST', '/handles', { body });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ type: 'invite', invitedXuid: '2535400000000001', senderXuid: HOST });
  });
});

describe('MCXboxBroadcast: create, activity, a sub-account joining through the handle', () => {
  const PRIMARY = '2535465771790293'; // the xuid the sub-account example carries
  const SUB = '2535411100000004';
  const CAPTURED_NAME = '6ce87f48-02e0-447d-b608-51cd7651a029';
  const createCapture = capture('client-captures/friend-connect-0.7.6/host-create-put.json');

  /**
   * The primary's publish: a MinecraftLobby create (MCXboxBroadcast's own create is not captured: friend-connect's,
   * whose body has the same shape, as the primary), then its activity POST, whose `id` it keeps.
   */
  async function publish(name: string): Promise<string> {
    const created = await as(PRIMARY).request('PUT', createCapture.path.replace(CAPTURED_NAME, name), {
      headers: createCapture.headers,
      body: (createCapture.body as string).replaceAll('2535400000000000', PRIMARY),
    });
    expect(created.status).toBe(201);
    const activity = capture('examples/family-handle-activity-request-minecraft.json');
    const posted = await as(PRIMARY).request('POST', '/handles', {
      body: (activity.body as string).replace(CAPTURED_NAME, name),
    });
    // MCXboxBroadcast parses the body before the status and needs `id`; it accepts 200 or 201.
    expect(posted.status).toBe(201);
    expect(posted.json.id).toMatch(GUID);
    return posted.json.id;
  }

  // The example is verbatim: the sub-account sends the PRIMARY's xuid in members.me, which is ignored (family spec
  // §1.3, §3.10): the member is the token's user.
  it('the sub-account joins with the example body verbatim (primary xuid) and answers 200', async () => {
    const id = await publish('a0000000-0000-0000-0000-000000000014');
    const join = capture('examples/family-handle-session-join-request-mcxb-subaccount.json');
    const r = await as(SUB).request('PUT', `/handles/${id}/session`, { body: join.body as string });
    expect(r.status).toBe(200);
  });

  it('the sub-account joins through the handle (as itself), then posts its own activity for the same session', async () => {
    const name = 'a0000000-0000-0000-0000-000000000004';
    const id = await publish(name);
    const join = JSON.parse(capture('examples/family-handle-session-join-request-mcxb-subaccount.json').body as string);
    join.members.me.constants.system.xuid = SUB;
    const r = await as(SUB).request('PUT', `/handles/${id}/session`, { body: join });
    expect(r.status).toBe(200);
    // The primary's ConnectionId, reused by the sub-account, is accepted (spec §3.10).
    expect(r.json.members['1'].properties.system.connection).toBe('d01a8c1b-2f83-4e03-9278-3048b480928f');
    const own = await as(SUB).request('POST', '/handles', {
      body: (capture('examples/family-handle-activity-request-minecraft.json').body as string).replace(
        CAPTURED_NAME,
        name,
      ),
    });
    expect(own.status).toBe(201);
    const listed = await activitiesOf(SUB, MINECRAFT_SCID, [PRIMARY, SUB]);
    expect(listed.json.results.map((h: { ownerXuid: string }) => h.ownerXuid).sort()).toEqual([PRIMARY, SUB].sort());
  });

  it('posts an invite without any Content-Type, which is read as JSON (201)', async () => {
    const INVITER = PRIMARY;
    await publish('a0000000-0000-0000-0000-000000000005');
    const body = (capture('examples/family-handle-invite-request-minecraft.json').body as string).replace(
      'c6f5b7a2-8f59-4d0c-9d0e-0b7f2d5c1e11',
      'a0000000-0000-0000-0000-000000000005',
    );
    const response = await fetch(`${service.baseUrl}/handles`, {
      method: 'POST',
      headers: { authorization: await mintToken({ xuid: INVITER }), 'x-xbl-contract-version': '107' },
      // Bytes, so that fetch adds no Content-Type of its own (it types a string body text/plain).
      body: new TextEncoder().encode(body),
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { type: string }).type).toBe('invite');
    const typed = await fetch(`${service.baseUrl}/handles`, {
      method: 'POST',
      headers: {
        authorization: await mintToken({ xuid: INVITER }),
        'x-xbl-contract-version': '107',
        'content-type': 'text/plain',
      },
      body,
    });
    expect(typed.status).toBe(415);
  });
});

describe('go-xsapi: publish, and a join through a handle', () => {
  /** go-xsapi's parseSessionReference: six segments, literals case-insensitive, a GUID SCID (GOX-SESS). */
  function parseContentLocation(value: string | null): { scid: string; template: string; name: string } {
    const parts = String(value)
      .replace(/^https?:\/\/[^/]+/, '')
      .split('/')
      .filter((p) => p !== '');
    expect(parts).toHaveLength(6);
    expect(parts[0]?.toLowerCase()).toBe('serviceconfigs');
    expect(parts[2]?.toLowerCase()).toBe('sessiontemplates');
    expect(parts[4]?.toLowerCase()).toBe('sessions');
    expect(parts[1]).toMatch(GUID);
    return { scid: String(parts[1]), template: String(parts[3]), name: String(parts[5]) };
  }

  it('If-Match: * join through the activity handle answers exactly 200 with a parseable Content-Location; activity and reconcile follow', async () => {
    const HOST = '2535411100000006';
    const JOINER = '2535400000000001'; // the xuid the go-xsapi example carries
    const name = 'go-xsapi-session';
    const create = {
      members: {
        me: { constants: { system: { xuid: HOST, initialize: true } }, properties: { system: { active: true } } },
      },
    };
    const created = await as(HOST).request(
      'PUT',
      `/serviceconfigs/${SAMPLE_SCID}/sessionTemplates/lobby/sessions/${name}`,
      {
        body: create,
        headers: { 'if-none-match': '*' },
      },
    );
    expect(created.status).toBe(201);
    const activity = { type: 'activity', sessionRef: { scid: SAMPLE_SCID, templateName: 'lobby', name }, version: 1 };
    const { id } = (await as(HOST).request('POST', '/handles', { body: activity })).json;

    const join = capture('examples/family-handle-session-join-request-gox.json');
    const joined = await as(JOINER).request('PUT', `/handles/${id}/session`, {
      headers: join.headers,
      body: join.body as string,
    });
    expect(joined.status).toBe(200);
    expect(parseContentLocation(joined.headers.get('content-location'))).toEqual({
      scid: SAMPLE_SCID,
      template: 'lobby',
      name,
    });

    const own = await as(JOINER).request('POST', '/handles', { body: activity });
    expect([own.status, own.json.ownerXuid]).toEqual([201, JOINER]);
    const reconcile = await as(JOINER).request(
      'PUT',
      `/serviceconfigs/${SAMPLE_SCID}/sessionTemplates/lobby/sessions/${name}`,
      {
        headers: { 'if-match': '*' },
        body: {
          members: {
            me: { properties: { system: { active: true, connection: 'd01a8c1b-2f83-4e03-9278-3048b480928f' } } },
          },
        },
      },
    );
    expect(reconcile.status).toBe(200);
  });
});

describe("XSAPI's handle fixtures (Tests/UnitTests .../Multiplayer.json)", () => {
  const fixture = (file: string) => JSON.parse(capture(`examples/${file}`).body as string);
  const onSample = (body: Record<string, unknown>, name: string, template = 'lobby') => ({
    ...body,
    sessionRef: { scid: SAMPLE_SCID, templateName: template, name },
  });

  it.each([
    'family-handle-activity-request-xsapi.json',
    'family-handle-invite-request-xsapi.json',
    'family-handle-transfer-request.json',
  ])('%s as written (scid "MockScid") is 400 by the session URI rules, and stores nothing', async (file) => {
    const XUID = '2535411100000007';
    const r = await as(XUID).request('POST', '/handles', { body: fixture(file) });
    expect([r.status, r.json.code]).toEqual([400, 'InvalidSessionReference']);
    expect((await activitiesOf(XUID, SAMPLE_SCID, [XUID])).json.results).toEqual([]);
  });

  it('the same bodies on a configured SCID: activity, invite (one per xuid) and transfer are 201 with an id', async () => {
    const XUID = '1234';
    const lobby = 'XWIN_7ce12e85-594a-4b3b-9dc3-33b9a4ea57ce';
    const game = 'bd6c41c3-01c3-468a-a3b5-3e0fe8133862';
    const body = {
      members: {
        me: { constants: { system: { xuid: XUID, initialize: true } }, properties: { system: { active: true } } },
      },
    };
    expect((await as(XUID).put(SAMPLE_SCID, 'lobby', lobby, body)).status).toBe(201);
    expect((await as(XUID).put(SAMPLE_SCID, 'game', game, body)).status).toBe(201);

    const activity = await as(XUID).request('POST', '/handles', {
      body: onSample(fixture('family-handle-activity-request-xsapi.json'), lobby),
    });
    expect(activity.status).toBe(201);
    const invite = await as(XUID).request('POST', '/handles', {
      body: { ...onSample(fixture('family-handle-invite-request-xsapi.json'), lobby), invitedXuid: '2814679796296491' },
    });
    expect([invite.status, invite.json.inviteAttributes]).toEqual([201, { titleId: '1234' }]);
    const transfer = fixture('family-handle-transfer-request.json');
    const t = await as(XUID).request('POST', '/handles', {
      body: {
        ...onSample(transfer, game, 'game'),
        originSessionRef: { scid: SAMPLE_SCID, templateName: 'lobby', name: lobby },
      },
    });
    expect(t.status).toBe(201);
    expect(t.json.id.length).toBeLessThanOrEqual(39);

    // XblMultiplayerClearActivityAsync: the query for its own xuid finds exactly one, then DELETE of it.
    const xuidsQuery = fixture('family-handle-query-activity-xuids-request.json');
    const found = await as(XUID).request('POST', '/handles/query', {
      query: 'include=relatedInfo,customProperties',
      body: { ...xuidsQuery, scid: SAMPLE_SCID },
    });
    expect(found.json.results.map((h: { id: string }) => h.id)).toEqual([activity.json.id]);
    expect(found.json.results[0]).toMatchObject({ titleId: '896928775', ownerXuid: XUID, customProperties: {} });
    const people = fixture('family-handle-query-activity-people-request.json');
    const social = await as(XUID).request('POST', '/handles/query', {
      query: 'include=relatedInfo,customProperties',
      body: { ...people, scid: SAMPLE_SCID },
    });
    expect(social.json.results.map((h: { id: string }) => h.id)).toContain(activity.json.id);
    expect((await as(XUID).request('DELETE', `/handles/${activity.json.id}`)).status).toBe(204);
    expect((await activitiesOf(XUID, SAMPLE_SCID, [XUID])).json.results).toEqual([]);
  });
});
