import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { loadTemplateCatalogue } from '../../lambda/config/template-files';
import type { Principal } from '../../lambda/domain/principal';
import { parseSessionReference, sessionKey } from '../../lambda/domain/session-reference';
import { SessionService } from '../../lambda/service/session-service';
import {
  type ExpectedVersion,
  type NewRecord,
  type SessionStore,
  StoreUnavailableError,
  type WriteResult,
} from '../../lambda/store/session-store';
import { MemorySessionStore } from '../support/memory-session-store';
import { SAMPLE_SCID } from '../support/session-client';

// Service logic over an in-memory store: the retry loop and the preconditions, with races staged exactly.
// The same paths run against DynamoDB Local in the HTTP suites.

const templates = loadTemplateCatalogue(path.resolve(__dirname, '../../lambda/templates'));
const ref = parseSessionReference(SAMPLE_SCID, 'open', 'service-test');
const alice: Principal = { xuid: '1001', isServer: false };
const bob: Principal = { xuid: '1002', isServer: false };
const join = { members: { me: { properties: { system: { active: true } } } } };

/** A store that lets another writer win the race a given number of times before each of our writes. */
class RacingStore implements SessionStore {
  writes = 0;
  constructor(
    readonly inner: MemorySessionStore,
    private losses: number,
    private readonly rival: () => Promise<void>,
  ) {}
  read(key: string) {
    return this.inner.read(key);
  }
  async write(key: string, record: NewRecord, expected: ExpectedVersion): Promise<WriteResult> {
    this.writes += 1;
    if (this.losses > 0) {
      this.losses -= 1;
      await this.rival();
    }
    return this.inner.write(key, record, expected);
  }
}

function serviceOver(store: SessionStore, maxAttempts = 5) {
  return new SessionService({
    store,
    templates,
    clock: () => Date.parse('2026-11-24T12:00:00Z'),
    newGuid: randomUUID,
    retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 2 },
    sleep: async () => {},
  });
}

function put(
  service: SessionService,
  principal: Principal,
  body: unknown,
  headers: { ifMatch?: string; ifNoneMatch?: string } = {},
) {
  return service.write({
    ref,
    principal,
    contractVersion: 107,
    body: body as never,
    ifMatch: headers.ifMatch,
    ifNoneMatch: headers.ifNoneMatch,
    noCommit: false,
  });
}

describe('SessionService.write', () => {
  it('re-merges after losing a race, so both the rival and our join are kept', async () => {
    const inner = new MemorySessionStore();
    const rivalService = serviceOver(inner);
    let rivalWrites = 0;
    const store = new RacingStore(inner, 2, async () => {
      rivalWrites += 1;
      await put(rivalService, bob, { ...join, properties: { custom: { rival: rivalWrites } } });
    });
    const result = await put(serviceOver(store), alice, join);
    expect(result.kind).toBe('updated');
    const stored = await inner.read(sessionKey(ref));
    expect(
      stored?.kind === 'session' && Object.values(stored.document.members).map((m) => m.constants.system.xuid),
    ).toEqual(['1002', '1001']);
    expect(stored?.kind === 'session' && stored.document.properties.custom).toEqual({ rival: 2 });
    expect(store.writes).toBe(3);
  });

  it('answers 503 and stores nothing when every attempt loses the race', async () => {
    const inner = new MemorySessionStore();
    await put(serviceOver(inner), bob, join);
    let rivalWrites = 0;
    const rival = serviceOver(inner);
    const store = new RacingStore(inner, 100, async () => {
      rivalWrites += 1;
      await put(rival, bob, { properties: { custom: { n: rivalWrites } } });
    });
    await expect(put(serviceOver(store, 4), alice, join)).rejects.toMatchObject({
      code: 'ServiceUnavailable',
      retryAfterSeconds: 1,
    });
    const stored = await inner.read(sessionKey(ref));
    expect(
      stored?.kind === 'session' && Object.values(stored.document.members).map((m) => m.constants.system.xuid),
    ).toEqual(['1002']);
  });

  it('with If-Match a lost race is a 412 with the current session, never a retry', async () => {
    const inner = new MemorySessionStore();
    const created = await put(serviceOver(inner), alice, join);
    if (created.kind !== 'created') throw new Error('expected a create');
    const rival = serviceOver(inner);
    const store = new RacingStore(inner, 1, async () => {
      await put(rival, alice, { properties: { custom: { winner: 'rival' } } });
    });
    const result = await put(
      serviceOver(store),
      alice,
      { properties: { custom: { winner: 'us' } } },
      { ifMatch: created.session.etag },
    );
    expect(result.kind).toBe('precondition-failed');
    expect(result.kind === 'precondition-failed' && result.session?.rendered.properties).toMatchObject({
      custom: { winner: 'rival' },
    });
    expect(store.writes).toBe(1);
  });

  it('an identical repeated PUT is not written again and keeps the change number', async () => {
    const inner = new MemorySessionStore();
    const service = serviceOver(inner);
    const first = await put(service, alice, { ...join, properties: { custom: { a: 1 } } });
    const second = await put(service, alice, { ...join, properties: { custom: { a: 1 } } });
    expect(first.kind).toBe('created');
    expect(second.kind).toBe('updated');
    if (first.kind !== 'created' || second.kind !== 'updated') return;
    expect(second.session.rendered.changeNumber).toBe(first.session.rendered.changeNumber);
    expect(second.session.etag).toBe(first.session.etag);
  });
});

describe('SessionService.write after a lost answer', () => {
  /** Applies the first write, lets a rival write on top, then loses the first write's answer. */
  class LostAnswerStore implements SessionStore {
    private armed = true;
    constructor(
      readonly inner: MemorySessionStore,
      private readonly rival: () => Promise<void>,
    ) {}
    read(key: string) {
      return this.inner.read(key);
    }
    async write(key: string, record: NewRecord, expected: ExpectedVersion): Promise<WriteResult> {
      const result = await this.inner.write(key, record, expected);
      if (this.armed && result.outcome === 'written') {
        this.armed = false;
        await this.rival();
        throw new StoreUnavailableError('the answer was lost');
      }
      return result;
    }
  }

  it('recognises its applied write under a later rival write, and neither applies twice nor overwrites the rival', async () => {
    const inner = new MemorySessionStore();
    await put(serviceOver(inner), alice, join);
    const rival = serviceOver(inner);
    const store = new LostAnswerStore(inner, async () => {
      const bobs = await put(rival, alice, { properties: { custom: { color: 'blue' } } });
      expect(bobs.kind).toBe('updated');
    });
    const result = await put(serviceOver(store), alice, { properties: { custom: { color: 'red', mine: true } } });
    expect(result.kind).toBe('updated');
    const stored = await inner.read(sessionKey(ref));
    if (stored?.kind !== 'session') throw new Error('expected a session');
    // Ours (red) was applied once at change 2, the rival's blue on top at change 3: nothing was merged again.
    expect(stored.document.properties.custom).toEqual({ color: 'blue', mine: true });
    expect(stored.document.changeNumber).toBe(3);
  });
});
