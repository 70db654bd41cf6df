import { MEMBER_REFERENCE_MESSAGE } from '../../../lambda/domain/session/members';
import { sessionKey } from '../../../lambda/domain/session-reference';
import { DynamoDbSessionStore } from '../../../lambda/store/dynamodb-session-store';
import { makeLocalAdminClient } from '../../../local/dynamodb-local';
import { startTestService, type TestService } from '../../support/local-service';
import { CheckedSessionClient } from '../../support/mpsd-response-validator';
import { joinBody, SAMPLE_SCID, type SessionResponse } from '../../support/session-client';

// MPSD session semantics over HTTP against DynamoDB Local, with the service's clock under the test's control.
// Every answer is checked against the §2.2/§9.8 client requirements by CheckedSessionClient.

const S = 1000;
let service: TestService;
let now = Math.floor(Date.now() / 1000) * 1000;
let store: DynamoDbSessionStore;
let seq = 0;

beforeAll(async () => {
  service = await startTestService({ clock: () => now });
  store = new DynamoDbSessionStore(
    // The SDK's default time-outs (not the service's 1 s ones): a slow answer on a busy machine is not a failure.
    makeLocalAdminClient(process.env.DYNAMODB_ENDPOINT as string),
    service.tableName,
  );
});
afterAll(() => service.close());

const client = (xuid: string, extra: Record<string, unknown> = {}) =>
  new CheckedSessionClient(service.baseUrl, { xuid, gamertag: `Player${xuid}`, titleId: '1739947436', ...extra });
const server = () => new CheckedSessionClient(service.baseUrl, { server: true });
const host = () => client('2533274800000001');
const guest = () => client('2533274800000002');
const name = () => `semantics-${++seq}-${now}`;
const active = (extra: Record<string, unknown> = {}) => ({
  members: { me: { properties: { system: { active: true } } } },
  ...extra,
});
/** The host, active, and a seat reserved for another user (reserve_0). */
const HOST_AND_A_RESERVATION = active({
  members: {
    me: { properties: { system: { active: true } } },
    reserve_0: { constants: { system: { xuid: '2533274800000009' } } },
  },
});

async function unchanged(template: string, session: string, before: SessionResponse): Promise<void> {
  const after = await host().get(SAMPLE_SCID, template, session);
  expect(after.json.changeNumber).toBe(before.json.changeNumber);
  expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
}

describe('templates as configuration (spec §3)', () => {
  it('answers 404 naming the unknown SCID or template, on GET and PUT', async () => {
    const scid = '11111111-2222-3333-4444-555555555555';
    const a = await host().put(scid, 'lobby', name(), active());
    expect([a.status, a.json.message]).toEqual([404, expect.stringContaining(scid)]);
    const b = await host().get(SAMPLE_SCID, 'nosuchtemplate', name());
    expect([b.status, b.json.message]).toEqual([404, expect.stringContaining('"nosuchtemplate"')]);
  });

  it('template and session names compare case-insensitively, under both path spellings (spec §1.1)', async () => {
    const n = name();
    const made = await host().put(SAMPLE_SCID, 'Lobby', `${n}-MiXeD`, active(), { spelling: 'sessionTemplates' });
    expect(made.status).toBe(201);
    const read = await guest().get(SAMPLE_SCID, 'LOBBY', `${n}-mixed`, { spelling: 'sessiontemplates' });
    expect([read.status, read.json.correlationId]).toEqual([200, made.json.correlationId]);
  });

  it('merges template constants, request constants and 107 defaults; same constants again 200, different 409', async () => {
    const n = name();
    const created = await host().put(
      SAMPLE_SCID,
      'lobby',
      n,
      active({ constants: { system: { reservedRemovalTimeout: 5000 }, custom: { mode: 'ctf' } } }),
    );
    expect(created.status).toBe(201);
    expect(created.json.constants).toEqual({
      system: {
        version: 1,
        maxMembersCount: 8,
        visibility: 'open',
        inviteProtocol: 'party',
        capabilities: { connectivity: true, connectionRequiredForActiveMembers: true, crossPlay: true },
        reservedRemovalTimeout: 5000,
        inactiveRemovalTimeout: 0,
        readyRemovalTimeout: 180000,
        sessionEmptyTimeout: 0,
      },
      custom: { mode: 'ctf' },
    });
    const same = await host().put(SAMPLE_SCID, 'lobby', n, {
      constants: { system: { maxMembersCount: 8 }, custom: { mode: 'ctf' } },
    });
    expect(same.status).toBe(200);
    expect(same.json.changeNumber).toBe(created.json.changeNumber);
    const conflict = await host().put(SAMPLE_SCID, 'lobby', n, { constants: { system: { maxMembersCount: 4 } } });
    expect(conflict.status).toBe(409);
    expect(conflict.json.message).toMatch(/maxMembersCount/);
    await unchanged('lobby', n, created);
  });
});

describe('members over HTTP (spec §2.7)', () => {
  it('keeps indices, the next chain and membersInfo exact through joins, reservations and leaves', async () => {
    const n = name();
    await host().put(SAMPLE_SCID, 'open', n, HOST_AND_A_RESERVATION);
    await guest().put(SAMPLE_SCID, 'open', n, active());
    const left = await host().put(SAMPLE_SCID, 'open', n, { members: { me: null } });
    expect(left.status).toBe(200);
    expect(Object.keys(left.json.members)).toEqual(['1', '2']);
    expect(left.json.membersInfo).toEqual({ first: 1, next: 3, count: 2, accepted: 1, active: 1 });
    expect(left.json.members['1']).toMatchObject({ next: 2, reserved: true });
    expect(left.json.members['2']).toMatchObject({
      next: 3,
      gamertag: 'Player2533274800000002',
      activeTitleId: '1739947436',
    });
  });

  it("accepts a reservation with XSAPI's join body: constants the reserver left unset are filled in, a conflicting one is 409", async () => {
    const n = name();
    const invitee = '2533274800000002';
    await host().put(SAMPLE_SCID, 'open', n, {
      members: {
        me: { properties: { system: { active: true } } },
        reserve_0: { constants: { system: { xuid: invitee }, custom: { team: 'red' } } },
      },
    });
    const accepted = await guest().put(SAMPLE_SCID, 'open', n, joinBody(invitee));
    expect(accepted.status).toBe(200);
    expect(accepted.json.members['1'].reserved).toBeUndefined();
    expect(accepted.json.members['1'].constants).toEqual({
      system: { xuid: invitee, initialize: true, index: 1 },
      custom: { team: 'red' },
    });
    const conflicting = await guest().put(SAMPLE_SCID, 'open', n, {
      members: { me: { constants: { system: { xuid: invitee, initialize: false } } } },
    });
    expect(conflicting.status).toBe(409);
    await unchanged('open', n, accepted);
  });

  it("joins the token's user whatever xuid me names, and a user deleting by index gets the documented 403", async () => {
    const n = name();
    await host().put(SAMPLE_SCID, 'open', n, joinBody('2533274800000001'));
    // The guest sends the host's xuid (as MCXboxBroadcast's sub-accounts do): it joins as itself (family spec §1.3).
    const joined = await guest().put(SAMPLE_SCID, 'open', n, joinBody('2533274800000001'));
    expect(joined.status).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: the rendered session
    expect(Object.values(joined.json.members).map((m: any) => m.constants.system.xuid)).toEqual([
      '2533274800000001',
      '2533274800000002',
    ]);
    const byIndex = await guest().put(SAMPLE_SCID, 'open', n, { members: { '0': null } });
    expect([byIndex.status, byIndex.json.message]).toEqual([403, MEMBER_REFERENCE_MESSAGE]);
    await unchanged('open', n, joined);
    expect((await server().put(SAMPLE_SCID, 'open', n, { members: { '0': null } })).status).toBe(200);
    expect((await server().put(SAMPLE_SCID, 'open', n, { members: { '1': null } })).status).toBe(204);
  });

  it.each([
    ['a full session', 'lobby', {}, 400, /full/],
    ['a closed session', 'open', { closed: true }, 403, /closed/],
    ['a locked session (newcomer)', 'open', { closed: true, locked: true }, 403, /locked/],
  ])('refuses a join into %s with a message and changes nothing', async (_n, template, system, status, message) => {
    const n = name();
    let last = await host().put(SAMPLE_SCID, template, n, active({ properties: { system } }));
    for (let i = 0; template === 'lobby' && i < 7; i += 1)
      last = await client(`25332748100000${10 + i}`).put(SAMPLE_SCID, template, n, active());
    const refused = await guest().put(SAMPLE_SCID, template, n, active());
    expect(refused.status).toBe(status);
    expect(refused.json.message).toMatch(message);
    await unchanged(template, n, last);
  });

  it('a locked session lets a member who left come back (README decision)', async () => {
    const n = name();
    await host().put(SAMPLE_SCID, 'open', n, active());
    await guest().put(SAMPLE_SCID, 'open', n, active());
    await guest().put(SAMPLE_SCID, 'open', n, { members: { me: null } });
    await host().put(SAMPLE_SCID, 'open', n, { properties: { system: { closed: true, locked: true } } });
    const back = await guest().put(SAMPLE_SCID, 'open', n, active());
    expect(back.status).toBe(200);
    expect(back.json.membersInfo.count).toBe(2);
  });
});

describe('access (spec §2.14)', () => {
  it('a private session answers a non-member GET with the documented 403', async () => {
    const n = name();
    await host().put(SAMPLE_SCID, 'open', n, active({ constants: { system: { visibility: 'private' } } }));
    const r = await guest().get(SAMPLE_SCID, 'open', n);
    expect([r.status, r.json.message]).toEqual([
      403,
      'The requested session cannot be accessed. Private Sessions can only be read by members of the session.',
    ]);
  });

  it('"local" read and join restrictions admit only users on the device of an active member', async () => {
    const n = name();
    const device = (xuid: string, deviceId: string) => client(xuid, { deviceId });
    await device('2533274800000001', 'console-a').put(
      SAMPLE_SCID,
      'open',
      n,
      active({ properties: { system: { joinRestriction: 'local', readRestriction: 'local' } } }),
    );
    const elsewhere = device('2533274800000002', 'console-b');
    expect((await elsewhere.get(SAMPLE_SCID, 'open', n)).status).toBe(403);
    expect((await elsewhere.put(SAMPLE_SCID, 'open', n, active())).status).toBe(403);
    const couch = device('2533274800000003', 'console-a');
    expect((await couch.get(SAMPLE_SCID, 'open', n)).status).toBe(200);
    expect((await couch.put(SAMPLE_SCID, 'open', n, active())).status).toBe(200);
  });
});

describe('timers with an injected clock (spec §2.4)', () => {
  it('a member who joins without active is inactive and, with the 107 default inactiveRemovalTimeout 0, removed at the next read', async () => {
    const n = name();
    const joined = await host().put(SAMPLE_SCID, 'open', n, {
      members: { me: { constants: { system: { xuid: '2533274800000001' } } } },
    });
    expect(joined.status).toBe(201);
    expect(joined.json.members['0'].properties.system).toEqual({});
    expect(joined.json.nextTimer).toBe(new Date(now).toISOString().replace('Z', '0000Z'));
    expect((await host().get(SAMPLE_SCID, 'open', n)).status).toBe(204);
  });

  it('a reservation expires at reservedRemovalTimeout: nextTimer and Expires show it, the ETag and changeNumber move', async () => {
    const n = name();
    const start = now;
    const created = await host().put(SAMPLE_SCID, 'open', n, HOST_AND_A_RESERVATION);
    expect(Date.parse(created.json.nextTimer)).toBe(start + 30 * S);
    expect(created.headers.get('expires')).toBe(new Date(start + 30 * S).toUTCString());
    now = start + 30 * S - 1;
    expect((await host().get(SAMPLE_SCID, 'open', n)).json.membersInfo.count).toBe(2);
    now = start + 30 * S;
    const etag = created.headers.get('etag') as string;
    const after = await host().get(SAMPLE_SCID, 'open', n, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.json.membersInfo).toMatchObject({ count: 1, next: 2 });
    expect(after.json.changeNumber).toBeGreaterThan(created.json.changeNumber);
    expect(after.json.nextTimer).toBeUndefined();
    expect(after.headers.get('expires')).toBeNull();
    const write = await host().put(SAMPLE_SCID, 'open', n, { properties: { custom: { a: 1 } } });
    expect(write.json.changeNumber).toBe(after.json.changeNumber + 1);
  });

  it('a ready member reverts to inactive at readyRemovalTimeout, then is removed at inactiveRemovalTimeout', async () => {
    const n = name();
    const start = now;
    await host().put(
      SAMPLE_SCID,
      'open',
      n,
      active({ constants: { system: { readyRemovalTimeout: 10 * S, inactiveRemovalTimeout: 20 * S } } }),
    );
    await guest().put(SAMPLE_SCID, 'open', n, { members: { me: { properties: { system: { ready: true } } } } });
    now = start + 10 * S;
    const reverted = await host().get(SAMPLE_SCID, 'open', n);
    expect(reverted.json.members['1'].properties.system).toEqual({ ready: false });
    expect(Date.parse(reverted.json.nextTimer)).toBe(start + 30 * S);
    now = start + 30 * S;
    expect(Object.keys((await host().get(SAMPLE_SCID, 'open', n)).json.members)).toEqual(['0']);
  });

  it('an emptied session lives for sessionEmptyTimeout, then reads as absent; re-creation keeps its correlationId', async () => {
    const n = name();
    const start = now;
    const created = await host().put(
      SAMPLE_SCID,
      'open',
      n,
      active({ constants: { system: { sessionEmptyTimeout: 60 * S } } }),
    );
    const empty = await host().put(SAMPLE_SCID, 'open', n, { members: { me: null } });
    expect(empty.status).toBe(200);
    expect(Date.parse(empty.json.nextTimer)).toBe(start + 60 * S);
    now = start + 60 * S;
    expect((await host().get(SAMPLE_SCID, 'open', n)).status).toBe(204);
    const again = await host().put(SAMPLE_SCID, 'open', n, active());
    expect(again.status).toBe(201);
    expect(again.json.correlationId).toBe(created.json.correlationId);
    expect(Date.parse(again.json.startTime)).toBe(now);
  });

  it('an explicit null timeout means never: no nextTimer, no TTL on the item', async () => {
    const n = name();
    await host().put(SAMPLE_SCID, 'forever', n, { members: { me: {} } });
    const read = await host().get(SAMPLE_SCID, 'forever', n);
    expect(read.json.nextTimer).toBeUndefined();
    const record = await store.read(sessionKey({ scid: SAMPLE_SCID, templateName: 'forever', name: n }));
    expect(record?.expiresAt).toBeUndefined();
  });

  it('sets the TTL attribute to when an untouched session would be deleted, and a read treats an expired item as absent', async () => {
    const n = name();
    const start = now;
    await host().put(SAMPLE_SCID, 'open', n, {
      members: { me: { constants: { system: { xuid: '2533274800000001' } } } },
      constants: { system: { inactiveRemovalTimeout: 100 * S, sessionEmptyTimeout: 50 * S } },
    });
    const key = sessionKey({ scid: SAMPLE_SCID, templateName: 'open', name: n });
    const record = await store.read(key);
    // Removal at +100 s, deletion 50 s later; the TTL carries 60 s of slack so DynamoDB never collects early.
    expect(record?.expiresAt).toBe(Math.ceil((start + 150 * S) / 1000) + 60);
    if (record?.kind !== 'session') throw new Error('expected a session item');
    const forever = {
      ...record.document,
      constants: {
        ...record.document.constants,
        system: { ...record.document.constants.system, inactiveRemovalTimeout: null, sessionEmptyTimeout: null },
      },
    };
    await store.write(
      key,
      { kind: 'session', document: forever, expiresAt: Math.floor(now / 1000) - 1 },
      { version: record.version },
    );
    expect((await host().get(SAMPLE_SCID, 'open', n)).status).toBe(204);
  });
});

describe('deletion (spec §2.8)', () => {
  it('the last member leaving with sessionEmptyTimeout 0 deletes the session: 204, then GET 204', async () => {
    const n = name();
    await host().put(SAMPLE_SCID, 'open', n, active());
    const left = await host().put(SAMPLE_SCID, 'open', n, { members: { me: null } });
    expect([left.status, left.text]).toEqual([204, '']);
    expect((await host().get(SAMPLE_SCID, 'open', n)).status).toBe(204);
  });

  it('a PUT that would create a session with no members creates nothing and answers 204', async () => {
    const n = name();
    expect((await host().put(SAMPLE_SCID, 'open', n, { properties: { custom: { a: 1 } } })).status).toBe(204);
    expect((await host().get(SAMPLE_SCID, 'open', n)).status).toBe(204);
  });
});

describe('?nocommit=true (spec §1.1)', () => {
  it('answers the merged result without storing it, for an update and for a creation', async () => {
    const n = name();
    const created = await host().put(SAMPLE_SCID, 'open', n, active());
    const preview = await host().put(
      SAMPLE_SCID,
      'open',
      n,
      { properties: { custom: { a: 1 } } },
      { query: 'nocommit=true' },
    );
    expect(preview.status).toBe(200);
    expect(preview.json.properties.custom).toEqual({ a: 1 });
    await unchanged('open', n, created);
    const m = name();
    expect((await host().put(SAMPLE_SCID, 'open', m, active(), { query: 'nocommit=true' })).status).toBe(201);
    expect((await host().get(SAMPLE_SCID, 'open', m)).status).toBe(204);
  });
});

describe('rendering over HTTP (spec §2.2, §1.2)', () => {
  it('changeNumber increases on every committed change and not on an identical PUT', async () => {
    const n = name();
    const a = await host().put(SAMPLE_SCID, 'open', n, active());
    const b = await host().put(SAMPLE_SCID, 'open', n, { properties: { custom: { a: 1 } } });
    const c = await host().put(SAMPLE_SCID, 'open', n, { properties: { custom: { a: 1 } } });
    expect([a.json.changeNumber, b.json.changeNumber, c.json.changeNumber]).toEqual([1, 2, 2]);
  });

  it.each(['104', '105'])(
    'a request with contract version %s gets the 104/105 shape, and may send it',
    async (version) => {
      const n = name();
      const headers = { 'x-xbl-contract-version': version };
      const created = await host().put(
        SAMPLE_SCID,
        'open',
        n,
        active({
          constants: {
            system: {
              timeouts: { ready: 60000 },
              managedInitialization: { autoEvaluate: false, membersNeededToStart: 0 },
            },
          },
        }),
        { headers },
      );
      expect(created.json.contractVersion).toBe(Number(version));
      expect(created.json.constants.system.timeouts).toEqual({
        reserved: 30000,
        inactive: 0,
        ready: 60000,
        sessionEmpty: 0,
      });
      expect(created.json.constants.system.managedInitialization).toEqual({
        membersNeededToStart: 0,
        autoEvaluate: false,
      });
      const as107 = await host().get(SAMPLE_SCID, 'open', n);
      expect(as107.json.constants.system).toMatchObject({
        readyRemovalTimeout: 60000,
        memberInitialization: { externalEvaluation: true, membersNeededToStart: 0 },
      });
    },
  );

  it('a 105 template (timeouts object) is read into 107 constants and answered in either shape', async () => {
    const n = name();
    const made = await host().put(SAMPLE_SCID, 'legacy', n, active());
    expect(made.json.constants.system).toMatchObject({
      maxMembersCount: 4,
      inactiveRemovalTimeout: 7200000,
      sessionEmptyTimeout: 0,
    });
    const as105 = await host().get(SAMPLE_SCID, 'legacy', n, { headers: { 'x-xbl-contract-version': '105' } });
    expect(as105.json.constants.system.timeouts).toEqual({
      reserved: 30000,
      inactive: 7200000,
      ready: 180000,
      sessionEmpty: 0,
    });
  });

  it('a stale If-Match is 412 with the current session and its ETag', async () => {
    const n = name();
    const a = await host().put(SAMPLE_SCID, 'open', n, active());
    await host().put(SAMPLE_SCID, 'open', n, { properties: { custom: { a: 1 } } });
    const stale = await host().put(
      SAMPLE_SCID,
      'open',
      n,
      { properties: { custom: { a: 2 } } },
      { headers: { 'if-match': a.headers.get('etag') as string } },
    );
    expect(stale.status).toBe(412);
    expect(stale.json.properties.custom).toEqual({ a: 1 });
  });
});
