import type { TokenClaims } from '../../lambda/auth/token-claims';
import { startTestService, type TestService } from '../support/local-service';
import { expectRefusal as expectRefusalOf, storedSession } from '../support/refusal';
import { joinBody, SAMPLE_SCID, SessionClient, type SessionResponse } from '../support/session-client';

// The access rules of spec §2.14 and §2.7 through HTTP against DynamoDB Local (issue 4.2). Every refusal is checked
// to have changed nothing: the session a server reads afterwards is byte for byte the one it read before.

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.close());

const OWNER = { xuid: '1001', deviceId: 'device-owner' };
const STRANGER = { xuid: '1002', deviceId: 'device-stranger' };
const INVITEE = { xuid: '1003', deviceId: 'device-invitee' };

const as = (claims: TokenClaims) => new SessionClient(service.baseUrl, claims);
const server = () => as({ server: true });

/** The stored session as a server reads it: status, ETag and exact text. */
const snapshot = (template: string, name: string) => storedSession(server(), template, name);

/** A request that must be refused, changing nothing (test/support/refusal.ts), its message matching `message`. */
const expectRefusal = (
  template: string,
  name: string,
  send: () => Promise<SessionResponse>,
  status: number,
  message?: RegExp,
): Promise<SessionResponse> => expectRefusalOf(server(), [template, name], send, status, { message });

/** Creates a session on the permissive `open` template with the owner as its active member. */
async function createSession(name: string, extra: Record<string, unknown> = {}): Promise<SessionResponse> {
  const created = await as(OWNER).put(SAMPLE_SCID, 'open', name, joinBody(OWNER.xuid, extra));
  expect(created.status).toBe(201);
  return created;
}

const visibility = (v: string) => ({ constants: { system: { visibility: v } } });
const invite = (xuid: string) => ({ reserve_0: { constants: { system: { xuid } } } });
const join = (who: { xuid: string }) => joinBody(who.xuid);
/** How an invited user takes up a reservation: its own status only (the reservation already holds its constants). */
const accept = { members: { me: { properties: { system: { active: true } } } } };

describe('visibility', () => {
  it('private: a failed precondition does not show the session to a stranger (403, not 412 with the body)', async () => {
    const created = await createSession('private-precondition', visibility('private'));
    const preconditions: Record<string, string>[] = [{ 'if-none-match': '*' }, { 'if-match': 'not-the-etag' }];
    for (const headers of preconditions) {
      const refused = await expectRefusal(
        'open',
        'private-precondition',
        () => as(STRANGER).put(SAMPLE_SCID, 'open', 'private-precondition', {}, { headers }),
        403,
        /Private Sessions can only be read by members/,
      );
      expect(refused.text).not.toContain(OWNER.xuid);
    }
    const member = await as(OWNER).put(
      SAMPLE_SCID,
      'open',
      'private-precondition',
      {},
      { headers: { 'if-none-match': '*' } },
    );
    expect([member.status, member.headers.get('etag')]).toEqual([412, created.headers.get('etag')]);
  });

  it('private: only members and reserved users read and join; others get 403', async () => {
    await createSession('private-1', visibility('private'));
    await as(OWNER).put(SAMPLE_SCID, 'open', 'private-1', { members: invite(INVITEE.xuid) });

    await expectRefusal(
      'open',
      'private-1',
      () => as(STRANGER).get(SAMPLE_SCID, 'open', 'private-1'),
      403,
      /Private Sessions can only be read by members of the session/,
    );
    await expectRefusal(
      'open',
      'private-1',
      () => as(STRANGER).put(SAMPLE_SCID, 'open', 'private-1', join(STRANGER)),
      403,
    );

    expect((await as(INVITEE).get(SAMPLE_SCID, 'open', 'private-1')).status).toBe(200);
    const joined = await as(INVITEE).put(SAMPLE_SCID, 'open', 'private-1', accept);
    expect(joined.status).toBe(200);
    expect(joined.json.membersInfo.count).toBe(2);
  });

  it('visible: anyone reads, nobody joins or writes without a reservation', async () => {
    await createSession('visible-1', visibility('visible'));
    expect((await as(STRANGER).get(SAMPLE_SCID, 'open', 'visible-1')).status).toBe(200);
    await expectRefusal(
      'open',
      'visible-1',
      () => as(STRANGER).put(SAMPLE_SCID, 'open', 'visible-1', join(STRANGER)),
      400,
      /visible/,
    );
    await expectRefusal(
      'open',
      'visible-1',
      () => as(STRANGER).put(SAMPLE_SCID, 'open', 'visible-1', { properties: { custom: { graffiti: true } } }),
      403,
    );
  });

  it('open: anyone reads and joins, but a non-member cannot change the session without joining', async () => {
    await createSession('open-1', visibility('open'));
    await expectRefusal(
      'open',
      'open-1',
      () => as(STRANGER).put(SAMPLE_SCID, 'open', 'open-1', { properties: { custom: { graffiti: true } } }),
      403,
      /Only members/,
    );
    expect((await as(STRANGER).get(SAMPLE_SCID, 'open', 'open-1')).status).toBe(200);
    expect((await as(STRANGER).put(SAMPLE_SCID, 'open', 'open-1', join(STRANGER))).status).toBe(200);
  });
});

describe('joinRestriction and readRestriction', () => {
  const restricted = (join: string, read: string) => ({
    properties: { system: { joinRestriction: join, readRestriction: read } },
  });

  it('local: only users on the device of an active member may join', async () => {
    await createSession('local-join', restricted('local', 'none'));
    await expectRefusal(
      'open',
      'local-join',
      () => as(STRANGER).put(SAMPLE_SCID, 'open', 'local-join', join(STRANGER)),
      403,
      /joinRestriction is "local"/,
    );
    const sameDevice = as({ xuid: '1004', deviceId: OWNER.deviceId });
    expect((await sameDevice.put(SAMPLE_SCID, 'open', 'local-join', joinBody('1004'))).status).toBe(200);
  });

  it('local: only users on the device of an active member may read', async () => {
    await createSession('local-read', restricted('local', 'local'));
    await expectRefusal(
      'open',
      'local-read',
      () => as(STRANGER).get(SAMPLE_SCID, 'open', 'local-read'),
      403,
      /readRestriction is "local"/,
    );
    expect((await as({ xuid: '1005', deviceId: OWNER.deviceId }).get(SAMPLE_SCID, 'open', 'local-read')).status).toBe(
      200,
    );
  });

  it('a reservation passes the join restriction', async () => {
    await createSession('local-invite', restricted('local', 'local'));
    await as(OWNER).put(SAMPLE_SCID, 'open', 'local-invite', { members: invite(INVITEE.xuid) });
    expect((await as(INVITEE).put(SAMPLE_SCID, 'open', 'local-invite', accept)).status).toBe(200);
  });

  it('followed: admits every signed-in user (a staging service has no social graph; README)', async () => {
    await createSession('followed', restricted('followed', 'followed'));
    expect((await as(STRANGER).get(SAMPLE_SCID, 'open', 'followed')).status).toBe(200);
    expect((await as(STRANGER).put(SAMPLE_SCID, 'open', 'followed', join(STRANGER))).status).toBe(200);
  });
});

describe('closed and locked', () => {
  it('closed: nobody joins without a reservation; a reserved user still does', async () => {
    await createSession('closed-1', { properties: { system: { closed: true } } });
    await as(OWNER).put(SAMPLE_SCID, 'open', 'closed-1', { members: invite(INVITEE.xuid) });
    await expectRefusal(
      'open',
      'closed-1',
      () => as(STRANGER).put(SAMPLE_SCID, 'open', 'closed-1', join(STRANGER)),
      403,
      /closed/,
    );
    expect((await as(INVITEE).put(SAMPLE_SCID, 'open', 'closed-1', accept)).status).toBe(200);
  });

  it('locked: nobody new takes a spot', async () => {
    await createSession('locked-1', { properties: { system: { closed: true, locked: true } } });
    await expectRefusal(
      'open',
      'locked-1',
      () => as(STRANGER).put(SAMPLE_SCID, 'open', 'locked-1', join(STRANGER)),
      403,
    );
  });
});

describe('members', () => {
  it("a member cannot write another member's properties (index references need a server)", async () => {
    await createSession('members-1');
    await as(STRANGER).put(SAMPLE_SCID, 'open', 'members-1', join(STRANGER));
    await expectRefusal(
      'open',
      'members-1',
      () =>
        as(STRANGER).put(SAMPLE_SCID, 'open', 'members-1', {
          members: { '0': { properties: { custom: { hacked: true } } } },
        }),
      403,
      /can't contain existing member references unless the authentication principal includes a server/,
    );
    await expectRefusal(
      'open',
      'members-1',
      () => as(STRANGER).put(SAMPLE_SCID, 'open', 'members-1', { members: { '0': null } }),
      403,
    );
  });

  it('a server removes a member by index', async () => {
    await createSession('members-2');
    await as(STRANGER).put(SAMPLE_SCID, 'open', 'members-2', join(STRANGER));
    const removed = await server().put(SAMPLE_SCID, 'open', 'members-2', { members: { '1': null } });
    expect(removed.status).toBe(200);
    expect(Object.keys(removed.json.members)).toEqual(['0']);
  });

  it("nobody joins as someone else: an xuid in me that is not the token's is ignored, the member is the caller", async () => {
    await createSession('members-3');
    // The stranger names the owner's xuid (as MCXboxBroadcast's sub-accounts name their primary's, family spec §1.3).
    const joined = await as(STRANGER).put(SAMPLE_SCID, 'open', 'members-3', joinBody(OWNER.xuid));
    expect(joined.status).toBe(200);
    expect(joined.json.members['0'].constants.system.xuid).toBe(OWNER.xuid);
    expect(joined.json.members['1'].constants.system.xuid).toBe(STRANGER.xuid);
    // The owner's own member is untouched: its properties are still only the owner's to change.
    expect(joined.json.members['0']).toEqual((await as(OWNER).get(SAMPLE_SCID, 'open', 'members-3')).json.members['0']);
    // On a private session the stranger is still refused, whatever xuid it names.
    await createSession('members-3-private', visibility('private'));
    await expectRefusal(
      'open',
      'members-3-private',
      () => as(STRANGER).put(SAMPLE_SCID, 'open', 'members-3-private', joinBody(OWNER.xuid)),
      403,
    );
  });
});

describe('servers, constants and initiators', () => {
  it('only a server principal writes servers', async () => {
    await createSession('servers-1');
    const body = { servers: { game: { properties: { custom: { ip: '10.0.0.1' } } } } };
    await expectRefusal(
      'open',
      'servers-1',
      () => as(OWNER).put(SAMPLE_SCID, 'open', 'servers-1', body),
      403,
      /server/,
    );
    expect((await server().put(SAMPLE_SCID, 'open', 'servers-1', body)).status).toBe(200);
  });

  it('constants are set only at creation', async () => {
    await createSession('constants-1', visibility('private'));
    await expectRefusal(
      'open',
      'constants-1',
      () => as(OWNER).put(SAMPLE_SCID, 'open', 'constants-1', visibility('open')),
      409,
    );
    expect((await as(OWNER).put(SAMPLE_SCID, 'open', 'constants-1', visibility('private'))).status).toBe(200);
  });

  it("a user creates a session only with initiators that include the creator's xuid", async () => {
    const initiators = (xuids: string[]) => ({ constants: { system: { initiators: xuids } } });
    const refused = await as(OWNER).put(SAMPLE_SCID, 'open', 'initiators-1', joinBody(OWNER.xuid, initiators(['9'])));
    expect(refused.status).toBe(403);
    expect(refused.json.message).toMatch(/initiators/);
    expect((await snapshot('open', 'initiators-1')).status).toBe(204);
    const created = await as(OWNER).put(
      SAMPLE_SCID,
      'open',
      'initiators-2',
      joinBody(OWNER.xuid, initiators([OWNER.xuid])),
    );
    expect(created.status).toBe(201);
    const byServer = await server().put(SAMPLE_SCID, 'open', 'initiators-3', {
      ...initiators(['9']),
      members: invite('9'),
    });
    expect(byServer.status).toBe(201);
  });
});
