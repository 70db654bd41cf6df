import { randomUUID } from 'node:crypto';
import { makeDynamoDbClient } from '../../../lambda/runtime/dynamodb-client';
import { DynamoDbSessionStore } from '../../../lambda/store/dynamodb-session-store';
import type { StoredRecord } from '../../../lambda/store/session-store';
import { localRuntimeConfig } from '../../../local/local-config';
import { startTestService, type TestService } from '../../support/local-service';
import { CheckedSessionClient } from '../../support/mpsd-response-validator';
import { joinBody, SAMPLE_SCID } from '../../support/session-client';

// The QA listing over HTTP against DynamoDB Local (README "Finding sessions"): with a server principal,
// `GET /serviceconfigs/{scid}/sessions` (and the template form) without xuid or keyword lists every session of the
// SCID, newest first, paged by take and continuationToken. The entry shape is agreed with the QA page: asserted whole.

let service: TestService;
let now = Date.parse('2026-06-01T12:00:00Z');
beforeAll(async () => {
  service = await startTestService({ clock: () => now });
});
afterAll(() => service.close());

const as = (xuid: string) => new CheckedSessionClient(service.baseUrl, { xuid, gamertag: `G${xuid.slice(-4)}` });
const asServer = () => new CheckedSessionClient(service.baseUrl, { server: true });
let nextXuid = 2535500000001000n;
const newXuid = () => String(nextXuid++);

/** `isoTime`'s form: seven fractional digits (spec/mpsd-family.md §1.5). */
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');

function list(query = '', path = `/serviceconfigs/${SAMPLE_SCID}/sessions`, client = asServer()) {
  return client.request('GET', path, query === '' ? {} : { query });
}

async function create(template: string, name: string, xuid = newXuid(), extra: Record<string, unknown> = {}) {
  const r = await as(xuid).put(SAMPLE_SCID, template, name, joinBody(xuid, extra));
  expect(r.status).toBe(201);
  return xuid;
}

describe('the QA listing of a SCID (GET /serviceconfigs/{scid}/sessions, server, no xuid or keyword)', () => {
  // Each test moves the clock forward, so its sessions are the newest and come first.
  beforeEach(() => {
    now += 3_600_000;
  });

  it('lists the sessions newest first, each entry with the documented fields and the agreed QA fields', async () => {
    const oldest = `oldest-${randomUUID()}`;
    await create('open', oldest);
    now += 1000;
    const started = now;
    const older = `older-${randomUUID()}`;
    const host = await create('lobby', older, newXuid(), {
      properties: { system: { keywords: ['Alpha', 'beta'], joinRestriction: 'followed' } },
    });
    now += 1000;
    const newer = `newer-${randomUUID()}`;
    await create('game', newer);
    now += 500;
    // A second member (a reservation) and a property change after creation: counts, changeNumber and lastChange move.
    const guest = newXuid();
    const reserved = await as(host).put(SAMPLE_SCID, 'lobby', older, {
      members: { reserve_0: { constants: { system: { xuid: guest } } } },
      properties: { system: { closed: true } },
    });
    expect(reserved.status).toBe(200);

    const r = await list('take=2');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.json.results).toEqual([
      {
        startTime: iso(started + 1000),
        sessionRef: { scid: SAMPLE_SCID, templateName: 'game', name: newer.toLowerCase() },
        accepted: 1,
        visibility: 'open',
        membersCount: 1,
        maxMembersCount: 8,
        closed: false,
        locked: false,
        changeNumber: 1,
        lastChange: iso(started + 1000),
      },
      {
        startTime: iso(started),
        sessionRef: { scid: SAMPLE_SCID, templateName: 'lobby', name: older.toLowerCase() },
        accepted: 1,
        visibility: 'open',
        joinRestriction: 'followed',
        keywords: ['Alpha', 'beta'],
        membersCount: 2,
        maxMembersCount: 8,
        closed: true,
        locked: false,
        changeNumber: 2,
        lastChange: iso(started + 1500),
      },
    ]);
    // A third, older session remains: the token says so, and the next page starts with it.
    expect(typeof r.json.continuationToken).toBe('string');
    const next = await list(`take=2&continuationToken=${encodeURIComponent(r.json.continuationToken)}`);
    expect(next.status).toBe(200);
    expect(next.json.results.map((e: { sessionRef: { name: string } }) => e.sessionRef.name)).toEqual([
      oldest.toLowerCase(),
    ]);
  });

  it('narrows to one template in the template form, in both spellings, and in any letter case of the name', async () => {
    const lobby = `t-${randomUUID()}`;
    await create('lobby', lobby);
    now += 1000;
    await create('game', `t-${randomUUID()}`);
    for (const path of [
      `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/lobby/sessions`,
      `/serviceconfigs/${SAMPLE_SCID}/sessionTemplates/LOBBY/sessions`,
    ]) {
      const r = await list('take=1', path);
      expect(r.status).toBe(200);
      expect(r.json.results.map((e: { sessionRef: { name: string } }) => e.sessionRef.name)).toEqual([
        lobby.toLowerCase(),
      ]);
    }
  });

  it('leaves out a session once it is gone (its last member left) and answers no token when everything fitted', async () => {
    const name = `gone-${randomUUID()}`;
    const xuid = await create('open', name);
    const template = `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/open/sessions`;
    const before = await list('', template);
    expect(before.json.results.map((e: { sessionRef: { name: string } }) => e.sessionRef.name)).toContain(
      name.toLowerCase(),
    );
    expect(before.json.continuationToken).toBeUndefined();
    expect((await as(xuid).put(SAMPLE_SCID, 'open', name, { members: { me: null } })).status).toBe(204);
    const after = await list('', template);
    expect(after.json.results.map((e: { sessionRef: { name: string } }) => e.sessionRef.name)).not.toContain(
      name.toLowerCase(),
    );
  });

  it('refuses a user without an xuid or keyword filter with 400 saying what is needed', async () => {
    const r = await list('', `/serviceconfigs/${SAMPLE_SCID}/sessions`, as(newXuid()));
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/xuid or keyword/);
  });

  it.each([
    ['take=0', /1 to 100/],
    ['take=101', /take is "101"; it is an integer from 0 to 100/],
    ['take=ten', /take is "ten"/],
    ['take=1&TAKE=2', /more than once/],
    ['continuationToken=not-a-token', /continuationToken is refused/],
    ['reservations=true', /need an xuid filter/],
    ['inactive=true', /need an xuid filter/],
    ['visibility=open', /takes only take and continuationToken, not visibility/],
    ['private=true', /not private/],
    ['version=1', /not version/],
    ['visibility=closed', /visibility is "closed"/],
    ['private=yes', /private is "yes"; it is true or false/],
  ])('refuses %s with 400 and a message naming the rule', async (query, message) => {
    const r = await list(query);
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(message);
  });

  it('refuses a token of another template or SCID listing with 400', async () => {
    await create('lobby', `tok-${randomUUID()}`);
    await create('lobby', `tok-${randomUUID()}`);
    const page = await list('take=1', `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/lobby/sessions`);
    const token = page.json.continuationToken as string;
    expect(typeof token).toBe('string');
    const r = await list(`continuationToken=${encodeURIComponent(token)}`);
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/another SCID or template/);
  });

  it.each([
    ['an unknown SCID', '/serviceconfigs/11111111-2222-3333-4444-555555555555/sessions', 404, /not configured/],
    ['an unknown template', `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/nope/sessions`, 404, /does not exist/],
    ['a SCID that is not a GUID', '/serviceconfigs/not-a-guid/sessions', 400, /not a GUID/],
  ])('answers %s (%s) with %i', async (_case, path, status, message) => {
    const r = await list('', path);
    expect(r.status).toBe(status);
    expect(r.json.message).toMatch(message);
  });

  it('answers a query by xuid or keyword with 501 until those queries are built', async () => {
    expect((await list(`xuid=${newXuid()}`)).status).toBe(501);
  });
});

describe('paging the QA listing through 1,000 sessions', () => {
  let paging: TestService;
  beforeAll(async () => {
    paging = await startTestService({ clock: () => now });
  });
  afterAll(() => paging.close());

  it('returns every session of the SCID exactly once, newest first, in pages of take', async () => {
    // One session made over HTTP is the model; 999 copies under other names and start times are written through the
    // service's store in parallel batches (1,000 HTTP PUTs are slow on a busy 2-core machine). Ten share one start
    // time, so ties across the index's shards are paged too.
    const base = Date.parse('2026-07-01T00:00:00Z');
    const xuid = newXuid();
    const model = `p-0000-${randomUUID()}`;
    now = base;
    const made = await new CheckedSessionClient(paging.baseUrl, { xuid }).put(
      SAMPLE_SCID,
      'lobby',
      model,
      joinBody(xuid),
    );
    expect(made.status).toBe(201);
    const store = new DynamoDbSessionStore(
      makeDynamoDbClient(localRuntimeConfig(paging.tableName, process.env.DYNAMODB_ENDPOINT as string)),
      paging.tableName,
    );
    const modelKey = `${SAMPLE_SCID}#lobby#${model.toLowerCase()}`;
    const record = (await store.read(modelKey)) as Extract<StoredRecord, { kind: 'session' }>;
    const expected = new Map<string, string>([[model.toLowerCase(), record.document.startTime]]);
    const templates = ['lobby', 'game', 'open'];
    const copies = Array.from({ length: 999 }, (_, i) => {
      const startTime = iso(base + 1000 * (i < 10 ? 5000 : i));
      const template = templates[i % templates.length] as string;
      const name = `p-${String(i + 1).padStart(4, '0')}-${randomUUID()}`;
      expected.set(name, startTime);
      return { key: `${SAMPLE_SCID}#${template}#${name}`, startTime };
    });
    for (let i = 0; i < copies.length; i += 50) {
      await Promise.all(
        copies.slice(i, i + 50).map(async ({ key, startTime }) => {
          const written = await store.write(
            key,
            { kind: 'session', document: { ...record.document, startTime }, recentWriteIds: [] },
            { absent: true },
          );
          expect(written.outcome).toBe('written');
        }),
      );
    }

    const seen: string[] = [];
    const starts: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const query = `take=100${token === undefined ? '' : `&continuationToken=${encodeURIComponent(token)}`}`;
      const r = await new CheckedSessionClient(paging.baseUrl, { server: true }).request(
        'GET',
        `/serviceconfigs/${SAMPLE_SCID}/sessions`,
        { query },
      );
      expect(r.status).toBe(200);
      expect(r.json.results.length).toBeLessThanOrEqual(100);
      for (const entry of r.json.results) {
        seen.push(entry.sessionRef.name);
        starts.push(entry.startTime);
      }
      token = r.json.continuationToken;
      pages += 1;
    } while (token !== undefined && pages < 20);

    expect(seen).toHaveLength(1000);
    expect(new Set(seen).size).toBe(1000);
    expect(new Set(seen)).toEqual(new Set(expected.keys()));
    // Newest first: start times never increase from one entry to the next.
    expect(starts).toEqual([...starts].sort().reverse());
    expect(pages).toBeLessThanOrEqual(11);
  });
});
