import { decodeItem, encodeItem } from '../../lambda/store/item-codec';
import type {
  ExpectedVersion,
  NewRecord,
  SessionStore,
  StoredRecord,
  WriteResult,
} from '../../lambda/store/session-store';

/**
 * An in-memory SessionStore for fast unit tests of the service logic. It goes through the real item codec, so a
 * stored document is a copy (as in DynamoDB) and the same exact-number encoding is exercised.
 */
export class MemorySessionStore implements SessionStore {
  private readonly items = new Map<string, ReturnType<typeof encodeItem>>();

  async read(key: string): Promise<StoredRecord | undefined> {
    const item = this.items.get(key);
    return item === undefined ? undefined : decodeItem(item);
  }

  async write(key: string, record: NewRecord, expected: ExpectedVersion): Promise<WriteResult> {
    const current = this.items.get(key);
    const currentVersion = current === undefined ? undefined : Number(current.version?.N);
    const ok = 'absent' in expected ? current === undefined : currentVersion === expected.version;
    if (!ok) return { outcome: 'rejected', current: current === undefined ? undefined : decodeItem(current) };
    const version = 'absent' in expected ? 1 : expected.version + 1;
    this.items.set(key, encodeItem(key, record, version));
    return { outcome: 'written', version };
  }
}
