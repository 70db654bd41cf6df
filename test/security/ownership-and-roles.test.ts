import type { TokenClaims } from '../../lambda/auth/token-claims';
import { startTestService, type TestService } from '../support/local-service';
import { SAMPLE_SCID, SessionClient, type SessionResponse } from '../support/session-client';

// Issue 8, items 1, 4 and 5 over HTTP against DynamoDB Local: a member cannot make itself an owner, cannot rewrite
// role limits, cannot take a role with a name outside MPSD's rule; ownership migrates when the last owner goes.
// Every refusal has the contract's status, a JSON {code, message} saying what is allowed, and changes nothing (the
// session a server reads afterwards is byte for byte the same).

let service: TestService;
let now = Date.parse('2026-03-01T00:00:00Z');
beforeAll(async () => {
  service = await startTestService({ clock: () => now });
});
afterAll(() => service.close());

const OWNER = { xuid: '3001' };
const MEMBER = { xuid: '3002' };
const LATER = { xuid: '3003' };
const SERVER = { server: true };
const as = (claims: TokenClaims) => new SessionClient(service.baseUrl, claims);
const snapshot = async (template: string, name: string) => (await as(SERVER).get(SAMPLE_SCID, template, name)).text;
const join = (roles?: Record<string, string>) => ({
  members: { me: { properties: { system: { active: true } }, ...(roles === undefined ? {} : { roles }) } },
});

/** OWNER creates (index 0, the owner on a hasOwners session), MEMBER joins (1); the snapshot a server reads. */
async function session(
  template: string,
  name: string,
  constants?: Record<string, unknown>,
  roles?: Record<string, string>,
): Promise<void> {
  const created = await as(OWNER).put(SAMPLE_SCID, template, name, {
    ...join(roles),
    ...(constants === undefined ? {} : { constants: { system: constants } }),
  });
  expect(created.status).toBe(201);
  expect((await as(MEMBER).put(SAMPLE_SCID, template, name, join(roles))).status).toBe(200);
}

function expectRefusal(response: SessionResponse, status: number, code: string, message: RegExp): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  expect(response.json).toEqual({ code, message: expect.stringMatching(message) });
}

describe('ownership (item 1, spec §2.12)', () => {
  it('the creator of a hasOwners session is its owner, rendered in properties.system.owners', async () => {
    await session('owned-roles', 'owner-rendered');
    expect(JSON.parse(await snapshot('owned-roles', 'owner-rendered')).properties.system.owners).toEqual([0]);
  });

  it.each([
    [
      'make itself an owner',
      { properties: { system: { owners: [1] } } },
      /properties\.system\.owners can be changed only by an owner/,
    ],
    [
      'add itself beside the owner',
      { properties: { system: { owners: [0, 1] } } },
      /owners can be changed only by an owner.*members \[0\]/,
    ],
    ['strip the real owners', { properties: { system: { owners: [] } } }, /owners can be changed only by an owner/],
    ['close the session', { properties: { system: { closed: true } } }, /nonOwnerModifiableSystemProperties \(none\)/],
    ['take an owner-managed role', join({ captain: 'captain' }), /owner-managed; only owners of the session/],
    [
      "raise an owner-managed role's max",
      { roleTypes: { captain: { roles: { captain: { max: 5 } } } } },
      /role settings can be changed only by an owner/,
    ],
  ])('a plain member cannot %s: 403, nothing changed', async (_case, body, message) => {
    const name = `non-owner-${_case.replace(/\W+/g, '-')}`;
    await session('owned-roles', name);
    const before = await snapshot('owned-roles', name);
    expectRefusal(await as(MEMBER).put(SAMPLE_SCID, 'owned-roles', name, body), 403, 'OwnershipRequired', message);
    expect(await snapshot('owned-roles', name)).toBe(before);
  });

  it('owners written in the very PUT that takes an owner-managed role grant nothing', async () => {
    await session('owned-roles', 'same-put');
    const before = await snapshot('owned-roles', 'same-put');
    const body = { ...join({ captain: 'captain' }), properties: { system: { owners: [1] } } };
    expect((await as(MEMBER).put(SAMPLE_SCID, 'owned-roles', 'same-put', body)).status).toBe(403);
    expect(await snapshot('owned-roles', 'same-put')).toBe(before);
  });

  it('the owner names a second owner, who then takes the owner-managed role', async () => {
    await session('owned-roles', 'second-owner');
    const named = await as(OWNER).put(SAMPLE_SCID, 'owned-roles', 'second-owner', {
      properties: { system: { owners: [0, 1] } },
    });
    expect(named.status).toBe(200);
    expect(named.json.properties.system.owners).toEqual([0, 1]);
    const took = await as(MEMBER).put(SAMPLE_SCID, 'owned-roles', 'second-owner', join({ captain: 'captain' }));
    expect(took.status).toBe(200);
    expect(took.json.members['1'].roles).toEqual({ captain: 'captain' });
  });

  it('a non-owner changes what nonOwnerModifiableSystemProperties lists, and nothing else', async () => {
    const constants = {
      capabilities: { hasOwners: true },
      ownershipPolicies: { nonOwnerModifiableSystemProperties: ['joinRestriction', 'closed'] },
    };
    await session('open', 'listed', constants);
    expect(
      (await as(MEMBER).put(SAMPLE_SCID, 'open', 'listed', { properties: { system: { closed: true } } })).status,
    ).toBe(200);
    const before = await snapshot('open', 'listed');
    const keywords = await as(MEMBER).put(SAMPLE_SCID, 'open', 'listed', {
      properties: { system: { keywords: ['x'] } },
    });
    expectRefusal(keywords, 403, 'OwnershipRequired', /non-owners may change only .*\(joinRestriction, closed\)/);
    expect(await snapshot('open', 'listed')).toBe(before);
  });

  it('ownershipPolicies listing owners as non-owner-modifiable is 400 at creation', async () => {
    const r = await as(OWNER).put(SAMPLE_SCID, 'open', 'policy-owners', {
      ...join(),
      constants: {
        system: {
          capabilities: { hasOwners: true },
          ownershipPolicies: { nonOwnerModifiableSystemProperties: ['owners'] },
        },
      },
    });
    expectRefusal(r, 400, 'InvalidValue', /\("owners"\) is not a session system property a non-owner may be allowed/);
    expect((await as(SERVER).get(SAMPLE_SCID, 'open', 'policy-owners')).status).toBe(204);
  });
});

describe('when the last owner goes (item 1, spec §2.8)', () => {
  const oldest = { capabilities: { hasOwners: true }, ownershipPolicies: { migration: 'oldest' } };

  it('endsession (the default): the owner leaving ends the session (204, GET 204)', async () => {
    await session('owned-roles', 'end-on-leave');
    expect((await as(OWNER).put(SAMPLE_SCID, 'owned-roles', 'end-on-leave', { members: { me: null } })).status).toBe(
      204,
    );
    expect((await as(MEMBER).get(SAMPLE_SCID, 'owned-roles', 'end-on-leave')).status).toBe(204);
  });

  it('endsession: a server removing the owner by index ends the session', async () => {
    await session('owned-roles', 'end-on-removal');
    expect(
      (await as(SERVER).put(SAMPLE_SCID, 'owned-roles', 'end-on-removal', { members: { '0': null } })).status,
    ).toBe(204);
    expect((await as(MEMBER).get(SAMPLE_SCID, 'owned-roles', 'end-on-removal')).status).toBe(204);
  });

  it('oldest: the owner leaving makes the longest-present member the owner', async () => {
    await session('open', 'oldest-leave', oldest);
    expect((await as(LATER).put(SAMPLE_SCID, 'open', 'oldest-leave', join())).status).toBe(200);
    const left = await as(OWNER).put(SAMPLE_SCID, 'open', 'oldest-leave', { members: { me: null } });
    expect(left.status).toBe(200);
    expect(left.json.properties.system.owners).toEqual([1]);
    const closed = await as(MEMBER).put(SAMPLE_SCID, 'open', 'oldest-leave', {
      properties: { system: { closed: true } },
    });
    expect(closed.status).toBe(200);
  });

  it('oldest: the owner removed by its inactive timer hands ownership on, seen by a GET and kept by the next write', async () => {
    await session('open', 'oldest-timer', { ...oldest, inactiveRemovalTimeout: 60000 });
    const inactive = await as(OWNER).put(SAMPLE_SCID, 'open', 'oldest-timer', {
      members: { me: { properties: { system: { active: false } } } },
    });
    expect(inactive.status).toBe(200);
    now += 61000;
    const read = await as(MEMBER).get(SAMPLE_SCID, 'open', 'oldest-timer');
    expect(Object.keys(read.json.members)).toEqual(['1']);
    expect(read.json.properties.system.owners).toEqual([1]);
    const write = await as(MEMBER).put(SAMPLE_SCID, 'open', 'oldest-timer', {
      properties: { system: { closed: true } },
    });
    expect(write.status).toBe(200);
    expect(write.json.properties.system.owners).toEqual([1]);
  });
});

describe('role settings (item 4, spec §2.11)', () => {
  it('a stranger who just joined an open session cannot change max or target: 403, nothing changed', async () => {
    await session('roles', 'stranger-max');
    expect((await as(LATER).put(SAMPLE_SCID, 'roles', 'stranger-max', join())).status).toBe(200);
    const before = await snapshot('roles', 'stranger-max');
    const r = await as(LATER).put(SAMPLE_SCID, 'roles', 'stranger-max', {
      roleTypes: { lfg: { roles: { friend: { max: 9, target: 9 } } } },
    });
    expectRefusal(r, 403, 'OwnershipRequired', /this session has no owners.*hasOwners/);
    expect(await snapshot('roles', 'stranger-max')).toBe(before);
  });

  it('max below the members holding the role is 409, even from the owner; nothing changed', async () => {
    await session('owned-lfg', 'max-below', undefined, { lfg: 'friend' });
    const before = await snapshot('owned-lfg', 'max-below');
    expect(JSON.parse(before).roleTypes.lfg.roles.friend).toMatchObject({ count: 2, max: 2 });
    const r = await as(OWNER).put(SAMPLE_SCID, 'owned-lfg', 'max-below', {
      roleTypes: { lfg: { roles: { friend: { max: 1, target: 1 } } } },
    });
    expectRefusal(r, 409, 'RoleLimitConflict', /max \(1\) is below the 2 members who hold the role/);
    expect(await snapshot('owned-lfg', 'max-below')).toBe(before);
    const raised = await as(OWNER).put(SAMPLE_SCID, 'owned-lfg', 'max-below', {
      roleTypes: { lfg: { roles: { friend: { max: 3 } } } },
    });
    expect(raised.status).toBe(200);
    expect(raised.json.roleTypes.lfg.roles.friend).toMatchObject({ count: 2, max: 3 });
  });
});

describe('role names (item 5, spec §2.11)', () => {
  it.each([
    ['__proto__', '__proto__'],
    ['Friend (upper case)', 'Friend'],
    ['of 101 letters', 'a'.repeat(101)],
  ])('taking a role named %s is 400, nothing changed', async (_label, role) => {
    const name = `role-name-${role.length}`;
    await session('roles', name);
    const before = await snapshot('roles', name);
    const r = await as(MEMBER).put(SAMPLE_SCID, 'roles', name, join({ lfg: role }));
    expectRefusal(
      r,
      400,
      'InvalidValue',
      /role names are lower-case letters and digits \(a-z, 0-9\), 1 to 100 characters/,
    );
    expect(await snapshot('roles', name)).toBe(before);
  });
});
