import { randomUUID } from 'node:crypto';
import { MpsdError } from '../../lambda/domain/errors';
import { ConditionalWriter, type WriteDecision, type WriteReport } from '../../lambda/service/conditional-write';
import type { RetryPolicy } from '../../lambda/service/retry-policy';
import {
  type ConditionalWriteResult,
  type ExpectedVersion,
  RECENT_WRITE_IDS,
  type StoreCallOptions,
  StoreUnavailableError,
  type VersionedRecord,
  type VersionedStore,
} from '../../lambda/store/versioned-store';
import { MemoryVersionedStore } from '../support/memory-versioned-store';

// The conditional-write loop serves any writer: here a counter that is not a session. Lost races, store faults and
// lost answers are staged exactly; the session PUT's own cases are in session-service.test.ts and test/faults.

interface Counter {
  readonly count: number;
}
type CounterRecord = Counter & VersionedRecord;
type CounterStore = VersionedStore<CounterRecord, Counter & { readonly recentWriteIds?: readonly string[] }>;
type Answer = { readonly kind: 'counted' | 'full'; readonly count: number };

const KEY = 'counter#1';
const CAP = 10;

/** Counts one up, or (at the cap) answers without writing. */
function increment(record: CounterRecord | undefined): WriteDecision<Counter, Answer> {
  const count = record?.count ?? 0;
  if (count >= CAP) return { answer: { kind: 'full', count } };
  return { write: { count: count + 1 }, answer: { kind: 'counted', count: count + 1 } };
}

function writerOver(store: CounterStore, retry: Partial<RetryPolicy> = {}, newWriteId: () => string = randomUUID) {
  const reports: WriteReport[] = [];
  const sleeps: number[] = [];
  const writer = new ConditionalWriter<CounterRecord, Counter>(store, {
    retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 2, timeBudgetMs: 60_000, ...retry },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    clock: () => 0,
    newWriteId,
    observeWrite: (report) => reports.push(report),
  });
  return { writer, reports, sleeps };
}

/** Wraps a store: a scripted step runs before each call ('rival' lets another writer win first; 'fault' throws). */
class ScriptedStore implements CounterStore {
  writes = 0;
  constructor(
    readonly inner: MemoryVersionedStore<Counter>,
    private readonly script: {
      readonly beforeRead?: () => Promise<void>;
      readonly beforeWrite?: () => Promise<void>;
      readonly afterWrite?: (result: ConditionalWriteResult<CounterRecord>) => Promise<void>;
    },
  ) {}
  async read(key: string, options?: StoreCallOptions) {
    await this.script.beforeRead?.();
    return this.inner.read(key, options);
  }
  async write(key: string, record: Counter, expected: ExpectedVersion, options?: StoreCallOptions) {
    this.writes += 1;
    await this.script.beforeWrite?.();
    const result = await this.inner.write(key, record, expected, options);
    await this.script.afterWrite?.(result);
    return result;
  }
}

/** A rival that increments the same counter through its own writer. */
function rivalOn(inner: MemoryVersionedStore<Counter>) {
  const { writer } = writerOver(inner);
  return () => writer.write({ key: KEY, decide: increment }).then(() => undefined);
}

/** Runs `step` the first `times` calls, then nothing. */
function times(n: number, step: () => Promise<void>): () => Promise<void> {
  let left = n;
  return async () => {
    if (left > 0) {
      left -= 1;
      await step();
    }
  };
}

describe('ConditionalWriter with a counter (a writer that is not a session)', () => {
  it('decides again on a fresh read after each lost race, so no increment is lost', async () => {
    const inner = new MemoryVersionedStore<Counter>();
    const store = new ScriptedStore(inner, { beforeWrite: times(3, rivalOn(inner)) });
    const { writer, reports, sleeps } = writerOver(store);
    await expect(writer.write({ key: KEY, decide: increment })).resolves.toEqual({ kind: 'counted', count: 4 });
    expect((await inner.read(KEY))?.count).toBe(4);
    expect(store.writes).toBe(4);
    expect(sleeps).toHaveLength(3);
    expect(reports).toEqual([{ attempts: 4, faults: 0, outcome: 'counted' }]);
  });

  it("keeps the write ids of the item's last writes, newest first", async () => {
    const inner = new MemoryVersionedStore<Counter>();
    let ids = 0;
    const { writer } = writerOver(inner, {}, () => `write-${++ids}`);
    const writes = RECENT_WRITE_IDS + 3;
    for (let i = 0; i < writes; i += 1) {
      await writer.write({ key: KEY, decide: (r) => ({ write: { count: (r?.count ?? 0) + 1 }, answer: i }) });
    }
    const stored = await inner.read(KEY);
    expect(stored?.count).toBe(writes);
    expect(stored?.recentWriteIds).toEqual(Array.from({ length: RECENT_WRITE_IDS }, (_, i) => `write-${writes - i}`));
  });

  it('retries store faults on reads and writes within the budget and reports them', async () => {
    const inner = new MemoryVersionedStore<Counter>();
    const fault = async () => {
      throw new StoreUnavailableError('throttled');
    };
    const store = new ScriptedStore(inner, { beforeRead: times(2, fault), beforeWrite: times(1, fault) });
    const { writer, reports } = writerOver(store);
    await expect(writer.write({ key: KEY, decide: increment })).resolves.toEqual({ kind: 'counted', count: 1 });
    expect((await inner.read(KEY))?.count).toBe(1);
    expect(reports).toEqual([{ attempts: 4, faults: 3, outcome: 'counted' }]);
  });

  it('recognises its applied write by its id under a rival write on top, and does not apply it twice', async () => {
    const inner = new MemoryVersionedStore<Counter>();
    const rival = rivalOn(inner);
    let armed = true;
    const store = new ScriptedStore(inner, {
      afterWrite: async (result) => {
        if (armed && result.outcome === 'written') {
          armed = false;
          await rival();
          throw new StoreUnavailableError('the answer was lost');
        }
      },
    });
    const { writer } = writerOver(store);
    await expect(writer.write({ key: KEY, decide: increment })).resolves.toEqual({ kind: 'counted', count: 1 });
    expect((await inner.read(KEY))?.count).toBe(2);
    expect(store.writes).toBe(1);
  });

  it('decides again when a write whose answer was lost was not applied', async () => {
    const inner = new MemoryVersionedStore<Counter>();
    const store = new ScriptedStore(inner, {
      beforeWrite: times(1, async () => {
        throw new StoreUnavailableError('timed out before DynamoDB applied it');
      }),
    });
    const { writer } = writerOver(store);
    await expect(writer.write({ key: KEY, decide: increment })).resolves.toEqual({ kind: 'counted', count: 1 });
    expect((await inner.read(KEY))?.count).toBe(1);
    expect(store.writes).toBe(2);
  });

  it('answers 503 "stored once or not at all" when too many writes since hide whether its write was applied', async () => {
    const inner = new MemoryVersionedStore<Counter>();
    const { writer: rival } = writerOver(inner);
    let armed = true;
    const store = new ScriptedStore(inner, {
      afterWrite: async (result) => {
        if (armed && result.outcome === 'written') {
          armed = false;
          for (let i = 0; i < RECENT_WRITE_IDS; i += 1) {
            await rival.write({ key: KEY, decide: (r) => ({ write: { count: r?.count ?? 0 }, answer: i }) });
          }
          throw new StoreUnavailableError('the answer was lost');
        }
      },
    });
    const { writer } = writerOver(store);
    const failure = writer.write({ key: KEY, decide: increment });
    await expect(failure).rejects.toMatchObject({ code: 'ServiceUnavailable', retryAfterSeconds: 1 });
    await expect(failure).rejects.toThrow(/stored once or not at all/);
  });

  it('answers 503 and stores nothing of its own when every attempt loses the race', async () => {
    const inner = new MemoryVersionedStore<Counter>();
    let rivalWrites = 0;
    const { writer: rival } = writerOver(inner);
    const store = new ScriptedStore(inner, {
      beforeWrite: async () => {
        rivalWrites += 1;
        // The rival only rewrites: ours is the one increment that could ever be stored.
        await rival.write({ key: KEY, decide: (r) => ({ write: { count: r?.count ?? 0 }, answer: 0 }) });
      },
    });
    const { writer, reports } = writerOver(store, { maxAttempts: 4 });
    await expect(writer.write({ key: KEY, decide: increment })).rejects.toMatchObject({
      code: 'ServiceUnavailable',
      message: expect.stringMatching(/nothing was changed/),
    });
    expect((await inner.read(KEY))?.count).toBe(0);
    expect(rivalWrites).toBe(4);
    expect(reports).toEqual([{ attempts: 4, faults: 0, outcome: 'ServiceUnavailable' }]);
  });

  it('out of attempts, answers what the winner decides when that needs no write (the final look), not 503', async () => {
    const inner = new MemoryVersionedStore<Counter>();
    const { writer: rival } = writerOver(inner);
    const store = new ScriptedStore(inner, {
      // The rival fills the counter to its cap before our only write.
      beforeWrite: times(1, async () => {
        await rival.write({ key: KEY, decide: (r) => ({ write: { count: CAP }, answer: r }) });
      }),
    });
    const { writer } = writerOver(store, { maxAttempts: 1 });
    await expect(writer.write({ key: KEY, decide: increment })).resolves.toEqual({ kind: 'full', count: CAP });
    expect(store.writes).toBe(1);
  });

  it("with 'decide-on-winner', decides again at once on the item that won, without a back-off or a read", async () => {
    const inner = new MemoryVersionedStore<Counter>();
    let reads = 0;
    const store = new ScriptedStore(inner, {
      beforeRead: async () => {
        reads += 1;
      },
      beforeWrite: times(1, rivalOn(inner)),
    });
    const { writer, sleeps } = writerOver(store);
    const seen: Array<number | undefined> = [];
    const answer = await writer.write({
      key: KEY,
      decide: (record) => {
        seen.push(record?.count);
        return increment(record);
      },
      afterLostRace: 'decide-on-winner',
    });
    expect(answer).toEqual({ kind: 'counted', count: 2 });
    expect(seen).toEqual([undefined, 1]);
    expect(reads).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('a refusal thrown by the decision ends the write: nothing stored, the error reported', async () => {
    const inner = new MemoryVersionedStore<Counter>();
    const { writer, reports } = writerOver(inner);
    const refuse = (): WriteDecision<Counter, Answer> => {
      throw new MpsdError('InvalidValue', 'count must be even');
    };
    await expect(writer.write({ key: KEY, decide: refuse })).rejects.toMatchObject({ code: 'InvalidValue' });
    expect(await inner.read(KEY)).toBeUndefined();
    expect(reports).toEqual([{ attempts: 1, faults: 0, outcome: 'InvalidValue' }]);
  });

  it('a store error that is not a fault is not retried', async () => {
    const inner = new MemoryVersionedStore<Counter>();
    const store = new ScriptedStore(inner, {
      beforeRead: async () => {
        throw new Error('AccessDenied');
      },
    });
    const { writer, reports } = writerOver(store);
    await expect(writer.write({ key: KEY, decide: increment })).rejects.toThrow('AccessDenied');
    expect(reports).toEqual([{ attempts: 1, faults: 0, outcome: 'error' }]);
  });

  it('runs the writes of one key one at a time within a process, so they do not race each other', async () => {
    const inner = new MemoryVersionedStore<Counter>();
    const { writer, reports } = writerOver(inner);
    const answers = await Promise.all(Array.from({ length: 5 }, () => writer.write({ key: KEY, decide: increment })));
    expect(answers.map((a) => a.count)).toEqual([1, 2, 3, 4, 5]);
    expect(reports.map((r) => r.attempts)).toEqual([1, 1, 1, 1, 1]);
  });

  it('reads an item, retrying store faults', async () => {
    const inner = new MemoryVersionedStore<Counter>();
    await writerOver(inner).writer.write({ key: KEY, decide: increment });
    const store = new ScriptedStore(inner, {
      beforeRead: times(2, async () => {
        throw new StoreUnavailableError('throttled');
      }),
    });
    await expect(writerOver(store).writer.read(KEY)).resolves.toMatchObject({ count: 1, version: 1 });
  });
});
