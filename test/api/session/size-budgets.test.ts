import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestService, type TestService } from '../../support/local-service';
import { CheckedSessionClient } from '../../support/mpsd-response-validator';
import { SAMPLE_SCID, type SessionResponse } from '../../support/session-client';

// Issue 8 item 2: size budgets. Every member's entry and the session's own data have a budget, and maxMembersCount
// members at their budget plus the session at its budget fit one session, so no member (nor any group of members)
// can make a free seat unjoinable or another member's ordinary writes fail. README "Size budgets".

let service: TestService;
let seq = 0;

beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.close());

const xuidOf = (n: number) => String(2533274800100000 + n);
const player = (n: number) =>
  new CheckedSessionClient(service.baseUrl, {
    xuid: xuidOf(n),
    gamertag: `Player${n}`,
    titleId: '1739947436',
    deviceId: `device-${n}`,
  });
const name = () => `budgets-${++seq}-${Date.now()}`;
/** Random hex: it does not compress, so the budgets must hold for the raw size. */
const noise = (chars: number) =>
  randomBytes(Math.ceil(chars / 2))
    .toString('hex')
    .slice(0, chars);

/** XSAPI's join: initialize, active with a connection id, a secure device address and a subscription. */
function xsapiJoin(n: number) {
  return {
    members: {
      me: {
        constants: { system: { xuid: xuidOf(n), initialize: true } },
        properties: {
          system: {
            active: true,
            connection: '5a2e5e3e-0000-4000-8000-123456789abc',
            subscription: {
              id: '6b3f6f4f-0000-4000-8000-123456789abc',
              changeTypes: ['everything', 'host', 'initialization', 'membersList', 'membersStatus', 'customProperty'],
            },
          },
        },
      },
    },
  };
}

const sdaBody = (n: number) => ({
  members: { me: { properties: { system: { secureDeviceAddress: `AAAAAAAA${String(n).padStart(32, '0')}` } } } },
});

/** The budget and the size a SizeBudgetExceeded refusal names. */
function refusal(answer: SessionResponse): { size: number; budget: number } {
  expect([answer.status, answer.json.code]).toEqual([400, 'SizeBudgetExceeded']);
  const size = /would be (\d+) bytes/.exec(answer.json.message)?.[1];
  const budget = /its budget \((?:memberBytes|sessionBytes|reservationBytes)[^)]*\) is (\d+) bytes/.exec(
    answer.json.message,
  )?.[1];
  expect([size, budget]).not.toContain(undefined);
  return { size: Number(size), budget: Number(budget) };
}

/**
 * Fills one custom property to exactly the budget: a first write `tooLong` characters long is refused and names the
 * size it would have had, the second is shorter by what it was over.
 */
async function fillToBudget(write: (fill: string) => Promise<SessionResponse>, tooLong = 60_000): Promise<number> {
  const { size, budget } = refusal(await write(noise(tooLong)));
  const exact = await write(noise(tooLong - (size - budget)));
  expect(exact.status).toBe(200);
  return budget;
}

describe('size budgets (issue 8 item 2)', () => {
  it('one member filling its custom properties (64 KB writes, then ever smaller ones) stops at its own budget; newcomers still join and members still set a secureDeviceAddress', async () => {
    const n = name();
    const created = await player(0).put(SAMPLE_SCID, 'open', n, {
      constants: { system: { maxMembersCount: 100, capabilities: { connectivity: true } } },
      ...xsapiJoin(0),
    });
    expect(created.status).toBe(201);
    expect((await player(1).put(SAMPLE_SCID, 'open', n, xsapiJoin(1))).status).toBe(200);

    // The blocker stores all it can: each chunk size until it is refused, then half of it, down to 64 bytes.
    const refusals: SessionResponse[] = [];
    let accepted = 0;
    for (let chunk = 60_000; chunk >= 64; ) {
      const answer = await player(0).put(SAMPLE_SCID, 'open', n, {
        members: { me: { properties: { custom: { [`k${accepted}`]: noise(chunk) } } } },
      });
      if (answer.status === 200) {
        accepted += 1;
      } else {
        refusals.push(answer);
        chunk = Math.floor(chunk / 2);
      }
    }
    // The free seats stay joinable and the other members stay writable.
    const newcomer = await player(2).put(SAMPLE_SCID, 'open', n, xsapiJoin(2));
    expect([newcomer.status, newcomer.json.code]).toEqual([200, undefined]);
    const sda = await player(1).put(SAMPLE_SCID, 'open', n, sdaBody(1));
    expect([sda.status, sda.json.code]).toEqual([200, undefined]);
    expect(sda.json.members['1'].deviceToken).toMatch(/^[0-9a-f]{16}$/);

    // Each refusal was a 400 naming the member's budget and the size the write would have made, and stored nothing.
    expect(refusals.length).toBeGreaterThan(0);
    for (const answer of refusals) {
      const { size, budget } = refusal(answer);
      expect(budget).toBe(2682);
      expect(size).toBeGreaterThan(budget);
      expect(answer.json.message).toContain('members.me (member 0)');
    }
  });

  it('with every other member and the session itself at their budgets, the last free seat joins with an ordinary body and an ordinary member still writes', async () => {
    const n = name();
    const created = await player(0).put(SAMPLE_SCID, 'open', n, {
      constants: { system: { maxMembersCount: 10, capabilities: { connectivity: true } } },
      ...xsapiJoin(0),
    });
    expect(created.status).toBe(201);
    for (let i = 1; i <= 8; i += 1) {
      expect((await player(i).put(SAMPLE_SCID, 'open', n, xsapiJoin(i))).status).toBe(200);
    }
    // Members 0..7 fill their own custom properties to their budget; member 0 also fills the session's.
    for (let i = 0; i <= 7; i += 1) {
      const budget = await fillToBudget((fill) =>
        player(i).put(SAMPLE_SCID, 'open', n, { members: { me: { properties: { custom: { fill } } } } }),
      );
      expect(budget).toBe(26828);
    }
    // One body (64 KiB at most) cannot pass the session's budget: two properties do.
    expect((await player(0).put(SAMPLE_SCID, 'open', n, { properties: { custom: { a: noise(40_000) } } })).status).toBe(
      200,
    );
    const sessionBudget = await fillToBudget(
      (fill) => player(0).put(SAMPLE_SCID, 'open', n, { properties: { custom: { fill } } }),
      40_000,
    );
    expect(sessionBudget).toBe(65536);
    // At its budget, a member can grow no further; that changes nothing for anyone else.
    const more = await player(3).put(SAMPLE_SCID, 'open', n, { members: { me: { properties: { custom: { x: 1 } } } } });
    expect(refusal(more).budget).toBe(26828);

    const last = await player(9).put(SAMPLE_SCID, 'open', n, xsapiJoin(9));
    expect(last.status).toBe(200);
    expect(last.json.membersInfo.count).toBe(10);
    expect((await player(8).put(SAMPLE_SCID, 'open', n, sdaBody(8))).status).toBe(200);
    expect((await player(9).put(SAMPLE_SCID, 'open', n, sdaBody(9))).status).toBe(200);
    // A member at its budget may still shrink, and the session's data may be replaced by anyone who may write it.
    expect(
      (await player(3).put(SAMPLE_SCID, 'open', n, { members: { me: { properties: { custom: { fill: null } } } } }))
        .status,
    ).toBe(200);
    expect(
      (await player(9).put(SAMPLE_SCID, 'open', n, { properties: { custom: { fill: null, a: null } } })).status,
    ).toBe(200);
  });

  it('a reservation may use half a member budget, so the reserved user joins with an ordinary body', async () => {
    const n = name();
    expect((await player(0).put(SAMPLE_SCID, 'lobby', n, xsapiJoin(0))).status).toBe(201);
    const big = await player(0).put(SAMPLE_SCID, 'lobby', n, {
      members: { reserve_0: { constants: { system: { xuid: xuidOf(1) }, custom: { blob: noise(20_000) } } } },
    });
    const { budget } = refusal(big);
    expect(budget).toBe(16768);
    expect(big.json.message).toContain(`The reservation for xuid ${xuidOf(1)}`);
    const small = await player(0).put(SAMPLE_SCID, 'lobby', n, {
      members: { reserve_0: { constants: { system: { xuid: xuidOf(1) }, custom: { blob: noise(16_000) } } } },
    });
    expect(small.status).toBe(200);
    expect((await player(1).put(SAMPLE_SCID, 'lobby', n, xsapiJoin(1))).status).toBe(200);
  });

  it('a ?nocommit=true preview over a budget is refused as the commit would be', async () => {
    const n = name();
    expect((await player(0).put(SAMPLE_SCID, 'open', n, xsapiJoin(0))).status).toBe(201);
    const preview = await player(0).put(
      SAMPLE_SCID,
      'open',
      n,
      { members: { me: { properties: { custom: { blob: noise(10_000) } } } } },
      { query: 'nocommit=true' },
    );
    refusal(preview);
  });

  it('refuses to create a large session whose members could not each hold an ordinary join', async () => {
    const refused = await player(0).put(SAMPLE_SCID, 'open', name(), {
      constants: { system: { maxMembersCount: 1000, capabilities: { large: true } } },
      ...xsapiJoin(0),
    });
    expect([refused.status, refused.json.code]).toEqual([400, 'InvalidValue']);
    expect(refused.json.message).toContain('constants.system.maxMembersCount (1000)');
    expect(refused.json.message).toContain('At most 620 members fit');
    const largest = await player(0).put(SAMPLE_SCID, 'open', name(), {
      constants: { system: { maxMembersCount: 620, capabilities: { large: true } } },
      members: { me: { properties: { system: { active: true } } } },
    });
    expect(largest.status).toBe(201);
  });
});

describe('size budgets set by a template', () => {
  const scid = '5ca1ab1e-0000-4000-8000-00000000b0d6';
  let folder: string;
  let templated: TestService;

  beforeAll(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'budget-templates-'));
    const file = {
      templates: {
        tight: {
          contractVersion: 107,
          constants: { system: { version: 1, maxMembersCount: 4, visibility: 'open' }, custom: {} },
          sizeBudgets: { sessionBytes: 8192, memberBytes: 2048 },
        },
      },
    };
    writeFileSync(path.join(folder, `${scid}.json`), JSON.stringify(file));
    templated = await startTestService({ templatesDir: folder });
  });
  afterAll(async () => {
    await templated.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('holds members and the session to the template’s memberBytes and sessionBytes', async () => {
    const n = name();
    const as = (i: number) => new CheckedSessionClient(templated.baseUrl, { xuid: xuidOf(i), gamertag: `P${i}` });
    expect((await as(0).put(scid, 'tight', n, xsapiJoin(0))).status).toBe(201);
    const member = await as(0).put(scid, 'tight', n, {
      members: { me: { properties: { custom: { a: noise(2048) } } } },
    });
    expect(refusal(member).budget).toBe(2048);
    const session = await as(0).put(scid, 'tight', n, { properties: { custom: { a: noise(8192) } } });
    expect(refusal(session).budget).toBe(8192);
    expect((await as(0).put(scid, 'tight', n, { properties: { custom: { a: noise(6000) } } })).status).toBe(200);
    expect((await as(1).put(scid, 'tight', n, xsapiJoin(1))).status).toBe(200);
  });
});
