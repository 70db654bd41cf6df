import { randomUUID } from 'node:crypto';
import { startTestService, type TestService } from '../../support/local-service';
import { CheckedSessionClient } from '../../support/mpsd-response-validator';
import { joinBody, SAMPLE_SCID, SessionClient, type SessionResponse } from '../../support/session-client';

// Search handles over HTTP against DynamoDB Local (spec/mpsd-family.md §3.6, §3.8, §3.12, §4; README "Handles"):
// POST /handles with type search, POST /handles/query with type search (filter, orderBy, first 100), DELETE by id,
// the handle's end with its session, and the search fair-use limit. Each test searches a template of its own
// session names, so tests never see each other's handles: every session here is in the `open` template, and a test
// tells its own handles apart by a tag unique to it.

let service: TestService;
let now = Date.parse('2026-06-01T12:00:00Z');
beforeAll(async () => {
  service = await startTestService({ clock: () => now });
});
afterAll(() => service.close());

const as = (xuid: string) =>
  new CheckedSessionClient(service.baseUrl, { xuid, gamertag: `Gamer${xuid.slice(-4)}`, titleId: '1234' });

let nextXuid = 2535500000001000n;
const newXuid = () => String(nextXuid++);
const TEMPLATE = 'open';
const ref = (name: string) => ({ scid: SAMPLE_SCID, templateName: TEMPLATE, name });
const SEARCHABLE = { constants: { system: { capabilities: { searchable: true } } } };

async function createSession(xuid: string, extra: Record<string, unknown> = SEARCHABLE): Promise<string> {
  const name = `s-${randomUUID()}`;
  const created = await as(xuid).put(SAMPLE_SCID, TEMPLATE, name, joinBody(xuid, extra));
  expect(created.status).toBe(201);
  return name;
}

function postSearch(xuid: string, name: string, searchAttributes?: unknown): Promise<SessionResponse> {
  return as(xuid).request('POST', '/handles', {
    body: {
      type: 'search',
      version: 1,
      sessionRef: ref(name),
      ...(searchAttributes === undefined ? {} : { searchAttributes }),
    },
  });
}

function search(xuid: string, extra: Record<string, unknown>): Promise<SessionResponse> {
  return as(xuid).request('POST', '/handles/query', {
    query: 'include=relatedInfo,roleInfo,customProperties',
    body: { type: 'search', scid: SAMPLE_SCID, templateName: TEMPLATE, global: true, ...extra },
  });
}

/** The session names of a search's results, in order. */
const namesOf = (r: SessionResponse): string[] =>
  r.json.results.map((h: { sessionRef: { name: string } }) => h.sessionRef.name);

describe('POST /handles with type search (spec §3.6)', () => {
  it('answers 201 with the whole search handle: attributes as sent, createTime, relatedInfo with sessionOwners', async () => {
    const host = newXuid();
    const name = await createSession(host);
    const attributes = { tags: ['MicsRequired'], strings: { Class: 'A' }, numbers: { Skill_D: 10.145, Skill_I: 14 } };
    const r = await postSearch(host, name, attributes);
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'search',
      version: 1,
      sessionRef: ref(name),
      searchAttributes: attributes,
      relatedInfo: { membersCount: 1, maxMembersCount: 100, closed: false, sessionOwners: [] },
      customProperties: {},
    });
    expect((await as(newXuid()).request('GET', `/handles/${r.json.id}`)).json.searchAttributes).toEqual(attributes);
  });

  it('replaces the session’s previous search handle: the old id is 404, a search finds only the new one', async () => {
    const host = newXuid();
    const tag = `t${randomUUID().slice(0, 8)}`;
    const name = await createSession(host);
    const first = await postSearch(host, name, { tags: [tag] });
    const second = await postSearch(host, name, { tags: [tag] });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect((await as(host).request('GET', `/handles/${first.json.id}`)).status).toBe(404);
    const found = await search(host, { filter: `tags/any(d:tolower(d) eq '${tag}')` });
    expect(found.json.results.map((h: { id: string }) => h.id)).toEqual([second.json.id]);
  });

  const refusals: [string, () => Promise<[string, string, unknown]>, number, RegExp][] = [
    [
      'a session without the searchable capability',
      async () => {
        const x = newXuid();
        return [x, await createSession(x, {}), { tags: ['a'] }];
      },
      403,
      /searchable/,
    ],
    [
      'a session that does not exist',
      async () => [newXuid(), `missing-${randomUUID()}`, undefined],
      403,
      /does not exist/,
    ],
    [
      'a caller who is not a member',
      async () => [newXuid(), await createSession(newXuid()), undefined],
      403,
      /members/,
    ],
    [
      'a tag with a space',
      async () => {
        const x = newXuid();
        return [x, await createSession(x), { tags: ['has space'] }];
      },
      400,
      /start with a letter/,
    ],
    [
      'a tag starting with a digit',
      async () => {
        const x = newXuid();
        return [x, await createSession(x), { tags: ['1st'] }];
      },
      400,
      /start with a letter/,
    ],
    [
      'a string value of 100 characters',
      async () => {
        const x = newXuid();
        return [x, await createSession(x), { strings: { mode: 'x'.repeat(100) } }];
      },
      400,
      /shorter than 100/,
    ],
    [
      'a number that is a string',
      async () => {
        const x = newXuid();
        return [x, await createSession(x), { numbers: { rank: '3' } }];
      },
      400,
      /must be a number/,
    ],
    [
      '51 tags',
      async () => {
        const x = newXuid();
        return [x, await createSession(x), { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }];
      },
      400,
      /at most 50/,
    ],
    [
      'an unknown kind of attribute',
      async () => {
        const x = newXuid();
        return [x, await createSession(x), { flags: ['a'] }];
      },
      400,
      /tags, strings and numbers/,
    ],
  ];
  it.each(refusals)('refuses %s and creates nothing', async (_what, setup, status, message) => {
    const [caller, name, attributes] = await setup();
    const r = await postSearch(caller, name, attributes);
    expect(r.status).toBe(status);
    expect(r.json.message).toMatch(message);
    // Nothing was created: a server's search of every handle of the template finds none for this session.
    const all = await search(caller, {});
    expect(namesOf(all)).not.toContain(name);
  });
});

describe('POST /handles/query with type search (spec §4)', () => {
  it('returns exactly the handles matching a filter over tags, strings and numbers, in orderBy order', async () => {
    const tag = `t${randomUUID().slice(0, 8)}`;
    const rows: [string, { tags: string[]; strings: Record<string, string>; numbers: Record<string, number> }][] = [
      ['a', { tags: [tag, 'MicsRequired'], strings: { Class: 'B' }, numbers: { skill: 30 } }],
      ['b', { tags: [tag], strings: { Class: 'b' }, numbers: { skill: 10 } }],
      ['c', { tags: [tag, 'micsrequired'], strings: { Class: 'A' }, numbers: { skill: 20 } }],
      ['d', { tags: [tag], strings: { Class: 'B' }, numbers: { skill: 2 } }],
      ['e', { tags: ['other'], strings: { Class: 'B' }, numbers: { skill: 50 } }],
    ];
    const nameOf = new Map<string, string>();
    for (const [label, attributes] of rows) {
      const host = newXuid();
      const name = await createSession(host);
      nameOf.set(label, name);
      now += 1000;
      expect((await postSearch(host, name, attributes)).status).toBe(201);
    }
    const me = newXuid();
    const inTag = `tags/any(d:tolower(d) eq '${tag}')`;
    // Class B (any case) with skill above 5, or any mics-required: a, b, c; d has skill 2; e lacks the tag.
    const r = await search(me, {
      filter: `${inTag} and tolower(strings/class) eq 'b' and numbers/skill gt 5 or ${inTag} and Tags/any(d:d eq 'MICSREQUIRED')`,
      orderBy: 'numbers/skill desc',
    });
    expect(r.status).toBe(200);
    expect(namesOf(r)).toEqual(['a', 'c', 'b'].map((l) => nameOf.get(l)));
    // The documented "has no x" meaning of any(… ne …), ordered by creation time (the default).
    const without = await search(me, { filter: `${inTag} and tags/any(d:tolower(d) ne 'micsrequired')` });
    expect(namesOf(without)).toEqual(['b', 'd'].map((l) => nameOf.get(l)));
    // A session-side path: every session here has one member.
    const bySession = await search(me, { filter: `${inTag} and session/membersCount eq 1 and numbers/skill le 10` });
    expect(namesOf(bySession)).toEqual(['b', 'd'].map((l) => nameOf.get(l)));
  });

  const badFilters: [string, RegExp][] = [
    ["tags/any(d:d eq 'a') or numbers/x gt 1 or numbers/y gt 2", /or/],
    ["(tags/any(d:d eq 'a') or numbers/x gt 1) and numbers/y gt 2", /or/],
    ["contains(strings/x, 'a')", /character 9 \("\("\)/],
    ["toupper(strings/x) eq 'A'", /character 8 \("\("\)/],
    ["tags/all(d:d eq 'a')", /character 9 \("\("\)/],
    ["colours/red eq 'a'", /colours/],
    ["numbers/x eq 'a'", /number/],
    ["strings/x eq 'unterminated", /character 27 \("the end"\)/],
  ];
  it.each(badFilters)('refuses the filter %s with 400 naming the token', async (filter, token) => {
    const r = await search(newXuid(), { filter });
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(token);
  });

  it.each([
    ['an unknown orderBy attribute', { orderBy: 'colours/red asc' }, /colours/],
    ['orderBy on a collection', { orderBy: 'tags asc' }, /collection/],
    ['a missing templateName', { templateName: undefined }, /templateName/],
    ['a scid that is not a GUID', { scid: 'MockScid' }, /scid/],
  ])('refuses %s with 400', async (_what, extra, message) => {
    const r = await search(newXuid(), extra);
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(message);
  });

  it('answers at most 100 results', async () => {
    const tag = `t${randomUUID().slice(0, 8)}`;
    const host = newXuid();
    const names: string[] = [];
    for (let i = 0; i < 101; i += 1) names.push(`s-${randomUUID()}`);
    await Promise.all(
      names.map(async (name) => {
        expect((await as(host).put(SAMPLE_SCID, TEMPLATE, name, joinBody(host, SEARCHABLE))).status).toBe(201);
        expect((await postSearch(host, name, { tags: [tag] })).status).toBe(201);
      }),
    );
    const r = await search(host, { filter: `tags/any(d:d eq '${tag}')` });
    expect(r.json.results).toHaveLength(100);
  });
});

describe("the session's searchHandle field (spec §4.6, §3.8)", () => {
  it('names the current search handle: set by the POST, replaced by the next, kept by a join, cleared by the DELETE', async () => {
    const host = newXuid();
    const name = await createSession(host);
    const get = async () => (await as(host).get(SAMPLE_SCID, TEMPLATE, name)).json;
    const before = await get();
    expect(before).not.toHaveProperty('searchHandle');
    const first = await postSearch(host, name, { tags: ['a'] });
    const afterFirst = await get();
    expect(afterFirst.searchHandle).toBe(first.json.id);
    // Setting it is a session change (§3.8): the change number moves on.
    expect(afterFirst.changeNumber).toBe(before.changeNumber + 1);
    const second = await postSearch(host, name, { tags: ['b'] });
    expect((await get()).searchHandle).toBe(second.json.id);
    const friend = newXuid();
    expect((await as(friend).put(SAMPLE_SCID, TEMPLATE, name, joinBody(friend))).json.searchHandle).toBe(
      second.json.id,
    );
    expect((await as(host).request('DELETE', `/handles/${second.json.id}`)).status).toBe(204);
    const afterDelete = await get();
    expect(afterDelete).not.toHaveProperty('searchHandle');
    expect(afterDelete.changeNumber).toBeGreaterThan(afterFirst.changeNumber);
  });
});

describe('search handle lifecycle (spec §3.8, §3.12)', () => {
  it('DELETE /handles/{id} by a member removes it from searches; a stranger gets 403', async () => {
    const host = newXuid();
    const tag = `t${randomUUID().slice(0, 8)}`;
    const name = await createSession(host);
    const created = await postSearch(host, name, { tags: [tag] });
    expect((await as(newXuid()).request('DELETE', `/handles/${created.json.id}`)).status).toBe(403);
    expect(namesOf(await search(host, { filter: `tags/any(d:d eq '${tag}')` }))).toEqual([name]);
    expect((await as(host).request('DELETE', `/handles/${created.json.id}`)).status).toBe(204);
    expect((await as(host).request('GET', `/handles/${created.json.id}`)).status).toBe(404);
    expect(namesOf(await search(host, { filter: `tags/any(d:d eq '${tag}')` }))).toEqual([]);
  });

  it('ends with its session: once the last member leaves, the handle is 404 and no search finds it', async () => {
    const host = newXuid();
    const tag = `t${randomUUID().slice(0, 8)}`;
    const name = await createSession(host);
    const created = await postSearch(host, name, { tags: [tag] });
    expect((await as(host).put(SAMPLE_SCID, TEMPLATE, name, { members: { me: null } })).status).toBeLessThan(300);
    expect((await as(host).request('GET', `/handles/${created.json.id}`)).status).toBe(404);
    expect(namesOf(await search(host, { filter: `tags/any(d:d eq '${tag}')` }))).toEqual([]);
  });
});

describe('search fair use (spec §1.4: 1 read and 1 write per 15 s per user)', () => {
  let limited: TestService;
  beforeAll(async () => {
    limited = await startTestService({
      clock: () => now,
      rateLimits: 'on',
      rateLimitTableName: `rate-${randomUUID()}`,
    });
  });
  afterAll(() => limited.close());

  it('answers the second search within 15 s with 429 and Retry-After, and the next window serves again', async () => {
    const xuid = newXuid();
    // Unchecked: the 429 carries MPSD's own body, not {code, message}.
    const client = new SessionClient(limited.baseUrl, { xuid, gamertag: 'G', titleId: '1234' });
    const body = { type: 'search', scid: SAMPLE_SCID, templateName: TEMPLATE, global: true };
    now = Math.ceil(now / 15_000) * 15_000 + 1000;
    expect((await client.request('POST', '/handles/query', { body })).status).toBe(200);
    const second = await client.request('POST', '/handles/query', { body });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('14');
    expect(second.json).toMatchObject({ maxRequests: 1, periodInSeconds: 15, limitType: 'rate' });
    // A write is counted apart from reads; an activity query is not a search read at all.
    const name = `s-${randomUUID()}`;
    expect((await client.put(SAMPLE_SCID, TEMPLATE, name, joinBody(xuid, SEARCHABLE))).status).toBe(201);
    const post = { type: 'search', version: 1, sessionRef: ref(name) };
    expect((await client.request('POST', '/handles', { body: post })).status).toBe(201);
    expect((await client.request('POST', '/handles', { body: post })).status).toBe(429);
    now += 15_000;
    expect((await client.request('POST', '/handles/query', { body })).status).toBe(200);
  });
});
