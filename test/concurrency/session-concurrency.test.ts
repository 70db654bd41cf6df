import { randomUUID } from 'node:crypto';
import type { SessionClient } from '../support/session-client';
import {
  AttemptLog,
  type Containers,
  expectIntactMembers,
  joinBody,
  player,
  players,
  repeated503s,
  SAMPLE_SCID,
  startContainers,
  xuidOf,
} from './concurrency-helpers';

// Many writers on one session through HTTP against DynamoDB Local (issue 5; spec §1.4, §8 PUT step 9), spread over
// several service instances that race each other as Lambda containers do. Every test asserts the final stored
// session (a consistent GET), never timings. The retry policy is the default one. Callers repeat a 503 after its
// Retry-After, as MPSD clients do (on a busy machine a crowd of writers outlasts the 7 s budget of some PUTs): the
// final state proves that no acknowledged write is lost, and changeNumber that none is applied twice.
// CONCURRENCY_REPORT=1 prints the distribution of attempts per PUT and the 503s repeated.

// Hundreds of requests on a 2-core machine that may be busy with other work: a deadline, not a speed.
jest.setTimeout(300_000);

const attempts = new AttemptLog();
let service: Containers;
const report = (label: string, clients: SessionClient[] = []) => {
  if (process.env.CONCURRENCY_REPORT) {
    console.log(`${label}: ${attempts.summary()}; 503s repeated by clients ${repeated503s(clients)}`);
  }
  attempts.clear();
};

beforeAll(async () => {
  service = await startContainers(() => ({ observeWrite: attempts.observe }));
});
afterAll(() => service.close());

const sessionName = () => `race-${randomUUID()}`;

async function storedSession(name: string) {
  const response = await player(service.baseUrls[0] as string, xuidOf(0)).get(SAMPLE_SCID, 'open', name);
  expect(response.status).toBe(200);
  return response.json;
}

it('100 players joining a 100-member session at once are all members, with unique indices and an intact chain', async () => {
  const name = sessionName();
  const clients = players(service.baseUrls, 100);
  const answers = await Promise.all(clients.map((c, i) => c.put(SAMPLE_SCID, 'open', name, joinBody(xuidOf(i)))));
  report('100 joiners', clients);
  expect(answers.map((a) => a.status).sort((a, b) => a - b)).toEqual([...Array(99).fill(200), 201]);
  const session = await storedSession(name);
  expect(session.constants.system.maxMembersCount).toBe(100);
  const xuids = expectIntactMembers(session, 100);
  expect(new Set(xuids)).toEqual(new Set(clients.map((_, i) => xuidOf(i))));
  // One write per join: a retried join was never applied twice.
  expect(session.changeNumber).toBe(100);
});

it('150 players joining a 100-member session: exactly 100 are told yes and are the members, 50 get SessionFull', async () => {
  const name = sessionName();
  const clients = players(service.baseUrls, 150);
  const answers = await Promise.all(clients.map((c, i) => c.put(SAMPLE_SCID, 'open', name, joinBody(xuidOf(i)))));
  report('150 joiners for 100 places', clients);
  const admitted = clients.map((_, i) => xuidOf(i)).filter((_, i) => (answers[i]?.status ?? 0) < 300);
  const refused = answers.filter((a) => a.status >= 300);
  expect(admitted).toHaveLength(100);
  expect(refused).toHaveLength(50);
  for (const r of refused) {
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'SessionFull' });
  }
  const session = await storedSession(name);
  expect(new Set(expectIntactMembers(session, 100))).toEqual(new Set(admitted));
});

it('50 members writing their own property 10 times and 50 distinct custom keys at once: every last value is kept', async () => {
  const name = sessionName();
  const clients = players(service.baseUrls, 50);
  for (const [i, c] of clients.entries()) {
    expect((await c.put(SAMPLE_SCID, 'open', name, joinBody(xuidOf(i)))).status).toBeLessThan(300);
  }
  const before = (await storedSession(name)).changeNumber;
  attempts.clear();
  const memberWriters = clients.map(async (c) => {
    for (let round = 1; round <= 10; round += 1) {
      const r = await c.put(SAMPLE_SCID, 'open', name, { members: { me: { properties: { custom: { round } } } } });
      expect(r.status).toBe(200);
    }
  });
  const keyWriters = clients.map(async (c, i) => {
    const r = await c.put(SAMPLE_SCID, 'open', name, { properties: { custom: { [`key${i}`]: `value${i}` } } });
    expect(r.status).toBe(200);
  });
  await Promise.all([...memberWriters, ...keyWriters]);
  report('50x10 member properties + 50 custom keys', clients);
  const session = await storedSession(name);
  for (const member of Object.values(session.members) as Array<{ properties: { custom: unknown } }>) {
    expect(member.properties.custom).toEqual({ round: 10 });
  }
  expect(session.properties.custom).toEqual(Object.fromEntries(clients.map((_, i) => [`key${i}`, `value${i}`])));
  expect(session.changeNumber).toBe(before + 50 * 10 + 50);
});

it('writers racing with If-Match on the same ETag: exactly one wins per version, the others get 412 with the session', async () => {
  const name = sessionName();
  const clients = players(service.baseUrls, 20);
  for (const [i, c] of clients.entries()) await c.put(SAMPLE_SCID, 'open', name, joinBody(xuidOf(i)));
  const first = await player(service.baseUrls[0] as string, xuidOf(0)).get(SAMPLE_SCID, 'open', name);
  const startVersion = first.json.changeNumber as number;
  const winners: number[] = [];
  let refusals = 0;
  await Promise.all(
    clients.map(async (c, i) => {
      let etag = first.headers.get('etag') as string;
      for (;;) {
        const r = await c.put(
          SAMPLE_SCID,
          'open',
          name,
          { properties: { custom: { [`writer${i}`]: true } } },
          {
            headers: { 'if-match': etag },
          },
        );
        if (r.status === 200) {
          winners.push(r.json.changeNumber);
          return;
        }
        expect(r.status).toBe(412);
        expect(r.json.members).toBeDefined();
        expect(r.headers.get('etag')).not.toBe(etag);
        refusals += 1;
        etag = r.headers.get('etag') as string;
      }
    }),
  );
  expect([...winners].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, k) => startVersion + 1 + k));
  // The first round alone had 20 writers on one ETag and one winner.
  expect(refusals).toBeGreaterThanOrEqual(19);
  const session = await storedSession(name);
  expect(Object.keys(session.properties.custom)).toHaveLength(20);
  expect(session.changeNumber).toBe(startVersion + 20);
});

it('repeating an identical PUT stores the same state: no new change, no second reservation', async () => {
  const name = sessionName();
  const host = player(service.baseUrls[0] as string, xuidOf(0));
  const body = {
    ...joinBody(xuidOf(0)),
    properties: { custom: { map: 'harbour' } },
    members: {
      ...(joinBody(xuidOf(0)).members as object),
      reserve_0: { constants: { system: { xuid: xuidOf(1) } } },
    },
  };
  const first = await host.put(SAMPLE_SCID, 'open', name, body);
  expect(first.status).toBe(201);
  const again = await Promise.all([1, 2, 3].map(() => host.put(SAMPLE_SCID, 'open', name, body)));
  for (const r of again) {
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBe(first.headers.get('etag'));
  }
  const session = await storedSession(name);
  expect(session.changeNumber).toBe(first.json.changeNumber);
  expectIntactMembers(session, 2);
  expect(session).toEqual(first.json);
});

describe('when the retries run out', () => {
  let strict: Containers;
  beforeAll(async () => {
    strict = await startContainers(() => ({
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, timeBudgetMs: 6000 },
    }));
  });
  afterAll(() => strict.close());

  it('a PUT that lost every race answers 503 with Retry-After and stores nothing', async () => {
    const name = sessionName();
    // Joined one at a time by callers that repeat 503s; the racing writes are sent once, and their 503s kept.
    for (const [i, c] of players(strict.baseUrls, 30).entries()) {
      expect((await c.put(SAMPLE_SCID, 'open', name, joinBody(xuidOf(i)))).status).toBeLessThan(300);
    }
    const clients = players(strict.baseUrls, 30, { retryUnavailable: 0 });
    const answers = await Promise.all(
      clients.map((c, i) => c.put(SAMPLE_SCID, 'open', name, { properties: { custom: { [`key${i}`]: i } } })),
    );
    const unavailable = answers.filter((a) => a.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const a of unavailable) {
      expect(a.headers.get('retry-after')).toBe('1');
      expect(a.json).toMatchObject({ code: 'ServiceUnavailable' });
    }
    const stored = (await player(strict.baseUrls[0] as string, xuidOf(0)).get(SAMPLE_SCID, 'open', name)).json;
    const expected = Object.fromEntries(answers.flatMap((a, i) => (a.status === 200 ? [[`key${i}`, i]] : [])));
    expect(stored.properties.custom).toEqual(expected);
    expect(answers.every((a) => a.status === 200 || a.status === 503)).toBe(true);
  });
});
