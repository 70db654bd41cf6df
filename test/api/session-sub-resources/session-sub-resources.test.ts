import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TokenClaims } from '../../../lambda/auth/token-claims';
import { MEMBER_REFERENCE_MESSAGE } from '../../../lambda/domain/session/members';
import { startTestService, type TestService } from '../../support/local-service';
import { CheckedSessionClient } from '../../support/mpsd-response-validator';
import { expectRefusal as expectRefusalOf, storedSession } from '../../support/refusal';
import { joinBody, SAMPLE_SCID, type SessionResponse } from '../../support/session-client';

// The session sub-resources (family spec §2) end to end: HTTP through the local server, the handlers as Lambda runs
// them, DynamoDB Local underneath. Every answer is checked by the response validator (CheckedSessionClient), and
// every refusal is proven to change nothing: the session a server reads afterwards is byte for byte the one before.

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.close());

const OWNER = { xuid: '2533274800000101' };
const GUEST = { xuid: '2533274800000102' };
const STRANGER = { xuid: '2533274800000103' };
const SPELLINGS = ['sessiontemplates', 'sessionTemplates'] as const;

const as = (claims: TokenClaims) => new CheckedSessionClient(service.baseUrl, claims);
const server = () => as({ server: true });
let seq = 0;
const name = () => `sub-${++seq}-${Date.now()}`;
const pathOf = (template: string, n: string) =>
  `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/${template}/sessions/${n}`;

/** The stored session as a server reads it: status, ETag and exact text. */
const snapshot = (template: string, n: string) => storedSession(server(), template, n);

/** A request that must be refused, changing nothing (test/support/refusal.ts), with the code it must carry. */
const expectRefusal = (
  template: string,
  n: string,
  send: () => Promise<SessionResponse>,
  status: number,
  code?: string,
): Promise<SessionResponse> => expectRefusalOf(server(), [template, n], send, status, { code });

/** Owner (index 0) and guest (index 1) on a session of `template`; the guest joins on a reservation. */
async function twoMembers(template = 'open', extra: Record<string, unknown> = {}, reserve = true): Promise<string> {
  const n = name();
  const create = joinBody(OWNER.xuid, extra) as { members: Record<string, unknown> };
  // A reservation lets the guest into a private session too (large sessions have none).
  if (reserve) create.members.reserve_0 = { constants: { system: { xuid: GUEST.xuid } } };
  expect((await as(OWNER).put(SAMPLE_SCID, template, n, create)).status).toBe(201);
  expect((await as(GUEST).put(SAMPLE_SCID, template, n, joinBody(GUEST.xuid))).status).toBe(200);
  return n;
}

/** The headers every answer with a session carries (family spec §2: as a session PUT). */
function expectSessionHeaders(response: SessionResponse, template: string, n: string): void {
  expect(response.headers.get('etag')).toMatch(/^[0-9A-F-]{36}$/);
  expect(response.headers.get('content-location')).toBe(pathOf(template, n));
  expect(response.headers.get('content-type')).toBe('application/json');
}

const xuidsOf = (session: { members: Record<string, { constants: { system: { xuid: string } } }> }) =>
  Object.values(session.members).map((m) => m.constants.system.xuid);

describe('PUT …/properties (family spec §2.1)', () => {
  it.each(SPELLINGS)(
    'merges the body as the session properties and answers 200 with the session (%s)',
    async (spelling) => {
      const n = await twoMembers();
      const answer = await as(GUEST).putProperties(
        SAMPLE_SCID,
        'open',
        n,
        { custom: { map: 'harbour' } },
        { spelling },
      );
      expect(answer.status).toBe(200);
      expectSessionHeaders(answer, 'open', n);
      expect(answer.json.properties.custom).toEqual({ map: 'harbour' });
      const read = await as(OWNER).get(SAMPLE_SCID, 'open', n);
      expect([read.json.properties.custom, read.headers.get('etag')]).toEqual([
        { map: 'harbour' },
        answer.headers.get('etag'),
      ]);
    },
  );

  it("answers the docs' example body (a no-op) with 200 and the same ETag, writing nothing", async () => {
    const n = await twoMembers();
    const example = JSON.parse(
      readFileSync(
        path.resolve(__dirname, '../../../../shared/spec/examples/docs-put-properties-subresource-request.json'),
        'utf8',
      ),
    );
    const before = await snapshot('open', n);
    const answer = await as(OWNER).putProperties(SAMPLE_SCID, 'open', n, example);
    expect([answer.status, answer.headers.get('etag')]).toEqual([200, before.etag]);
    expect(await snapshot('open', n)).toEqual(before);
  });

  it('honours If-Match: 200 at the current ETag, 412 with the session and its ETag at a stale one', async () => {
    const n = await twoMembers();
    const before = await snapshot('open', n);
    const stale = before.etag as string;
    const ok = await as(OWNER).putProperties(
      SAMPLE_SCID,
      'open',
      n,
      { custom: { a: 1 } },
      { headers: { 'if-match': stale } },
    );
    expect(ok.status).toBe(200);
    const refused = await expectRefusal(
      'open',
      n,
      () => as(OWNER).putProperties(SAMPLE_SCID, 'open', n, { custom: { a: 2 } }, { headers: { 'if-match': stale } }),
      412,
    );
    expect(refused.headers.get('etag')).toBe(ok.headers.get('etag'));
    expect(refused.json.properties.custom).toEqual({ a: 1 });
    expectSessionHeaders(refused, 'open', n);
    await expectRefusal(
      'open',
      n,
      () => as(OWNER).putProperties(SAMPLE_SCID, 'open', n, {}, { headers: { 'if-none-match': '*' } }),
      412,
    );
  });

  it.each([[{}], [{ 'if-match': '*' }]])(
    'is 404 for a session that does not exist, and creates none (%j)',
    async (headers) => {
      const n = name();
      const answer = await as(OWNER).putProperties(SAMPLE_SCID, 'open', n, { custom: { a: 1 } }, { headers });
      expect([answer.status, answer.json.code]).toEqual([404, 'SessionNotFound']);
      expect((await server().get(SAMPLE_SCID, 'open', n)).status).toBe(204);
    },
  );

  it('is 404 for an unknown template and 400 for a bad session name, as the session PUT', async () => {
    expect((await as(OWNER).putProperties(SAMPLE_SCID, 'nope', name(), {})).json.code).toBe('SessionTemplateNotFound');
    expect((await as(OWNER).putProperties(SAMPLE_SCID, 'open', 'bad#name', {})).status).toBe(400);
  });

  it.each([
    ['a top-level key other than system and custom', { color: 'red' }, 400, 'InvalidValue'],
    ['malformed JSON', '{"custom":', 400, 'MalformedJson'],
    ['a body that is not an object', '[1]', 400, undefined],
    ['a system field of the wrong type', { system: { closed: 'yes' } }, 400, 'InvalidValue'],
  ])('refuses %s and changes nothing', async (_case, body, status, code) => {
    const n = await twoMembers();
    await expectRefusal('open', n, () => as(OWNER).putProperties(SAMPLE_SCID, 'open', n, body), status, code);
  });

  it('refuses a Content-Type that is not JSON with 415 and changes nothing', async () => {
    const n = await twoMembers();
    await expectRefusal(
      'open',
      n,
      () =>
        as(OWNER).putProperties(SAMPLE_SCID, 'open', n, '{"custom":{"a":1}}', {
          headers: { 'content-type': 'text/plain' },
        }),
      415,
    );
  });

  it('is 403 for a non-member of an open session and for a stranger to a private one, changing nothing', async () => {
    const open = await twoMembers();
    await expectRefusal(
      'open',
      open,
      () => as(STRANGER).putProperties(SAMPLE_SCID, 'open', open, { custom: { a: 1 } }),
      403,
      'SessionAccessDenied',
    );
    const secret = await twoMembers('open', { constants: { system: { visibility: 'private' } } });
    await expectRefusal(
      'open',
      secret,
      () => as(STRANGER).putProperties(SAMPLE_SCID, 'open', secret, { custom: { a: 1 } }),
      403,
      'SessionAccessDenied',
    );
  });

  it('follows the owners rule of a hasOwners session: a non-owner may not change an unlisted system property', async () => {
    const n = await twoMembers('owned-roles');
    await expectRefusal(
      'owned-roles',
      n,
      () => as(GUEST).putProperties(SAMPLE_SCID, 'owned-roles', n, { system: { closed: true } }),
      403,
    );
    expect((await as(OWNER).putProperties(SAMPLE_SCID, 'owned-roles', n, { system: { closed: true } })).status).toBe(
      200,
    );
  });
});

describe('DELETE …/members/me (family spec §2.2)', () => {
  it.each(SPELLINGS)('removes the caller and answers 200 with the session (%s)', async (spelling) => {
    const n = await twoMembers();
    const answer = await as(GUEST).deleteMember(SAMPLE_SCID, 'open', n, 'me', { spelling });
    expect(answer.status).toBe(200);
    expectSessionHeaders(answer, 'open', n);
    expect(xuidsOf(answer.json)).toEqual([OWNER.xuid]);
    expect(xuidsOf((await server().get(SAMPLE_SCID, 'open', n)).json)).toEqual([OWNER.xuid]);
  });

  it('answers 204 when the last member leaves, and the session is gone', async () => {
    const n = name();
    await as(OWNER).put(SAMPLE_SCID, 'open', n, joinBody(OWNER.xuid));
    const answer = await as(OWNER).deleteMember(SAMPLE_SCID, 'open', n, 'me');
    expect([answer.status, answer.text]).toEqual([204, '']);
    expect((await server().get(SAMPLE_SCID, 'open', n)).status).toBe(204);
  });

  it('answers 204 to a caller who is not a member, and changes nothing', async () => {
    const n = await twoMembers();
    const answer = await expectRefusal('open', n, () => as(STRANGER).deleteMember(SAMPLE_SCID, 'open', n, 'me'), 204);
    expect(answer.text).toBe('');
  });

  it('is 404 for a session that does not exist, and creates none', async () => {
    const n = name();
    const answer = await as(OWNER).deleteMember(SAMPLE_SCID, 'open', n, 'me');
    expect([answer.status, answer.json.code]).toEqual([404, 'SessionNotFound']);
    expect((await server().get(SAMPLE_SCID, 'open', n)).status).toBe(204);
  });

  it('is 403 for a stranger to a private session (not 204), 412 on a stale If-Match and 401 without an xuid', async () => {
    const n = await twoMembers('open', { constants: { system: { visibility: 'private' } } });
    await expectRefusal(
      'open',
      n,
      () => as(STRANGER).deleteMember(SAMPLE_SCID, 'open', n, 'me'),
      403,
      'SessionAccessDenied',
    );
    const stale = await expectRefusal(
      'open',
      n,
      () => as(GUEST).deleteMember(SAMPLE_SCID, 'open', n, 'me', { headers: { 'if-match': 'not-the-etag' } }),
      412,
    );
    expect(xuidsOf(stale.json)).toEqual([OWNER.xuid, GUEST.xuid]);
    const noXuid = await expectRefusal(
      'open',
      n,
      () => server().deleteMember(SAMPLE_SCID, 'open', n, 'me'),
      401,
      'InvalidToken',
    );
    expect(noXuid.headers.get('www-authenticate')).toMatch(/^XBL3\.0/);
  });
});

describe('DELETE …/members/{index} (family spec §2.3)', () => {
  it.each(SPELLINGS)('lets a server remove a member: 200 with the session (%s)', async (spelling) => {
    const n = await twoMembers();
    const answer = await server().deleteMember(SAMPLE_SCID, 'open', n, '1', { spelling });
    expect(answer.status).toBe(200);
    expectSessionHeaders(answer, 'open', n);
    expect(Object.keys(answer.json.members)).toEqual(['0']);
  });

  it('answers 204 when no member has that index, changing nothing, and 204 when removing it ended the session', async () => {
    const n = await twoMembers();
    await expectRefusal('open', n, () => server().deleteMember(SAMPLE_SCID, 'open', n, '7'), 204);
    expect((await server().deleteMember(SAMPLE_SCID, 'open', n, '1')).status).toBe(200);
    expect((await server().deleteMember(SAMPLE_SCID, 'open', n, '0')).status).toBe(204);
    expect((await server().get(SAMPLE_SCID, 'open', n)).status).toBe(204);
  });

  it.each(['first', '01', '-1', '1.0'])(
    'is 404 for the index "%s" (not a decimal integer), changing nothing',
    async (index) => {
      const n = await twoMembers();
      await expectRefusal(
        'open',
        n,
        () => server().deleteMember(SAMPLE_SCID, 'open', n, index),
        404,
        'ElementNotFound',
      );
    },
  );

  it('is 404 for a session that does not exist', async () => {
    expect((await server().deleteMember(SAMPLE_SCID, 'open', name(), '0')).json.code).toBe('SessionNotFound');
  });

  it("is 403 with the documented message for a user removing someone else, as friend-connect's removeMember sends it", async () => {
    const n = await twoMembers();
    // friend-connect: the host's user token, `sessionTemplates`, Content-Type application/json on the DELETE.
    const refused = await expectRefusal(
      'open',
      n,
      () =>
        as(OWNER).deleteMember(SAMPLE_SCID, 'open', n, '1', {
          spelling: 'sessionTemplates',
          headers: { 'content-type': 'application/json' },
        }),
      403,
      'MemberReferenceRequiresServer',
    );
    expect(refused.json.message).toBe(MEMBER_REFERENCE_MESSAGE);
  });

  it('treats a user deleting its own index as members/me', async () => {
    const n = await twoMembers();
    const answer = await as(GUEST).deleteMember(SAMPLE_SCID, 'open', n, '1');
    expect([answer.status, Object.keys(answer.json.members)]).toEqual([200, ['0']]);
  });

  it('lets an owner of a hasOwners session remove another member; a non-owner is 403', async () => {
    const n = await twoMembers('owned-roles');
    await expectRefusal('owned-roles', n, () => as(GUEST).deleteMember(SAMPLE_SCID, 'owned-roles', n, '0'), 403);
    const answer = await as(OWNER).deleteMember(SAMPLE_SCID, 'owned-roles', n, '1');
    expect([answer.status, Object.keys(answer.json.members)]).toEqual([200, ['0']]);
  });

  it('is 409 on a large session (members other than the caller cannot be removed), changing nothing', async () => {
    const large = { constants: { system: { maxMembersCount: 200, capabilities: { large: true } } } };
    const n = await twoMembers('open', large, false);
    await expectRefusal('open', n, () => server().deleteMember(SAMPLE_SCID, 'open', n, '1'), 409);
  });

  it('honours If-Match: a stale ETag is 412 with the session, changing nothing', async () => {
    const n = await twoMembers();
    await expectRefusal(
      'open',
      n,
      () => server().deleteMember(SAMPLE_SCID, 'open', n, '1', { headers: { 'if-match': 'not-the-etag' } }),
      412,
    );
  });
});

describe('DELETE …/servers/{serverName} (family spec §2.4)', () => {
  async function withServer(): Promise<string> {
    const n = await twoMembers();
    const body = { servers: { game: { properties: { custom: { ip: '10.0.0.1' } } }, spare: {} } };
    expect((await server().put(SAMPLE_SCID, 'open', n, body)).status).toBe(200);
    return n;
  }

  it.each(SPELLINGS)('lets a server remove the entry: 200 with the session (%s)', async (spelling) => {
    const n = await withServer();
    const answer = await server().deleteServer(SAMPLE_SCID, 'open', n, 'game', { spelling });
    expect(answer.status).toBe(200);
    expectSessionHeaders(answer, 'open', n);
    expect(Object.keys(answer.json.servers)).toEqual(['spare']);
  });

  it.each(['other', 'constructor', '__proto__'])(
    'answers 204 when no entry is named "%s", changing nothing',
    async (serverName) => {
      const n = await withServer();
      await expectRefusal('open', n, () => server().deleteServer(SAMPLE_SCID, 'open', n, serverName), 204);
    },
  );

  it('is 403 for a user principal (a member included), changing nothing', async () => {
    const n = await withServer();
    await expectRefusal(
      'open',
      n,
      () => as(OWNER).deleteServer(SAMPLE_SCID, 'open', n, 'game'),
      403,
      'ServersRequireServer',
    );
  });

  it('is 404 for a session that does not exist, and 412 on a stale If-Match', async () => {
    expect((await server().deleteServer(SAMPLE_SCID, 'open', name(), 'game')).json.code).toBe('SessionNotFound');
    const n = await withServer();
    await expectRefusal(
      'open',
      n,
      () => server().deleteServer(SAMPLE_SCID, 'open', n, 'game', { headers: { 'if-match': 'not-the-etag' } }),
      412,
    );
  });
});
