import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { decodeItem, encodeItem } from '../../lambda/store/item-codec';
import {
  type ExpectedVersion,
  type NewRecord,
  type SessionStore,
  type StoreCallOptions,
  type StoredRecord,
  StoreUnavailableError,
  type WriteResult,
} from '../../lambda/store/session-store';

/**
 * An in-memory SessionStore for fast unit tests of the service logic. It goes through the real item codec, so a
 * stored document is a copy (as in DynamoDB) and the same exact-number encoding is exercised. The store contract suite
 * (test/store/session-store-contract.test.ts) proves it behaves as the DynamoDB store does.
 */
export class MemorySessionStore implements SessionStore {
  private readonly items = new Map<string, Record<string, AttributeValue>>();

  async read(key: string, options?: StoreCallOptions): Promise<StoredRecord | undefined> {
    throwIfAborted(options, 'GetItem');
    const item = this.items.get(key);
    return item === undefined ? undefined : decodeItem(item);
  }

  async write(
    key: string,
    record: NewRecord,
    expected: ExpectedVersion,
    options?: StoreCallOptions,
  ): Promise<WriteResult> {
    throwIfAborted(options, 'PutItem');
    const current = this.items.get(key);
    const currentVersion = current === undefined ? undefined : Number(current.version?.N);
    const ok = 'absent' in expected ? current === undefined : currentVersion === expected.version;
    if (!ok) return { outcome: 'rejected', current: current === undefined ? undefined : decodeItem(current) };
    const version = 'absent' in expected ? 1 : expected.version + 1;
    this.items.set(key, encodeItem(key, record, version));
    return { outcome: 'written', version };
  }

  /** The stored item as DynamoDB would hold it (attribute values), for the contract suite's TTL check. */
  itemOf(key: string): Record<string, AttributeValue> | undefined {
    return this.items.get(key);
  }
}

/** As the DynamoDB store does: a call whose time budget has run out fails as a fault a later attempt may not meet. */
function throwIfAborted(options: StoreCallOptions | undefined, action: string): void {
  if (options?.abortSignal?.aborted === true) {
    throw new StoreUnavailableError(`${action} failed and may succeed later`, { cause: options.abortSignal.reason });
  }
}
