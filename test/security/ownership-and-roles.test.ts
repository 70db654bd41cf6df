import type { TokenClaims } from '../../lambda/auth/token-claims';
import { startTestService, type TestService } from '../support/local-service';
import { SAMPLE_SCID, SessionClient, type SessionResponse } from '../support/session-client';

// Issue 8 over HTTP against DynamoDB Local: a member cannot take a role with a name outside MPSD's rule.
// Every refusal has the contract's status, a JSON {code, message} saying what is allowed, and changes nothing (the
// session a server reads afterwards is byte for byte the same).

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.close());

const OWNER = { xuid: '3001' };
const MEMBER = { xuid: '3002' };
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
