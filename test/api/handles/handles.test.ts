import { randomUUID } from 'node:crypto';
import { startTestService, type TestService } from '../../support/local-service';
import { CheckedSessionClient } from '../../support/mpsd-response-validator';
import { joinBody, SAMPLE_SCID, type SessionResponse, sessionUri } from '../../support/session-client';

// The handle routes over HTTP against DynamoDB Local (spec/mpsd-family.md §3; README "Handles"): POST /handles,
// GET|DELETE /handles/{id}, GET|PUT /handles/{id}/session and POST /handles/query, with the service's clock under the
// test's control (invite expiry). Every refusal is shown to change nothing.

let service: TestService;
let now = Date.parse('2026-06-01T12:00:00Z');
beforeAll(async () => {
  service = await startTestService({ clock: () => now });
});
afterAll(() => service.close());

const as = (xuid: string) =>
  new CheckedSessionClient(service.baseUrl, { xuid, gamertag: `Gamer${xuid.slice(-4)}`, titleId: '1234' });
const asServer = () => new CheckedSessionClient(service.baseUrl, { server: true });

// Fresh users for every test: an activity is per user per SCID, so users are never shared between tests.
let nextXuid = 2535400000001000n;
let HOST = '';
let FRIEND = '';
let STRANGER = '';
beforeEach(() => {
  [HOST, FRIEND, STRANGER] = [0, 1, 2].map(() => String(nextXuid++)) as [string, string, string];
});

/** `isoTime`'s form: seven fractional digits (spec/mpsd-family.md §1.5). */
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');

const ref = (name: string, templateName = 'lobby') => ({ scid: SAMPLE_SCID, templateName, name });

function activity(name: string, templateName = 'lobby') {
  return { version: 1, type: 'activity', sessionRef: ref(name, templateName) };
}

async function createSession(xuid: string, template = 'lobby', extra: Record<string, unknown> = {}): Promise<string> {
  const name = `s-${randomUUID()}`;
  const created = await as(xuid).put(SAMPLE_SCID, template, name, joinBody(xuid, extra));
  expect(created.status).toBe(201);
  return name;
}

async function join(xuid: string, template: string, name: string): Promise<void> {
  expect((await as(xuid).put(SAMPLE_SCID, template, name, joinBody(xuid))).status).toBe(200);
}

function post(xuid: string, body: unknown): Promise<SessionResponse> {
  return as(xuid).request('POST', '/handles', { body });
}

function queryXuids(caller: string, xuids: string[], include = 'relatedInfo,customProperties') {
  return as(caller).request('POST', '/handles/query', {
    query: `include=${include}`,
    body: { type: 'activity', scid: SAMPLE_SCID, owners: { xuids } },
  });
}

async function activityIdsOf(xuid: string): Promise<string[]> {
  const r = await queryXuids(xuid, [xuid]);
  expect(r.status).toBe(200);
  return r.json.results.map((h: { id: string }) => h.id);
}

describe('POST /handles: activity (spec §3.3)', () => {
  it('answers 201 with the whole handle as JSON: id, type, version, sessionRef, owner, title, createTime, inviteProtocol', async () => {
    const name = await createSession(HOST);
    const r = await post(HOST, activity(name));
    expect(r.status).toBe(201);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.json).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'activity',
      version: 1,
      sessionRef: ref(name),
      createTime: iso(now),
      ownerXuid: HOST,
      titleId: '1234',
      inviteProtocol: 'party',
    });
  });

  it('answers 200 with the same handle when the same live activity is posted again', async () => {
    const name = await createSession(HOST);
    const first = await post(HOST, activity(name));
    const again = await post(HOST, { type: 'activity', sessionRef: ref(name.toUpperCase()), version: 1 });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.json).toEqual(first.json);
  });

  it('keeps exactly one activity per user per SCID: a new one replaces the old, which is then 404', async () => {
    const a = await createSession(HOST);
    const b = await createSession(HOST, 'game');
    const first = await post(HOST, activity(a));
    const second = await post(HOST, activity(b, 'game'));
    expect(second.status).toBe(201);
    expect(second.json.id).not.toBe(first.json.id);
    expect((await as(HOST).request('GET', `/handles/${first.json.id}`)).status).toBe(404);
    expect(await activityIdsOf(HOST)).toEqual([second.json.id]);
  });

  it('is accepted for a session the caller is not in, but never counts (never returned, 404 by id)', async () => {
    const name = await createSession(HOST);
    const r = await post(STRANGER, activity(name));
    expect(r.status).toBe(201);
    expect((await as(HOST).request('GET', `/handles/${r.json.id}`)).status).toBe(404);
    expect(await activityIdsOf(STRANGER)).toEqual([]);
  });

  it('is 403 for a server principal, which has no activity', async () => {
    const name = await createSession(HOST);
    const r = await asServer().request('POST', '/handles', { body: activity(name) });
    expect(r.status).toBe(403);
  });
});

describe('POST /handles: refusals change nothing (spec §3.2)', () => {
  const cases: [string, (n: string) => unknown][] = [
    ['a body that is not an object', () => [1]],
    ['no type', (n) => ({ version: 1, sessionRef: ref(n) })],
    ['an unknown type', (n) => ({ ...activity(n), type: 'correlation' })],
    [
      'a search handle with searchAttributes that are not an object',
      (n) => ({ ...activity(n), type: 'search', searchAttributes: [] }),
    ],
    ['version 2', (n) => ({ ...activity(n), version: 2 })],
    ['version "1"', (n) => ({ ...activity(n), version: '1' })],
    ['no sessionRef', () => ({ version: 1, type: 'activity' })],
    ['a sessionRef that is not an object', () => ({ version: 1, type: 'activity', sessionRef: 'x' })],
    ['a SCID that is not a GUID', (n) => ({ ...activity(n), sessionRef: { ...ref(n), scid: 'MockScid' } })],
    ['a session name with #', (n) => ({ ...activity(n), sessionRef: ref(`${n}#x`) })],
    ['a template name of 101 characters', (n) => ({ ...activity(n), sessionRef: ref(n, 'a'.repeat(101)) })],
    ['a numeric session name', (n) => ({ ...activity(n), sessionRef: { ...ref(n), name: 12 } })],
    ['an unknown SCID', (n) => ({ ...activity(n), sessionRef: { ...ref(n), scid: randomUUID() } })],
    ['an unknown template', (n) => ({ ...activity(n), sessionRef: ref(n, 'nosuch') })],
    ['an invite without invitedXuid', (n) => ({ ...activity(n), type: 'invite', inviteAttributes: { titleId: '1' } })],
    [
      'an invite to xuid 0',
      (n) => ({ ...activity(n), type: 'invite', invitedXuid: '0', inviteAttributes: { titleId: '1' } }),
    ],
    ['an invite without inviteAttributes', (n) => ({ ...activity(n), type: 'invite', invitedXuid: FRIEND })],
    [
      'an invite with titleId "abc"',
      (n) => ({ ...activity(n), type: 'invite', invitedXuid: FRIEND, inviteAttributes: { titleId: 'abc' } }),
    ],
    [
      'an invite context over 256 characters URI-encoded',
      (n) => ({
        ...activity(n),
        type: 'invite',
        invitedXuid: FRIEND,
        inviteAttributes: { titleId: '1', context: ' '.repeat(86) },
      }),
    ],
    ['a transfer without originSessionRef', (n) => ({ ...activity(n), type: 'transfer' })],
    [
      'a transfer whose origin is in another SCID',
      (n) => ({ ...activity(n), type: 'transfer', originSessionRef: { ...ref(n), scid: randomUUID() } }),
    ],
  ];

  it.each(cases)('%s is refused, and nothing is stored', async (what, body) => {
    const name = await createSession(HOST);
    const before = await post(HOST, activity(name));
    const r = await post(HOST, body(name));
    const expected = what === 'an unknown SCID' || what === 'an unknown template' ? 404 : 400;
    expect(r.status).toBe(expected);
    expect(r.json.code).toEqual(expect.any(String));
    expect(await activityIdsOf(HOST)).toEqual([before.json.id]);
    const session = await as(HOST).get(SAMPLE_SCID, 'lobby', name);
    expect(session.json.changeNumber).toBe(1);
  });

  it('refuses malformed JSON with 400 and a missing token with 401', async () => {
    const name = await createSession(HOST);
    expect((await post(HOST, '{"type":')).status).toBe(400);
    const anonymous = await fetch(`${service.baseUrl}/handles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-xbl-contract-version': '107' },
      body: JSON.stringify(activity(name)),
    });
    expect(anonymous.status).toBe(401);
    expect(await activityIdsOf(HOST)).toEqual([]);
  });
});

describe('GET and DELETE /handles/{id} (spec §3.7, §3.8)', () => {
  it('GET answers the handle to any user; an unknown or malformed id is 404', async () => {
    const name = await createSession(HOST);
    const created = await post(HOST, activity(name));
    const read = await as(STRANGER).request('GET', `/handles/${created.json.id}`);
    expect([read.status, read.json]).toEqual([200, created.json]);
    expect((await as(HOST).request('GET', `/handles/${created.json.id.toUpperCase()}`)).json).toEqual(created.json);
    expect((await as(HOST).request('GET', `/handles/${randomUUID()}`)).status).toBe(404);
    const malformed = await as(HOST).request('GET', '/handles/not-a-guid');
    expect([malformed.status, malformed.json.code]).toEqual([404, 'HandleNotFound']);
  });

  it('DELETE by another user is 403 and keeps the handle; by its owner 204, after which it is 404', async () => {
    const name = await createSession(HOST);
    const { id } = (await post(HOST, activity(name))).json;
    expect((await as(STRANGER).request('DELETE', `/handles/${id}`)).status).toBe(403);
    expect((await as(HOST).request('GET', `/handles/${id}`)).status).toBe(200);
    const deleted = await as(HOST).request('DELETE', `/handles/${id}`);
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    expect((await as(HOST).request('GET', `/handles/${id}`)).status).toBe(404);
    expect((await as(HOST).request('DELETE', `/handles/${id}`)).status).toBe(404);
    expect(await activityIdsOf(HOST)).toEqual([]);
    // A new activity after the delete is a new handle.
    expect((await post(HOST, activity(name))).status).toBe(201);
  });

  it('a server may delete any handle', async () => {
    const name = await createSession(HOST);
    const { id } = (await post(HOST, activity(name))).json;
    expect((await asServer().request('DELETE', `/handles/${id}`)).status).toBe(204);
    expect((await as(HOST).request('GET', `/handles/${id}`)).status).toBe(404);
  });
});

describe('the activity lifecycle (spec §3.12)', () => {
  it('an activity disappears the moment its owner leaves, and when the session ends', async () => {
    const name = await createSession(HOST);
    await join(FRIEND, 'lobby', name);
    const host = (await post(HOST, activity(name))).json.id;
    const friend = (await post(FRIEND, activity(name))).json.id;
    expect((await queryXuids(STRANGER, [HOST, FRIEND])).json.results.map((h: { id: string }) => h.id).sort()).toEqual(
      [host, friend].sort(),
    );

    expect((await as(FRIEND).put(SAMPLE_SCID, 'lobby', name, { members: { me: null } })).status).toBe(200);
    expect((await queryXuids(STRANGER, [HOST, FRIEND])).json.results.map((h: { id: string }) => h.id)).toEqual([host]);
    expect((await as(STRANGER).request('GET', `/handles/${friend}`)).status).toBe(404);

    expect((await as(HOST).put(SAMPLE_SCID, 'lobby', name, { members: { me: null } })).status).toBe(204);
    expect((await queryXuids(STRANGER, [HOST, FRIEND])).json.results).toEqual([]);
    expect((await as(STRANGER).request('GET', `/handles/${host}`)).status).toBe(404);
  });

  it('an activity stops counting while its owner is inactive, and a re-post after becoming active is a new handle', async () => {
    // `forever`: an inactive member is never removed, so the member comes back to the same session.
    const name = await createSession(HOST, 'forever');
    const first = (await post(HOST, activity(name, 'forever'))).json.id;
    const inactive = { members: { me: { properties: { system: { active: false } } } } };
    expect((await as(HOST).put(SAMPLE_SCID, 'forever', name, inactive)).status).toBe(200);
    expect(await activityIdsOf(HOST)).toEqual([]);
    now += 1000;
    expect((await as(HOST).put(SAMPLE_SCID, 'forever', name, joinBody(HOST))).status).toBe(200);
    expect(await activityIdsOf(HOST)).toEqual([]);
    const again = await post(HOST, activity(name, 'forever'));
    expect(again.status).toBe(201);
    expect(again.json.id).not.toBe(first);
  });
});

describe('invite handles (spec §3.4)', () => {
  const invite = (name: string, invitedXuid: string, template = 'lobby') => ({
    version: 1,
    type: 'invite',
    sessionRef: ref(name, template),
    invitedXuid,
    inviteAttributes: { titleId: '896928775', context: 'ctx' },
  });

  it('a member invites: 201 with sender, invitee, attributes and an expiration one hour on; then 404 after it', async () => {
    const name = await createSession(HOST);
    const r = await post(HOST, invite(name, FRIEND));
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      type: 'invite',
      invitedXuid: FRIEND,
      senderXuid: HOST,
      inviteAttributes: { titleId: '896928775', context: 'ctx' },
      inviteProtocol: 'party',
      expiration: iso(now + 3600_000),
    });
    expect((await as(FRIEND).request('GET', `/handles/${r.json.id}`)).status).toBe(200);
    const saved = now;
    now += 3600_000;
    try {
      expect((await as(FRIEND).request('GET', `/handles/${r.json.id}`)).status).toBe(404);
    } finally {
      now = saved;
    }
  });

  it('accepts a numeric titleId and answers it as a string', async () => {
    const name = await createSession(HOST);
    const r = await post(HOST, { ...invite(name, FRIEND), inviteAttributes: { titleId: 1234 } });
    expect([r.status, r.json.inviteAttributes]).toEqual([201, { titleId: '1234' }]);
  });

  it('is 403 from a non-member, and for a session that does not exist', async () => {
    const name = await createSession(HOST);
    expect((await post(STRANGER, invite(name, FRIEND))).status).toBe(403);
    expect((await post(HOST, invite(`missing-${randomUUID()}`, FRIEND))).status).toBe(403);
  });

  it('a server may invite to any existing session', async () => {
    const name = await createSession(HOST);
    const r = await asServer().request('POST', '/handles', { body: invite(name, FRIEND) });
    expect([r.status, r.json.senderXuid]).toEqual([201, '0']);
  });

  it('on a hasOwners session a non-owner invites only with allowNonOwnerInviteHandles', async () => {
    const closed = await createSession(HOST, 'owned-roles');
    await join(FRIEND, 'owned-roles', closed);
    const refused = await post(FRIEND, invite(closed, STRANGER, 'owned-roles'));
    expect([refused.status, refused.json.code]).toEqual([403, 'OwnershipRequired']);
    expect((await post(HOST, invite(closed, STRANGER, 'owned-roles'))).status).toBe(201);

    const policy = { constants: { system: { ownershipPolicies: { allowNonOwnerInviteHandles: true } } } };
    const open = await createSession(HOST, 'owned-roles', policy);
    await join(FRIEND, 'owned-roles', open);
    expect((await post(FRIEND, invite(open, STRANGER, 'owned-roles'))).status).toBe(201);
  });

  it('the invitee joins through the handle, and the invite outlives the session (its session read is 204)', async () => {
    const name = await createSession(HOST);
    const { id } = (await post(HOST, invite(name, FRIEND))).json;
    const joined = await as(FRIEND).request('PUT', `/handles/${id}/session`, { body: joinBody(FRIEND) });
    expect(joined.status).toBe(200);
    await as(FRIEND).put(SAMPLE_SCID, 'lobby', name, { members: { me: null } });
    await as(HOST).put(SAMPLE_SCID, 'lobby', name, { members: { me: null } });
    const read = await as(FRIEND).request('GET', `/handles/${id}/session`);
    expect([read.status, read.text]).toEqual([204, '']);
  });
});

describe('transfer handles (spec §3.5)', () => {
  const transfer = (game: string, lobby: string) => ({
    version: 1,
    type: 'transfer',
    sessionRef: ref(game, 'game'),
    originSessionRef: ref(lobby),
  });

  it('is 403 when the target session does not exist, and from a non-member of the origin; 201 otherwise', async () => {
    const lobby = await createSession(HOST);
    expect((await post(HOST, transfer(`missing-${randomUUID()}`, lobby))).status).toBe(403);
    const game = await createSession(HOST, 'game');
    expect((await post(STRANGER, transfer(game, lobby))).status).toBe(403);
    const r = await post(HOST, transfer(game, lobby));
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ type: 'transfer', sessionRef: ref(game, 'game'), originSessionRef: ref(lobby) });
  });

  it('a lobby member joins the game through it; the handle dies with its target session', async () => {
    const lobby = await createSession(HOST);
    await join(FRIEND, 'lobby', lobby);
    const game = await createSession(HOST, 'game');
    const { id } = (await post(HOST, transfer(game, lobby))).json;
    const joined = await as(FRIEND).request('PUT', `/handles/${id}/session`, { body: joinBody(FRIEND) });
    expect(joined.status).toBe(200);
    expect(joined.headers.get('content-location')).toBe(sessionUri(SAMPLE_SCID, 'game', game).toLowerCase());
    await as(FRIEND).put(SAMPLE_SCID, 'game', game, { members: { me: null } });
    await as(HOST).put(SAMPLE_SCID, 'game', game, { members: { me: null } });
    expect((await as(FRIEND).request('PUT', `/handles/${id}/session`, { body: joinBody(FRIEND) })).status).toBe(404);
  });
});

describe('GET and PUT /handles/{id}/session (spec §3.9, §3.10)', () => {
  it('GET answers the session with its ETag and Content-Location as a path; If-None-Match gives 304', async () => {
    const name = await createSession(HOST);
    const { id } = (await post(HOST, activity(name))).json;
    const direct = await as(FRIEND).get(SAMPLE_SCID, 'lobby', name);
    const r = await as(FRIEND).request('GET', `/handles/${id}/session`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual(direct.json);
    expect(r.headers.get('etag')).toBe(direct.headers.get('etag'));
    expect(r.headers.get('content-location')).toBe(
      `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/lobby/sessions/${name}`,
    );
    const again = await as(FRIEND).request('GET', `/handles/${id}/session`, {
      headers: { 'if-none-match': String(r.headers.get('etag')) },
    });
    expect(again.status).toBe(304);
  });

  it('a join through an activity handle answers exactly 200 with the session and its Content-Location', async () => {
    const name = await createSession(HOST);
    const { id } = (await post(HOST, activity(name))).json;
    const r = await as(FRIEND).request('PUT', `/handles/${id}/session`, {
      body: joinBody(FRIEND),
      headers: { 'if-match': '*' },
    });
    expect(r.status).toBe(200);
    expect(r.json.members['1'].constants.system.xuid).toBe(FRIEND);
    expect(r.headers.get('content-location')).toBe(
      `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/lobby/sessions/${name}`,
    );
  });

  it('a stale If-Match is 412 with the current session and its Content-Location, and changes nothing', async () => {
    const name = await createSession(HOST);
    const { id } = (await post(HOST, activity(name))).json;
    const r = await as(HOST).request('PUT', `/handles/${id}/session`, {
      body: { properties: { custom: { a: 1 } } },
      headers: { 'if-match': 'stale-etag' },
    });
    expect(r.status).toBe(412);
    expect(r.json.changeNumber).toBe(1);
    expect(r.headers.get('content-location')).toBe(
      `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/lobby/sessions/${name}`,
    );
    expect((await as(HOST).get(SAMPLE_SCID, 'lobby', name)).json.changeNumber).toBe(1);
  });

  it('the session rules apply: a stranger may not read a private session through a handle (403), nor change it', async () => {
    const name = await createSession(HOST, 'open', {
      constants: { system: { visibility: 'private', maxMembersCount: 4 } },
    });
    const { id } = (await post(HOST, activity(name, 'open'))).json;
    expect((await as(STRANGER).request('GET', `/handles/${id}/session`)).status).toBe(403);
    const write = await as(STRANGER).request('PUT', `/handles/${id}/session`, { body: joinBody(STRANGER) });
    expect(write.status).toBe(403);
    expect((await as(HOST).get(SAMPLE_SCID, 'open', name)).json.changeNumber).toBe(1);
  });

  it('an unknown, deleted or dead handle is 404 on both methods, and nothing is written', async () => {
    const name = await createSession(HOST);
    const { id } = (await post(HOST, activity(name))).json;
    await as(HOST).request('DELETE', `/handles/${id}`);
    for (const handle of [id, randomUUID()]) {
      expect((await as(FRIEND).request('GET', `/handles/${handle}/session`)).status).toBe(404);
      expect((await as(FRIEND).request('PUT', `/handles/${handle}/session`, { body: joinBody(FRIEND) })).status).toBe(
        404,
      );
    }
    expect(Object.keys((await as(HOST).get(SAMPLE_SCID, 'lobby', name)).json.members)).toEqual(['0']);
  });

  it('a body the session rules refuse is refused through the handle too (400), changing nothing', async () => {
    const name = await createSession(HOST);
    const { id } = (await post(HOST, activity(name))).json;
    const r = await as(FRIEND).request('PUT', `/handles/${id}/session`, { body: { bogus: 1 } });
    expect(r.status).toBe(400);
    expect((await as(HOST).get(SAMPLE_SCID, 'lobby', name)).json.changeNumber).toBe(1);
  });
});

describe('POST /handles/query (spec §3.11)', () => {
  const query = (caller: string, body: unknown, include?: string) =>
    as(caller).request('POST', '/handles/query', {
      body,
      ...(include === undefined ? {} : { query: `include=${include}` }),
    });

  it('returns a friend’s activity with relatedInfo and customProperties, and stops the moment the friend leaves', async () => {
    const name = await createSession(FRIEND, 'lobby', { properties: { custom: { mode: 'coop' } } });
    const { id } = (await post(FRIEND, activity(name))).json;
    const r = await queryXuids(HOST, [FRIEND]);
    expect(r.status).toBe(200);
    expect(r.json.results).toEqual([
      {
        id,
        type: 'activity',
        version: 1,
        sessionRef: ref(name),
        createTime: expect.any(String),
        ownerXuid: FRIEND,
        titleId: '1234',
        inviteProtocol: 'party',
        relatedInfo: {
          visibility: 'open',
          joinRestriction: 'none',
          closed: false,
          maxMembersCount: 8,
          membersCount: 1,
        },
        customProperties: { mode: 'coop' },
      },
    ]);
    await as(FRIEND).put(SAMPLE_SCID, 'lobby', name, { members: { me: null } });
    expect((await queryXuids(HOST, [FRIEND])).json).toEqual({ results: [] });
  });

  it('renders customProperties on every entry when asked ({} when the session has none), roleInfo on request, nothing unasked', async () => {
    const name = await createSession(FRIEND);
    await post(FRIEND, activity(name));
    const bare = await query(HOST, { type: 'activity', scid: SAMPLE_SCID, owners: { xuids: [FRIEND] } });
    expect(Object.keys(bare.json.results[0]).sort()).toEqual(
      ['createTime', 'id', 'inviteProtocol', 'ownerXuid', 'sessionRef', 'titleId', 'type', 'version'].sort(),
    );
    const all = await queryXuids(HOST, [FRIEND], 'customProperties,roleInfo,session,bogus');
    expect(all.json.results[0].customProperties).toEqual({});
    expect(all.json.results[0].roleInfo).toEqual({ roleTypes: {} });
    expect(all.json.results[0].relatedInfo).toBeUndefined();
  });

  it('owners.people lists everyone with a live activity in the SCID', async () => {
    const a = await createSession(FRIEND);
    const b = await createSession(STRANGER, 'game');
    const friend = (await post(FRIEND, activity(a))).json.id;
    const stranger = (await post(STRANGER, activity(b, 'game'))).json.id;
    const r = await query(HOST, {
      type: 'activity',
      scid: SAMPLE_SCID,
      owners: { people: { moniker: 'people', monikerXuid: HOST } },
    });
    const ids = r.json.results.map((h: { id: string }) => h.id);
    expect(ids).toEqual(expect.arrayContaining([friend, stranger]));
  });

  it('never returns a private session’s activity to someone who may not read it', async () => {
    const name = await createSession(FRIEND, 'open', {
      constants: { system: { visibility: 'private', maxMembersCount: 4 } },
    });
    const { id } = (await post(FRIEND, activity(name, 'open'))).json;
    expect((await queryXuids(HOST, [FRIEND])).json.results).toEqual([]);
    expect((await queryXuids(FRIEND, [FRIEND])).json.results.map((h: { id: string }) => h.id)).toEqual([id]);
  });

  it.each([
    ['both xuids and people', (me: string) => ({ xuids: [me], people: { moniker: 'people', monikerXuid: me } }), 400],
    ['neither', () => ({}), 400],
    ['an empty xuids list', () => ({ xuids: [] }), 400],
    ['101 xuids', () => ({ xuids: Array.from({ length: 101 }, (_, i) => String(2535400000000000 + i)) }), 400],
    ['a numeric xuid', () => ({ xuids: [2535400000000000] }), 400],
    ['people of someone else', () => ({ people: { moniker: 'people', monikerXuid: '2535400000000009' } }), 403],
  ] as const)('refuses %s', async (_what, owners, status) => {
    const r = await query(HOST, { type: 'activity', scid: SAMPLE_SCID, owners: owners(HOST) });
    expect([r.status, typeof r.json.code]).toEqual([status, 'string']);
  });

  it('refuses a search query, a missing or malformed scid (400) and an unknown one (404)', async () => {
    const owners = { xuids: [HOST] };
    expect((await query(HOST, { type: 'search', scid: SAMPLE_SCID, owners })).status).toBe(400);
    expect((await query(HOST, { type: 'activity', owners })).status).toBe(400);
    expect((await query(HOST, { type: 'activity', scid: 'MockScid', owners })).status).toBe(400);
    expect((await query(HOST, { type: 'activity', scid: randomUUID(), owners })).status).toBe(404);
  });

  it('accepts 100 xuids and answers at most 100 results', async () => {
    const xuids = Array.from({ length: 100 }, (_, i) => String(2535400000500000 + i));
    const r = await query(HOST, { type: 'activity', scid: SAMPLE_SCID, owners: { xuids } });
    expect([r.status, r.json]).toEqual([200, { results: [] }]);
  });
});

describe('the access a handle gives (spec §3.10)', () => {
  const LOCAL = { properties: { system: { joinRestriction: 'local', readRestriction: 'local' } } };
  const invite = (name: string, invitedXuid: string) => ({
    version: 1,
    type: 'invite',
    sessionRef: ref(name),
    invitedXuid,
    inviteAttributes: { titleId: '1' },
  });

  it('an invite lets its invitee read and join despite the restrictions; nobody else, and not without the handle', async () => {
    const name = await createSession(HOST, 'lobby', LOCAL);
    const { id } = (await post(HOST, invite(name, FRIEND))).json;
    expect((await as(FRIEND).get(SAMPLE_SCID, 'lobby', name)).status).toBe(403);
    expect((await as(FRIEND).put(SAMPLE_SCID, 'lobby', name, joinBody(FRIEND))).status).toBe(403);
    expect((await as(STRANGER).request('GET', `/handles/${id}/session`)).status).toBe(403);
    expect((await as(STRANGER).request('PUT', `/handles/${id}/session`, { body: joinBody(STRANGER) })).status).toBe(
      403,
    );
    expect((await as(HOST).get(SAMPLE_SCID, 'lobby', name)).json.changeNumber).toBe(1);

    expect((await as(FRIEND).request('GET', `/handles/${id}/session`)).status).toBe(200);
    const joined = await as(FRIEND).request('PUT', `/handles/${id}/session`, { body: joinBody(FRIEND) });
    expect(joined.status).toBe(200);
    expect(joined.json.membersInfo.count).toBe(2);
  });

  it('an invite to a closed session only reads it: the join is 403', async () => {
    const name = await createSession(HOST, 'lobby', { properties: { system: { closed: true } } });
    const { id } = (await post(HOST, invite(name, FRIEND))).json;
    expect((await as(FRIEND).request('GET', `/handles/${id}/session`)).status).toBe(200);
    expect((await as(FRIEND).request('PUT', `/handles/${id}/session`, { body: joinBody(FRIEND) })).status).toBe(403);
    expect((await as(HOST).get(SAMPLE_SCID, 'lobby', name)).json.membersInfo.count).toBe(1);
  });

  it('a transfer handle lets members of its origin join the target despite its joinRestriction; others 403', async () => {
    const lobby = await createSession(HOST);
    await join(FRIEND, 'lobby', lobby);
    const game = await createSession(HOST, 'game', LOCAL);
    const transfer = { version: 1, type: 'transfer', sessionRef: ref(game, 'game'), originSessionRef: ref(lobby) };
    const { id } = (await post(HOST, transfer)).json;
    expect((await as(STRANGER).request('PUT', `/handles/${id}/session`, { body: joinBody(STRANGER) })).status).toBe(
      403,
    );
    expect((await as(FRIEND).request('PUT', `/handles/${id}/session`, { body: joinBody(FRIEND) })).status).toBe(200);
  });

  it('an activity handle gives nothing beyond the session rules', async () => {
    const name = await createSession(HOST, 'lobby', LOCAL);
    const { id } = (await post(HOST, activity(name))).json;
    expect((await as(FRIEND).request('PUT', `/handles/${id}/session`, { body: joinBody(FRIEND) })).status).toBe(403);
    expect((await as(HOST).get(SAMPLE_SCID, 'lobby', name)).json.membersInfo.count).toBe(1);
  });
});

describe('concurrent activity posts of one user', () => {
  it('leave exactly one activity, one of those answered; every other id is 404', async () => {
    const names = await Promise.all([1, 2, 3, 4].map(() => createSession(HOST)));
    const answers = await Promise.all(names.map((name) => post(HOST, activity(name))));
    for (const answer of answers) expect(answer.status).toBe(201);
    const ids = answers.map((a) => a.json.id as string);
    const current = await activityIdsOf(HOST);
    expect(current).toHaveLength(1);
    expect(ids).toContain(current[0]);
    for (const id of ids.filter((i) => i !== current[0])) {
      expect((await as(HOST).request('GET', `/handles/${id}`)).status).toBe(404);
    }
  });
});
