import type { TokenClaims } from '../../lambda/auth/token-claims';
import { startTestService, type TestService } from '../support/local-service';
import { joinBody, SAMPLE_SCID, SessionClient } from '../support/session-client';

// Ways a stranger could get into, or learn about, a session it may not read or join, each closed and shown to
// change nothing (the session a server reads afterwards is byte for byte the same).

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.close());

const OWNER = { xuid: '2001' };
const STRANGER = { xuid: '2002' };
const as = (claims: TokenClaims) => new SessionClient(service.baseUrl, claims);
const snapshot = async (name: string) => (await as({ server: true }).get(SAMPLE_SCID, 'open', name)).text;

async function create(name: string, system: Record<string, unknown>, properties: Record<string, unknown> = {}) {
  const created = await as(OWNER).put(SAMPLE_SCID, 'open', name, {
    ...joinBody(OWNER.xuid),
    constants: { system, custom: { pin: '4711' } },
    properties,
  });
  expect(created.status).toBe(201);
}

describe('reservations', () => {
  it.each([
    ['private', { visibility: 'private' }, {}],
    ['closed', { visibility: 'open' }, { system: { closed: true } }],
    ['visible', { visibility: 'visible' }, {}],
  ])(
    'a stranger cannot reserve itself into a %s session, nor join with me afterwards',
    async (kind, system, properties) => {
      const name = `self-reserve-${kind}`;
      await create(name, system, properties);
      const before = await snapshot(name);
      const reserve = await as(STRANGER).put(SAMPLE_SCID, 'open', name, {
        members: { reserve_0: { constants: { system: { xuid: STRANGER.xuid } } } },
      });
      expect(reserve.status).toBe(403);
      expect(reserve.json.message).toMatch(/reservations are for other users/);
      const join = await as(STRANGER).put(SAMPLE_SCID, 'open', name, {
        members: {
          reserve_0: { constants: { system: { xuid: STRANGER.xuid } } },
          me: { properties: { system: { active: true }, custom: { owned: true } } },
        },
      });
      expect(join.status).toBe(403);
      expect(await snapshot(name)).toBe(before);
    },
  );

  it('a stranger cannot reserve places for others in a session it cannot join', async () => {
    await create('reserve-others', { visibility: 'private' });
    const before = await snapshot('reserve-others');
    const reserve = await as(STRANGER).put(SAMPLE_SCID, 'open', 'reserve-others', {
      members: { reserve_0: { constants: { system: { xuid: '2003' } } } },
    });
    expect(reserve.status).toBe(403);
    expect(await snapshot('reserve-others')).toBe(before);
  });
});

describe('enum case', () => {
  it('a session created with visibility "Private" is as private as "private"', async () => {
    await create('capital-private', { visibility: 'Private' });
    expect((await as(STRANGER).get(SAMPLE_SCID, 'open', 'capital-private')).status).toBe(403);
    const before = await snapshot('capital-private');
    expect((await as(STRANGER).put(SAMPLE_SCID, 'open', 'capital-private', joinBody(STRANGER.xuid))).status).toBe(403);
    expect(await snapshot('capital-private')).toBe(before);
    expect(JSON.parse(before).constants.system.visibility).toBe('private');
  });
});

describe('constants of a private session', () => {
  it('cannot be probed by a stranger: right and wrong guesses both get the private-session 403', async () => {
    await create('probe', { visibility: 'private' });
    const before = await snapshot('probe');
    for (const guess of ['1234', '4711']) {
      const answer = await as(STRANGER).put(SAMPLE_SCID, 'open', 'probe', { constants: { custom: { pin: guess } } });
      expect([answer.status, answer.json.code]).toEqual([403, 'SessionAccessDenied']);
    }
    expect(await snapshot('probe')).toBe(before);
  });
});
