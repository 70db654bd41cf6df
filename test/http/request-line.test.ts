import { randomUUID } from 'node:crypto';
import type { RequestLine, RequestLog } from '../../lambda/http/request-log';
import type { SessionStore } from '../../lambda/store/session-store';
import { StoreUnavailableError } from '../../lambda/store/versioned-store';
import { startTestService, type TestService } from '../support/local-service';
import { joinBody, SAMPLE_SCID, SessionClient } from '../support/session-client';

// Each request's one line (issue 15 item 4), from the real handlers on DynamoDB Local through the local server: the
// operation, the caller's xuid, the session's scid, template and name, the status (a 4xx with its code), the write
// loop's attempts and lost races, the store calls and their time, the changeNumber answered; never a token or a body.
// The metrics see the same line (test/runtime/emf-request-metrics.test.ts turns it into EMF).

const ALICE = '2533274790395904';
const BOB = '2533274790395905';
/** Appears in a body sent here, so a test can see that no line holds a body. */
const BODY_MARKER = 'body-marker-6f1c';

interface Logged {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly details: Record<string, unknown>;
}

const logged: Logged[] = [];
/** Every line of the file, for the last test. */
const history: unknown[] = [];
const observed: RequestLine[] = [];
/** What the wrapped store does to the next writes: lose a race, or fail as a throttled DynamoDB would. */
const nextWrites: ('lose-race' | 'unavailable')[] = [];
let service: TestService;

/** The DynamoDB session store, but the next writes may lose a race (rejected, nothing written) or fail. */
function withInjectedWrites(store: SessionStore): SessionStore {
  return {
    read: (key, options) => store.read(key, options),
    write: async (key, record, expected, options) => {
      const next = nextWrites.shift();
      if (next === 'unavailable') throw new StoreUnavailableError('throttled (injected)');
      if (next === 'lose-race') return { outcome: 'rejected', current: await store.read(key, options) };
      return store.write(key, record, expected, options);
    },
  } as SessionStore;
}

beforeAll(async () => {
  const log: Required<RequestLog> = {
    info: (message, details) => logged.push({ level: 'info', message, details }) && history.push(details),
    warn: (message, details) => logged.push({ level: 'warn', message, details }) && history.push(details),
    error: (message, details) => logged.push({ level: 'error', message, details }) && history.push(details),
    addContext: () => {},
  };
  service = await startTestService({
    rateLimits: 'off',
    log,
    metrics: { observe: (line) => observed.push(line) && history.push(line) },
    // Two attempts with short waits, so the 503 case ends quickly; the budget is a deadline, not a measure.
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, timeBudgetMs: 60_000 },
    decorateStore: withInjectedWrites,
  });
});

afterAll(() => service.close());

/** The one line (and the one observation) of one request. */
async function lineOf(request: () => Promise<{ status: number }>, status: number): Promise<Logged> {
  logged.length = 0;
  observed.length = 0;
  const response = await request();
  expect(response.status).toBe(status);
  expect(logged).toHaveLength(1);
  expect(observed).toEqual([expect.objectContaining({ status })]);
  return logged[0] as Logged;
}

const alice = () => new SessionClient(service.baseUrl, { xuid: ALICE }, { retryUnavailable: 0 });
const bob = () => new SessionClient(service.baseUrl, { xuid: BOB }, { retryUnavailable: 0 });

describe('the line of a request', () => {
  const name = `line-${randomUUID()}`;
  const sessionKeys = {
    scid: SAMPLE_SCID,
    template: 'lobby',
    sessionName: name,
    session: `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/lobby/sessions/${name}`,
  };

  it('of a creating PUT names the operation, the caller, the session, one attempt and the changeNumber', async () => {
    const line = await lineOf(
      () => alice().put(SAMPLE_SCID, 'lobby', name, joinBody(ALICE, { properties: { custom: { BODY_MARKER } } })),
      201,
    );
    expect(line).toEqual({
      level: 'info',
      message: 'request',
      details: {
        requestId: expect.any(String),
        route: 'PUT /serviceconfigs/{scid}/sessiontemplates/{sessionTemplateName}/sessions/{sessionName}',
        operation: 'putSession',
        status: 201,
        durationMs: expect.any(Number),
        xuid: ALICE,
        ...sessionKeys,
        attempts: 1,
        conflicts: 0,
        faults: 0,
        // The read that finds no session, and the conditional write.
        storeCalls: 2,
        storeMs: expect.any(Number),
        changeNumber: '1',
      },
    });
  });

  it('of a GET has no attempts (it writes nothing), one store call and the changeNumber it answered', async () => {
    const line = await lineOf(() => alice().get(SAMPLE_SCID, 'lobby', name), 200);
    expect(line.details).toEqual(
      expect.objectContaining({ operation: 'getSession', status: 200, xuid: ALICE, storeCalls: 1, changeNumber: '1' }),
    );
    expect(line.details).not.toHaveProperty('attempts');
  });

  it('of a PUT that lost a race counts both attempts and the conflict', async () => {
    nextWrites.push('lose-race');
    const line = await lineOf(() => bob().put(SAMPLE_SCID, 'lobby', name, joinBody(BOB)), 200);
    expect(line.details).toEqual(
      expect.objectContaining({
        operation: 'putSession',
        xuid: BOB,
        attempts: 2,
        conflicts: 1,
        faults: 0,
        changeNumber: '2',
      }),
    );
  });

  it('of a refusal is INFO with its code', async () => {
    const line = await lineOf(
      () => alice().put(SAMPLE_SCID, 'lobby', name, '{"members":', { headers: { 'x-xbl-contract-version': '105' } }),
      400,
    );
    expect(line.level).toBe('info');
    expect(line.details).toEqual(expect.objectContaining({ status: 400, code: expect.any(String), xuid: ALICE }));
    expect(line.details).not.toHaveProperty('attempts');
  });

  it('of a request without a token is INFO with its code and names no caller', async () => {
    const line = await lineOf(
      () =>
        new SessionClient(service.baseUrl, { xuid: ALICE }).request('GET', sessionKeys.session, {
          headers: { authorization: '' },
        }),
      401,
    );
    expect(line.level).toBe('info');
    expect(line.details).toEqual(expect.objectContaining({ status: 401, code: expect.any(String) }));
    expect(line.details).not.toHaveProperty('xuid');
  });

  it('of a 503 is ERROR with its code, its attempts and faults, and the cause', async () => {
    nextWrites.push('unavailable', 'unavailable');
    const line = await lineOf(() => alice().put(SAMPLE_SCID, 'lobby', name, { properties: { custom: { x: 1 } } }), 503);
    expect(line.level).toBe('error');
    expect(line.message).toBe('request failed');
    expect(line.details).toEqual(
      expect.objectContaining({ status: 503, code: 'ServiceUnavailable', attempts: 2, faults: 2, conflicts: 0 }),
    );
    expect(String((line.details.cause as Error | undefined)?.message)).toContain('throttled (injected)');
  });

  it('never holds a token or a body, in any line above', () => {
    expect(history.length).toBeGreaterThanOrEqual(12);
    const lines = JSON.stringify(history, (_key, value) => (value instanceof Error ? value.message : value));
    expect(lines).not.toContain(BODY_MARKER);
    expect(lines).not.toMatch(/XBL3\.0|eyJ/);
  });
});
