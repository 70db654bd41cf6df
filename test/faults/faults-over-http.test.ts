import { randomUUID } from 'node:crypto';
import { translateStoreError } from '../../lambda/store/error-translation';
import { type SessionStore, StoreUnavailableError } from '../../lambda/store/session-store';
import { type FaultInjectingSessionStore, faultInjectionDecorator } from '../../local/fault-injection';
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
} from '../concurrency/concurrency-helpers';
import { startTestService } from '../support/local-service';
import { SessionClient } from '../support/session-client';

// The concurrency cases again with faults injected into the store (FaultInjectingSessionStore, the same decorator
// the local server builds from FAULT_INJECTION), through HTTP against DynamoDB Local. Clients honour 503 by
// repeating the request after its Retry-After, bounded, as MPSD clients do. What must hold: the same final state as
// without faults, no 5xx but the documented 503, every 2xx applied exactly once (changeNumber counts the applied
// writes).

// Hundreds of requests on a 2-core machine that may be busy with other work: a deadline, not a speed.
jest.setTimeout(300_000);

const sessionName = () => `faults-${randomUUID()}`;

describe('with 20% of store calls throttled', () => {
  const attempts = new AttemptLog();
  const injectors: FaultInjectingSessionStore[] = [];
  let service: Containers;
  beforeAll(async () => {
    service = await startContainers((i) => ({
      observeWrite: attempts.observe,
      decorateStore: (store: SessionStore) => {
        const decorate = faultInjectionDecorator({ throttle: 0.2, timeout: 0, lostWrite: 0, seed: 5 + i });
        const injector = decorate?.(store) as FaultInjectingSessionStore;
        injectors.push(injector);
        return injector;
      },
    }));
  });
  afterAll(() => service.close());
  let clients: SessionClient[] = [];
  afterEach(() => {
    if (process.env.CONCURRENCY_REPORT) {
      console.log(`throttled: ${attempts.summary()}; 503s repeated by clients ${repeated503s(clients)}`);
    }
    attempts.clear();
  });

  const stored = async (name: string) => {
    const r = await player(service.baseUrls[0] as string, xuidOf(0)).get(SAMPLE_SCID, 'open', name);
    expect(r.status).toBe(200);
    return r.json;
  };
  const put = (c: SessionClient, name: string, body: unknown, headers: Record<string, string> = {}) =>
    c.put(SAMPLE_SCID, 'open', name, body, { headers });

  it('100 joiners: 100 members, each applied once, answers only 2xx or 503', async () => {
    const name = sessionName();
    clients = players(service.baseUrls, 100);
    const answers = await Promise.all(clients.map((c, i) => put(c, name, joinBody(xuidOf(i)))));
    expect(answers.map((a) => a.status).sort((a, b) => a - b)).toEqual([...Array(99).fill(200), 201]);
    const session = await stored(name);
    expectIntactMembers(session, 100);
    expect(session.changeNumber).toBe(100);
    expect(injectors.reduce((n, i) => n + i.counts.throttle, 0)).toBeGreaterThan(0);
  });

  it('150 joiners for 100 places: exactly the 100 told yes are members, the rest SessionFull', async () => {
    const name = sessionName();
    clients = players(service.baseUrls, 150);
    const answers = await Promise.all(clients.map((c, i) => put(c, name, joinBody(xuidOf(i)))));
    const admitted = clients.map((_, i) => xuidOf(i)).filter((_, i) => (answers[i]?.status ?? 0) < 300);
    expect(admitted).toHaveLength(100);
    for (const a of answers.filter((x) => x.status >= 300)) {
      expect(a.status).toBe(400);
      expect(a.json).toMatchObject({ code: 'SessionFull' });
    }
    expect(new Set(expectIntactMembers(await stored(name), 100))).toEqual(new Set(admitted));
  });

  it('member properties and custom keys written at once: every last value is kept, each write applied once', async () => {
    const name = sessionName();
    clients = players(service.baseUrls, 30);
    for (const [i, c] of clients.entries()) expect((await put(c, name, joinBody(xuidOf(i)))).status).toBeLessThan(300);
    const before = (await stored(name)).changeNumber;
    await Promise.all(
      clients.map(async (c, i) => {
        for (let round = 1; round <= 5; round += 1) {
          const body = { members: { me: { properties: { custom: { round } } } } };
          expect((await put(c, name, body)).status).toBe(200);
        }
        const keyBody = { properties: { custom: { [`key${i}`]: i } } };
        expect((await put(c, name, keyBody)).status).toBe(200);
      }),
    );
    const session = await stored(name);
    for (const member of Object.values(session.members) as Array<{ properties: { custom: unknown } }>) {
      expect(member.properties.custom).toEqual({ round: 5 });
    }
    expect(session.properties.custom).toEqual(Object.fromEntries(clients.map((_, i) => [`key${i}`, i])));
    expect(session.changeNumber).toBe(before + 30 * 6);
  });

  it('If-Match racers: exactly one wins per version, the others 412', async () => {
    const name = sessionName();
    clients = players(service.baseUrls, 10);
    for (const [i, c] of clients.entries()) expect((await put(c, name, joinBody(xuidOf(i)))).status).toBeLessThan(300);
    const start = await stored(name);
    const winners: number[] = [];
    const firstEtag = (await put(player(service.baseUrls[0] as string, xuidOf(0)), name, {})).headers.get(
      'etag',
    ) as string;
    await Promise.all(
      clients.map(async (c, i) => {
        let etag = firstEtag;
        for (;;) {
          const response = await put(c, name, { properties: { custom: { [`w${i}`]: 1 } } }, { 'if-match': etag });
          if (response.status === 200) {
            winners.push(response.json.changeNumber);
            return;
          }
          expect(response.status).toBe(412);
          etag = response.headers.get('etag') as string;
        }
      }),
    );
    expect([...winners].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, k) => start.changeNumber + 1 + k),
    );
  });
});

describe('with throttling, time-outs and lost write answers', () => {
  const injectors: FaultInjectingSessionStore[] = [];
  let service: Containers;
  beforeAll(async () => {
    service = await startContainers((i) => ({
      decorateStore: (store: SessionStore) => {
        const decorate = faultInjectionDecorator({ throttle: 0.1, timeout: 0.05, lostWrite: 0.15, seed: 9 + i });
        const injector = decorate?.(store) as FaultInjectingSessionStore;
        injectors.push(injector);
        return injector;
      },
    }));
  });
  afterAll(() => service.close());

  it('retries never duplicate or lose a member or a reservation', async () => {
    const name = sessionName();
    const hosts = players(service.baseUrls, 20);
    // Each host joins and reserves a place for two friends of its own, all at once.
    const answers = await Promise.all(
      hosts.map((c, i) => {
        const body = joinBody(xuidOf(i));
        const members = {
          ...(body.members as object),
          reserve_0: { constants: { system: { xuid: xuidOf(i, 3_000_000) } } },
          reserve_1: { constants: { system: { xuid: xuidOf(i, 4_000_000) } } },
        };
        return c.put(SAMPLE_SCID, 'open', name, { members });
      }),
    );
    if (process.env.CONCURRENCY_REPORT) console.log(`lost writes: 503s repeated by clients ${repeated503s(hosts)}`);
    expect(answers.every((a) => a.status === 200 || a.status === 201)).toBe(true);
    const read = await player(service.baseUrls[0] as string, xuidOf(0)).get(SAMPLE_SCID, 'open', name);
    expect(read.status).toBe(200);
    const session = read.json as { members: object; changeNumber: number };
    const xuids = expectIntactMembers(session, 60);
    const expected = hosts.flatMap((_, i) => [xuidOf(i), xuidOf(i, 3_000_000), xuidOf(i, 4_000_000)]);
    expect(new Set(xuids)).toEqual(new Set(expected));
    expect(session.changeNumber).toBe(20);
    expect(injectors.reduce((n, i) => n + i.counts.lostWrite, 0)).toBeGreaterThan(0);
  });
});

describe('a store error that is not a fault to wait out', () => {
  const logged: Array<{ message: string; details: Record<string, unknown> }> = [];
  let service: Awaited<ReturnType<typeof startTestService>>;
  beforeAll(async () => {
    service = await startTestService({
      log: { error: (message: string, details: Record<string, unknown>) => logged.push({ message, details }) },
      decorateStore: (store: SessionStore): SessionStore => ({
        read: (key, options) => store.read(key, options),
        write: async () => {
          const error = new Error(
            'ValidationException: Item size has exceeded the maximum allowed size (table-secret)',
          );
          error.name = 'ValidationException';
          throw error;
        },
      }),
    });
  });
  afterAll(() => service.close());

  it('is a 500 whose body says nothing internal, logged with its cause and the request id', async () => {
    const client = new SessionClient(service.baseUrl, { xuid: xuidOf(0) });
    const r = await client.put(SAMPLE_SCID, 'open', sessionName(), joinBody(xuidOf(0)));
    expect(r.status).toBe(500);
    expect(r.json.code).toBe('InternalError');
    expect(r.text).not.toContain('ValidationException');
    expect(r.text).not.toContain('table-secret');
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0]?.details, (_k, v) => (v instanceof Error ? v.message : v))).toContain(
      'table-secret',
    );
    expect(logged[0]?.details.requestId).toEqual(expect.any(String));
  });
});

describe('a session store that stays unavailable', () => {
  // Every store call fails as DynamoDB throttling does (through the real error translation): the service turns the
  // StoreUnavailableError into its own 503 once its attempts are spent, so the handlers need no branch of their own.
  const logged: Array<{ message: string; details: Record<string, unknown> }> = [];
  let service: Awaited<ReturnType<typeof startTestService>>;
  beforeAll(async () => {
    const throttled = (): never => {
      const error = new Error('Rate of requests exceeds the allowed throughput (table-secret)');
      error.name = 'ProvisionedThroughputExceededException';
      return translateStoreError(error, 'GetItem');
    };
    service = await startTestService({
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, timeBudgetMs: 5_000 },
      log: { error: (message: string, details: Record<string, unknown>) => logged.push({ message, details }) },
      decorateStore: (): SessionStore => ({ read: async () => throttled(), write: async () => throttled() }),
    });
  });
  afterAll(() => service.close());

  it.each(['GET', 'PUT'] as const)(
    '%s is a 503 with Retry-After that says nothing internal, logged with its cause',
    async (method) => {
      logged.length = 0;
      // No repeat of the 503: this test looks at the 503 itself and at its one log line.
      const client = new SessionClient(service.baseUrl, { xuid: xuidOf(0) }, { retryUnavailable: 0 });
      const name = sessionName();
      const r =
        method === 'GET'
          ? await client.get(SAMPLE_SCID, 'open', name)
          : await client.put(SAMPLE_SCID, 'open', name, joinBody(xuidOf(0)));
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.json.code).toBe('ServiceUnavailable');
      expect(r.text).not.toContain('table-secret');
      expect(r.text).not.toContain('Throughput');
      expect(logged).toHaveLength(1);
      expect(logged[0]?.details.requestId).toEqual(expect.any(String));
      const cause = logged[0]?.details.cause as Error;
      expect(cause).toBeInstanceOf(StoreUnavailableError);
      expect((cause.cause as Error).name).toBe('ProvisionedThroughputExceededException');
    },
  );
});
