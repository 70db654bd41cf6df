import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadTemplateCatalogue } from '../../lambda/config/template-files';
import { MpsdError } from '../../lambda/domain/errors';
import type { Principal } from '../../lambda/domain/principal';
import { parseSessionReference, sessionKey } from '../../lambda/domain/session-reference';
import { SessionService } from '../../lambda/service/session-service';
import type {
  ExpectedVersion,
  NewRecord,
  SessionStore,
  StoreCallOptions,
  WriteResult,
} from '../../lambda/store/session-store';
import { StoreUnavailableError } from '../../lambda/store/session-store';
import {
  FaultInjectingSessionStore,
  type FaultInjectionSetting,
  parseFaultInjection,
} from '../../local/fault-injection';
import { MemorySessionStore } from '../support/memory-session-store';
import { SAMPLE_SCID } from '../support/session-client';

// The fault injector's setting and behaviour, and the service's answers to each fault, over the in-memory store.
// The same paths run over HTTP against DynamoDB Local in test/concurrency.

const templates = loadTemplateCatalogue(path.resolve(__dirname, '../../lambda/templates'));
const ref = parseSessionReference(SAMPLE_SCID, 'open', 'fault-test');
const key = sessionKey(ref);
const join = { members: { me: { properties: { system: { active: true } } } } };
const user = (n: number): Principal => ({ xuid: String(1000 + n), isServer: false });

function serviceOver(store: SessionStore, maxAttempts = 60) {
  return new SessionService({
    store,
    templates,
    clock: () => Date.parse('2026-11-24T12:00:00Z'),
    newGuid: randomUUID,
    retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 2, timeBudgetMs: 60_000 },
    sleep: async () => {},
  });
}

function put(service: SessionService, principal: Principal, body: unknown, ifMatch?: string) {
  return service.write({
    ref,
    principal,
    contractVersion: 107,
    body: body as never,
    ifMatch,
    ifNoneMatch: undefined,
    noCommit: false,
  });
}

async function storedXuids(store: SessionStore): Promise<string[]> {
  const record = await store.read(key);
  if (record?.kind !== 'session') return [];
  return Object.values(record.document.members).map((m) => String(m.constants.system.xuid));
}

/** A store whose next writes fail as scripted: applied or not, then a lost answer. */
class ScriptedStore implements SessionStore {
  writes = 0;
  constructor(
    readonly inner: MemorySessionStore,
    private readonly script: Array<'lost' | 'refused'>,
  ) {}
  read(k: string) {
    return this.inner.read(k);
  }
  async write(k: string, record: NewRecord, expected: ExpectedVersion, _o?: StoreCallOptions): Promise<WriteResult> {
    this.writes += 1;
    const step = this.script.shift();
    if (step === 'lost') {
      await this.inner.write(k, record, expected);
      throw new StoreUnavailableError('answer lost');
    }
    if (step === 'refused') throw new StoreUnavailableError('throttled');
    return this.inner.write(k, record, expected);
  }
}

describe('parseFaultInjection', () => {
  it('reads every kind, the seed, and leaves what is not named at 0', () => {
    expect(parseFaultInjection('throttle:0.2,timeout:0.05,lost-write:0.1,seed:7')).toEqual({
      throttle: 0.2,
      timeout: 0.05,
      lostWrite: 0.1,
      seed: 7,
    });
    expect(parseFaultInjection('lost-write:0.5')).toEqual({ throttle: 0, timeout: 0, lostWrite: 0.5, seed: 1 });
  });

  it('an absent or empty setting turns fault injection off', () => {
    expect(parseFaultInjection(undefined)).toBeUndefined();
    expect(parseFaultInjection(' ')).toBeUndefined();
  });

  it.each([
    ['throttle=0.2', 'not understood'],
    ['throttling:0.2', 'not understood'],
    ['throttle:abc', 'not understood'],
    ['throttle:1.5', 'out of range'],
    ['seed:1.5', 'out of range'],
    ['throttle:0.6,timeout:0.6', 'more than 1'],
  ])('refuses %s, naming the syntax', (text, problem) => {
    expect(() => parseFaultInjection(text)).toThrow(problem);
    expect(() => parseFaultInjection(text)).toThrow('throttle:<fraction>,timeout:<fraction>,lost-write:<fraction>');
  });
});

describe('FaultInjectingSessionStore', () => {
  const setting = (s: Partial<FaultInjectionSetting>): FaultInjectionSetting => ({
    throttle: 0,
    timeout: 0,
    lostWrite: 0,
    seed: 3,
    ...s,
  });

  it('injects about the chosen fraction, as StoreUnavailableError carrying the SDK error it stands for', async () => {
    const store = new FaultInjectingSessionStore(new MemorySessionStore(), setting({ throttle: 0.2, timeout: 0.1 }));
    const causes: string[] = [];
    for (let i = 0; i < 2000; i += 1) {
      try {
        await store.read(key);
      } catch (error) {
        expect(error).toBeInstanceOf(StoreUnavailableError);
        causes.push(((error as Error).cause as Error).name);
      }
    }
    expect(store.counts.throttle).toBeGreaterThan(300);
    expect(store.counts.throttle).toBeLessThan(500);
    expect(store.counts.timeout).toBeGreaterThan(130);
    expect(store.counts.timeout).toBeLessThan(270);
    expect(new Set(causes)).toEqual(new Set(['ProvisionedThroughputExceededException', 'TimeoutError']));
  });

  it('a lost-write fault applies the write and then fails', async () => {
    const inner = new MemorySessionStore();
    const store = new FaultInjectingSessionStore(inner, setting({ lostWrite: 1 }));
    await expect(
      serviceOver(store, 1).write({
        ref,
        principal: user(1),
        contractVersion: 107,
        body: join as never,
        ifMatch: undefined,
        ifNoneMatch: undefined,
        noCommit: false,
      }),
    ).rejects.toMatchObject({ code: 'ServiceUnavailable' });
    expect(await storedXuids(inner)).toEqual(['1001']);
  });

  it('the same seed injects the same faults', async () => {
    const runs = [];
    for (let r = 0; r < 2; r += 1) {
      const store = new FaultInjectingSessionStore(new MemorySessionStore(), setting({ throttle: 0.5 }));
      const outcomes: boolean[] = [];
      for (let i = 0; i < 50; i += 1)
        outcomes.push(
          await store.read(key).then(
            () => true,
            () => false,
          ),
        );
      runs.push(outcomes);
    }
    expect(runs[0]).toEqual(runs[1]);
  });
});

describe('SessionService under store faults', () => {
  it('a create whose answer was lost is recognised by reading it back: 201, one member, one write', async () => {
    const store = new ScriptedStore(new MemorySessionStore(), ['lost']);
    const result = await put(serviceOver(store), user(1), join);
    expect(result.kind).toBe('created');
    expect(store.writes).toBe(1);
    expect(await storedXuids(store.inner)).toEqual(['1001']);
  });

  it('a join whose answer was lost after a rival wrote on top is merged again without a duplicate member', async () => {
    const inner = new MemorySessionStore();
    await put(serviceOver(inner), user(1), join);
    const rival = serviceOver(inner);
    const store = new ScriptedStore(inner, ['lost']);
    const lossy: SessionStore = {
      read: (k) => store.read(k),
      write: async (k, r, e, o) => {
        try {
          return await store.write(k, r, e, o);
        } finally {
          if (store.writes === 1) await put(rival, user(3), join);
        }
      },
    };
    const result = await put(serviceOver(lossy), user(2), join);
    expect(result.kind).toBe('updated');
    expect(await storedXuids(inner)).toEqual(['1001', '1002', '1003']);
  });

  it('a throttled write is repeated and applied once', async () => {
    const inner = new MemorySessionStore();
    await put(serviceOver(inner), user(1), join);
    const store = new ScriptedStore(inner, ['refused', 'refused']);
    const result = await put(serviceOver(store), user(1), { properties: { custom: { n: 1 } } });
    expect(result.kind).toBe('updated');
    expect(store.writes).toBe(3);
    const record = await inner.read(key);
    expect(record?.kind === 'session' && record.document.properties.custom).toEqual({ n: 1 });
    expect(record?.version).toBe(2);
  });

  it('with If-Match, a write whose answer was lost is our success, not a 412 against our own change', async () => {
    const inner = new MemorySessionStore();
    const created = await put(serviceOver(inner), user(1), join);
    if (created.kind !== 'created') throw new Error('expected a create');
    const store = new ScriptedStore(inner, ['lost']);
    const result = await put(serviceOver(store), user(1), { properties: { custom: { x: 1 } } }, created.session.etag);
    expect(result.kind).toBe('updated');
    expect(store.writes).toBe(1);
  });

  it('when write faults outlast the attempts: 503 with Retry-After saying the change was stored once or not at all', async () => {
    const inner = new MemorySessionStore();
    await put(serviceOver(inner), user(1), join);
    const store = new ScriptedStore(inner, ['refused', 'refused', 'refused']);
    await expect(put(serviceOver(store, 3), user(2), join)).rejects.toMatchObject({
      code: 'ServiceUnavailable',
      retryAfterSeconds: 1,
      message: expect.stringContaining('stored once or not at all'),
    });
    // These faults were refusals: nothing of the request is in the session.
    expect(await storedXuids(inner)).toEqual(['1001']);
  });

  it('a store that never answers: GET and PUT end in the service’s own 503, never in a StoreUnavailableError', async () => {
    // The service is the one caller of the store; what it throws is all the handlers can meet.
    const down: SessionStore = {
      read: async () => {
        throw new StoreUnavailableError('throttled');
      },
      write: async () => {
        throw new StoreUnavailableError('throttled');
      },
    };
    const service = serviceOver(down, 3);
    const read = service.read({ ref, principal: user(1), contractVersion: 107, ifNoneMatch: undefined });
    for (const attempt of [read, put(service, user(1), join)]) {
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MpsdError);
      expect(error).toMatchObject({ code: 'ServiceUnavailable', status: 503, retryAfterSeconds: 1 });
      expect((error as Error).cause).toBeInstanceOf(StoreUnavailableError);
    }
  });

  it('100 joiners over 30% injected faults of every kind: each one told yes is a member exactly once', async () => {
    const inner = new MemorySessionStore();
    const store = new FaultInjectingSessionStore(inner, { throttle: 0.1, timeout: 0.1, lostWrite: 0.1, seed: 11 });
    const service = serviceOver(store);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        put(service, user(i), join).then(
          (r) => r.kind,
          (e: { code?: string }) => e.code,
        ),
      ),
    );
    const told = Array.from({ length: 100 }, (_, i) => String(1000 + i)).filter(
      (_, i) => answers[i] === 'created' || answers[i] === 'updated',
    );
    const xuids = await storedXuids(inner);
    expect(new Set(xuids).size).toBe(xuids.length);
    expect(xuids).toEqual(expect.arrayContaining(told));
    expect(answers.every((a) => a === 'created' || a === 'updated' || a === 'ServiceUnavailable')).toBe(true);
    expect(store.counts.lostWrite).toBeGreaterThan(0);
  });
});

describe('the deployed configuration cannot inject faults', () => {
  // The injector is in local/, and no module in lambda/ may import local/ (.dependency-cruiser.cjs, rule
  // handler-tree-imports-no-local, proven to bite by test/architecture.test.ts): a Lambda bundle cannot contain it.
  // The deployed path (makeFunctionHandler) takes no store at all; only local/local-handlers.ts wraps one.
  // test/infra/session-directory-stack.test.ts looks into the synthesized bundles as well.

  it('the fault injector is a local module, absent from the handler tree', () => {
    expect(existsSync(path.resolve(__dirname, '../../local/fault-injection.ts'))).toBe(true);
    expect(existsSync(path.resolve(__dirname, '../../lambda/store/fault-injection.ts'))).toBe(false);
  });

  it('no module in lambda/ reads FAULT_INJECTION or imports the fault injector', async () => {
    const root = path.resolve(__dirname, '../../lambda');
    const files = (await readdir(root, { recursive: true })).filter((file) => file.endsWith('.ts'));
    expect(files).toEqual(
      expect.arrayContaining([
        path.join('functions', 'get-session.ts'),
        path.join('functions', 'put-session.ts'),
        path.join('runtime', 'lambda-runtime.ts'),
        path.join('runtime', 'wiring.ts'),
      ]),
    );
    for (const file of files) {
      const text = await readFile(path.join(root, file), 'utf8');
      expect([file, text.includes('FAULT_INJECTION')]).toEqual([file, false]);
      expect([file, text.includes('fault-injection')]).toEqual([file, false]);
    }
  });
});
