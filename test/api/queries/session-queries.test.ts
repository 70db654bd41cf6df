import { randomUUID } from 'node:crypto';
import { startTestService, type TestService, waitForFinder } from '../../support/local-service';
import { CheckedSessionClient } from '../../support/mpsd-response-validator';
import { joinBody, SAMPLE_SCID, type SessionResponse } from '../../support/session-client';

// Session queries by xuid and keyword, batch queries and template reads over HTTP against DynamoDB Local
// (spec/mpsd-family.md §5; README "Finding sessions"), with the finder running on the sessions stream as npm start
// runs it. The finder lags the writes by the stream's delay: a test waits (waitForFinder: a deadline, never a measure
// of speed) for a join to appear; a leave needs no wait, because every candidate is decided on as the session is now.

let service: TestService;
beforeAll(async () => {
  service = await startTestService({ finder: true });
});
afterAll(() => service.close());

let nextXuid = 2535600000001000n;
const newXuid = () => String(nextXuid++);
const as = (xuid: string) => new CheckedSessionClient(service.baseUrl, { xuid, gamertag: `G${xuid.slice(-4)}` });
const asServer = () => new CheckedSessionClient(service.baseUrl, { server: true });
const SESSIONS = `/serviceconfigs/${SAMPLE_SCID}/sessions`;
const names = (r: SessionResponse) => r.json.results.map((e: { sessionRef: { name: string } }) => e.sessionRef.name);

function query(caller: CheckedSessionClient, q: string, path = SESSIONS): Promise<SessionResponse> {
  return caller.request('GET', path, { query: q });
}

async function create(template: string, xuid: string, extra: Record<string, unknown> = {}): Promise<string> {
  const name = `q-${randomUUID()}`;
  const r = await as(xuid).put(SAMPLE_SCID, template, name, joinBody(xuid, extra));
  expect(r.status).toBe(201);
  return name.toLowerCase();
}

describe('GET …/sessions?xuid= (spec §5.2, §5.4, §5.5)', () => {
  it('finds a member’s session after the join, with the documented entry, and no longer right after the leave', async () => {
    const host = newXuid();
    const guest = newXuid();
    const name = await create('lobby', host, { properties: { system: { keywords: ['Red'], turn: [1] } } });
    expect((await as(guest).put(SAMPLE_SCID, 'lobby', name, joinBody(guest))).status).toBe(200);
    const found = await waitForFinder(
      () => query(as(guest), `xuid=${guest}`),
      (r) => r.json.results.length === 1,
    );
    expect(found.status).toBe(200);
    expect(found.json.results).toEqual([
      {
        xuid: guest,
        startTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/),
        sessionRef: { scid: SAMPLE_SCID, templateName: 'lobby', name },
        accepted: 2,
        status: 'active',
        visibility: 'open',
        myTurn: true,
        keywords: ['Red'],
      },
    ]);
    expect((await as(guest).put(SAMPLE_SCID, 'lobby', name, { members: { me: null } })).status).toBe(200);
    // No wait: the index may still name the session, but the session itself no longer has the member.
    expect((await query(as(guest), `xuid=${guest}`)).json.results).toEqual([]);
  });

  it('finds reservations only with reservations=true, and only for oneself or a server (403 otherwise, even with no session)', async () => {
    const host = newXuid();
    const reserved = newXuid();
    const me = (joinBody(host).members as Record<string, unknown>).me;
    const name = await create('lobby', host, {
      members: { me, reserve_0: { constants: { system: { xuid: reserved } } } },
    });
    // The reservation is in the index once the host's session is: the host is found first.
    await waitForFinder(
      () => query(asServer(), `xuid=${reserved}&reservations=true`),
      (r) => r.json.results.length === 1,
    );
    expect(names(await query(as(reserved), `xuid=${reserved}`))).toEqual([]);
    const mine = await query(as(reserved), `xuid=${reserved}&reservations=true`);
    expect(mine.json.results).toEqual([expect.objectContaining({ xuid: reserved, status: 'reserved', accepted: 1 })]);
    expect(names(mine)).toEqual([name]);
    const stranger = await query(as(newXuid()), `xuid=${reserved}&reservations=true`);
    expect(stranger.status).toBe(403);
    expect(stranger.json.message).toMatch(/only for your own sessions/);
    expect((await query(as(newXuid()), `xuid=${newXuid()}&private=true`)).status).toBe(403);
  });

  it('finds inactive (and ready) members only with inactive=true, reported as inactive', async () => {
    const host = newXuid();
    // A template that keeps inactive members (the default inactiveRemovalTimeout, 0, removes them at once).
    const name = await create('forever', host);
    expect(
      (
        await as(host).put(SAMPLE_SCID, 'forever', name, {
          members: { me: { properties: { system: { active: false } } } },
        })
      ).status,
    ).toBe(200);
    const inactive = await waitForFinder(
      () => query(as(host), `xuid=${host}&inactive=true`),
      (r) => r.json.results.length === 1,
    );
    expect(inactive.json.results).toEqual([expect.objectContaining({ xuid: host, status: 'inactive' })]);
    expect((await query(as(host), `xuid=${host}`)).json.results).toEqual([]);
  });

  it('never lists a private session to a stranger; its member finds it with private=true', async () => {
    const host = newXuid();
    const name = await create('open', host, { constants: { system: { visibility: 'private' } } });
    await waitForFinder(
      () => query(as(host), `xuid=${host}&private=true`),
      (r) => r.json.results.length === 1,
    );
    expect(names(await query(as(host), `xuid=${host}&private=true`))).toEqual([name]);
    expect((await query(as(host), `xuid=${host}`)).json.results).toEqual([]);
    expect((await query(as(newXuid()), `xuid=${host}`)).json.results).toEqual([]);
  });

  it('filters by visibility (full for an open session without a free slot), version and template, and stops at take', async () => {
    const host = newXuid();
    const full = await create('open', host, { constants: { system: { maxMembersCount: 1 } } });
    const open = await create('game', host);
    await waitForFinder(
      () => query(as(host), `xuid=${host}`),
      (r) => r.json.results.length === 2,
    );
    expect(names(await query(as(host), `xuid=${host}&visibility=full`))).toEqual([full]);
    expect(names(await query(as(host), `xuid=${host}&visibility=open`))).toEqual([open]);
    expect(names(await query(as(host), `xuid=${host}&visibility=any`)).sort()).toEqual([full, open].sort());
    expect((await query(as(host), `xuid=${host}&version=0`)).json.results).toEqual([]);
    expect(
      names(await query(as(host), `xuid=${host}`, `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/game/sessions`)),
    ).toEqual([open]);
    expect((await query(as(host), `xuid=${host}&take=1`)).json.results).toHaveLength(1);
    expect((await query(as(host), `xuid=${host}&take=0`)).json.results).toEqual([]);
  });

  it.each([
    ['version=2', /version is "2"; it is an integer from 0 to 1/],
    ['visibility=private', /needs private=true/],
    ['continuationToken=x', /pages the listing/],
    ['xuid=0123', /a xuid is/],
  ])('refuses %s with 400', async (extra, message) => {
    const caller = newXuid();
    const q = extra.startsWith('xuid=') ? extra : `xuid=${caller}&${extra}`;
    const r = await query(as(caller), q);
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(message);
  });
});

describe('GET …/sessions?keyword= (spec §5.2)', () => {
  it('finds sessions by keyword in any letter case, narrowed by the other filters', async () => {
    const host = newXuid();
    const keyword = `kw${randomUUID().slice(0, 8)}`;
    const name = await create('lobby', host, { properties: { system: { keywords: [keyword.toUpperCase()] } } });
    const found = await waitForFinder(
      () => query(as(newXuid()), `keyword=${keyword}`),
      (r) => r.json.results.length === 1,
    );
    expect(found.json.results).toEqual([expect.not.objectContaining({ xuid: expect.anything() })]);
    expect(names(found)).toEqual([name]);
    expect((await query(as(host), `keyword=${keyword}&xuid=${newXuid()}`)).json.results).toEqual([]);
    // A keyword removed is no longer found, with no wait.
    expect(
      (await as(host).put(SAMPLE_SCID, 'lobby', name, { properties: { system: { keywords: ['other'] } } })).status,
    ).toBe(200);
    expect((await query(as(host), `keyword=${keyword}`)).json.results).toEqual([]);
  });
});

describe('POST …/batch (spec §5.3)', () => {
  it('groups the results per xuid in request order; a session appears once per matching xuid', async () => {
    const [a, b, c] = [newXuid(), newXuid(), newXuid()];
    const shared = await create('lobby', a);
    expect((await as(b).put(SAMPLE_SCID, 'lobby', shared, joinBody(b))).status).toBe(200);
    const own = await create('game', c);
    const batch = () =>
      asServer().request('POST', `/serviceconfigs/${SAMPLE_SCID}/batch`, { body: { xuids: [c, b, a] } });
    const r = await waitForFinder(batch, (x) => x.json.results.length === 3);
    expect(r.status).toBe(200);
    expect(
      r.json.results.map((e: { xuid: string; sessionRef: { name: string } }) => [e.xuid, e.sessionRef.name]),
    ).toEqual([
      [c, own],
      [b, shared],
      [a, shared],
    ]);
    const tpl = await asServer().request('POST', `/serviceconfigs/${SAMPLE_SCID}/sessionTemplates/game/batch`, {
      body: { xuids: [a, c] },
    });
    expect(tpl.json.results.map((e: { xuid: string }) => e.xuid)).toEqual([c]);
  });

  it.each([
    [{}, 400, /\{"xuids"/],
    [{ xuids: [] }, 400, /1 to 100/],
    [{ xuids: [2533274790395904] }, 400, /xuids\[0\] is not a xuid string/],
    [{ xuids: Array.from({ length: 101 }, (_, i) => String(2533274790395904n + BigInt(i))) }, 400, /not 101/],
  ])('refuses the body %j with %i', async (body, status, message) => {
    const r = await as(newXuid()).request('POST', `/serviceconfigs/${SAMPLE_SCID}/batch`, { body });
    expect(r.status).toBe(status);
    expect(r.json.message).toMatch(message);
  });

  it('refuses private=true unless every xuid is the caller’s (403)', async () => {
    const me = newXuid();
    const r = await as(me).request('POST', `/serviceconfigs/${SAMPLE_SCID}/batch`, {
      query: 'private=true',
      body: { xuids: [me, newXuid()] },
    });
    expect(r.status).toBe(403);
    const ok = await as(me).request('POST', `/serviceconfigs/${SAMPLE_SCID}/batch`, {
      query: 'private=true',
      body: { xuids: [me] },
    });
    expect(ok.status).toBe(200);
  });
});

describe('template reads (spec §5.6)', () => {
  it('lists the SCID’s templates by name with their contract version', async () => {
    const r = await as(newXuid()).request('GET', `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates`);
    expect(r.status).toBe(200);
    expect(r.json.results).toEqual(
      expect.arrayContaining([
        { name: 'lobby', contractVersion: 107 },
        { name: 'game', contractVersion: 107 },
      ]),
    );
    const listed = r.json.results.map((t: { name: string }) => t.name);
    expect(listed).toEqual([...listed].sort());
  });

  it('returns one template as configured, with its name; 404 for an unknown one', async () => {
    const r = await as(newXuid()).request('GET', `/serviceconfigs/${SAMPLE_SCID}/sessionTemplates/LOBBY`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      name: 'lobby',
      contractVersion: 107,
      constants: {
        system: expect.objectContaining({ maxMembersCount: 8, visibility: 'open', inviteProtocol: 'party' }),
        custom: {},
      },
    });
    const missing = await as(newXuid()).request('GET', `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/nope`);
    expect(missing.status).toBe(404);
    expect(missing.json.message).toMatch(/its templates are/);
  });
});
