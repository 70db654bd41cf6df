import {
  type ConditionalWriteResult,
  type ExpectedVersion,
  type StoreCallOptions,
  StoreUnavailableError,
  type VersionedRecord,
  type VersionedStore,
} from '../../lambda/store/versioned-store';

/**
 * An in-memory VersionedStore for any item content `C` (a counter in the conditional-write loop's tests): items are
 * copied in and out, written only at the expected version, and a lost race returns the winner's item, as the
 * session stores do (test/store/session-store-contract.test.ts).
 */
export class MemoryVersionedStore<C extends object>
  implements VersionedStore<C & VersionedRecord, C & { readonly recentWriteIds?: readonly string[] }>
{
  private readonly items = new Map<string, C & VersionedRecord>();

  async read(key: string, options?: StoreCallOptions): Promise<(C & VersionedRecord) | undefined> {
    throwIfAborted(options);
    const item = this.items.get(key);
    return item === undefined ? undefined : structuredClone(item);
  }

  async write(
    key: string,
    record: C & { readonly recentWriteIds?: readonly string[] },
    expected: ExpectedVersion,
    options?: StoreCallOptions,
  ): Promise<ConditionalWriteResult<C & VersionedRecord>> {
    throwIfAborted(options);
    const current = this.items.get(key);
    const ok = 'absent' in expected ? current === undefined : current?.version === expected.version;
    if (!ok) return { outcome: 'rejected', current: current === undefined ? undefined : structuredClone(current) };
    const version = (current?.version ?? 0) + 1;
    this.items.set(key, structuredClone({ ...record, recentWriteIds: record.recentWriteIds ?? [], version }));
    return { outcome: 'written', version };
  }
}

function throwIfAborted(options: StoreCallOptions | undefined): void {
  if (options?.abortSignal?.aborted === true) throw new StoreUnavailableError('the call was aborted');
}
