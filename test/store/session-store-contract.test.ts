import { randomUUID } from 'node:crypto';
import { type AttributeValue, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { parseExactJson, stringifyExactJson } from '../../lambda/domain/json';
import type { SessionDocument } from '../../lambda/domain/session-document';
import { DynamoDbSessionStore } from '../../lambda/store/dynamodb-session-store';
import { COMPRESS_ABOVE_BYTES } from '../../lambda/store/item-codec';
import { type SessionStore, StoreUnavailableError } from '../../lambda/store/session-store';
import { SESSION_ITEM_ATTRIBUTES, SESSION_TABLE } from '../../lambda/store/table-schema';
import { ensureSessionTable } from '../../local/create-table';
import { makeLocalAdminClient } from '../../local/dynamodb-local';
import { MemorySessionStore } from '../support/memory-session-store';

// The SessionStore port's contract, run on every implementation: the DynamoDB store on DynamoDB Local (global setup
// sets DYNAMODB_ENDPOINT) and the in-memory store the service tests use. What the service's retry loop relies on:
// strongly consistent reads, conditional create and write at a version, the winning item on a lost race, tombstones,
// the recent write ids and the TTL attribute.

/** One implementation under test, with a look at the raw item (attribute values as DynamoDB holds them). */
interface StoreFixture {
  readonly store: SessionStore;
  rawItem(key: string): Promise<Record<string, AttributeValue> | undefined>;
}

// The SDK's default time-outs, not the service's 1 s ones: on a busy machine a slow answer must not fail a test.
const client = makeLocalAdminClient(process.env.DYNAMODB_ENDPOINT as string);
const tableName = `store-contract-${randomUUID()}`;
let tableReady: Promise<void> | undefined;
afterAll(() => client.destroy());

const IMPLEMENTATIONS: [string, () => Promise<StoreFixture>][] = [
  [
    'the in-memory store',
    async () => {
      const store = new MemorySessionStore();
      return { store, rawItem: async (key) => store.itemOf(key) };
    },
  ],
  [
    'the DynamoDB store (DynamoDB Local)',
    async () => {
      tableReady ??= ensureSessionTable(client, tableName);
      await tableReady;
      return {
        store: new DynamoDbSessionStore(client, tableName),
        rawItem: async (key) =>
          (
            await client.send(
              new GetItemCommand({
                TableName: tableName,
                Key: { [SESSION_TABLE.partitionKey.name]: { S: key } },
                ConsistentRead: true,
              }),
            )
          ).Item,
      };
    },
  ],
];

const documentWith = (marker: number, extra: Record<string, unknown> = {}) =>
  ({ changeNumber: marker, marker, ...extra }) as unknown as SessionDocument;
const newKey = () => `scid#template#${randomUUID()}`;

describe.each(IMPLEMENTATIONS)('%s', (_name, makeFixture) => {
  let fixture: StoreFixture;
  let store: SessionStore;
  beforeAll(async () => {
    fixture = await makeFixture();
    store = fixture.store;
  });

  describe('reading', () => {
    it('reads an absent key as undefined', async () => {
      expect(await store.read(newKey())).toBeUndefined();
    });

    it('reads a session back as written: document with exact numbers, version 1, no write ids', async () => {
      const key = newKey();
      const text = '{"changeNumber":1,"custom":{"big":12345678901234567890}}';
      await store.write(key, { kind: 'session', document: parseExactJson(text) as never }, { absent: true });
      const read = await store.read(key);
      expect(read).toMatchObject({ kind: 'session', version: 1, recentWriteIds: [] });
      expect(read?.kind === 'session' && stringifyExactJson(read.document as never)).toBe(text);
    });

    it('keeps a copy: changing the written document afterwards changes nothing stored', async () => {
      const key = newKey();
      const document = documentWith(1) as unknown as { marker: number };
      await store.write(key, { kind: 'session', document: document as unknown as SessionDocument }, { absent: true });
      document.marker = 99;
      expect(await store.read(key)).toMatchObject({ document: { marker: 1 } });
    });

    it('reads back a document large enough to be stored compressed', async () => {
      const key = newKey();
      const document = documentWith(1, { custom: { pad: 'x'.repeat(COMPRESS_ABOVE_BYTES * 2) } });
      await store.write(key, { kind: 'session', document }, { absent: true });
      expect(await store.read(key)).toMatchObject({ kind: 'session', document, version: 1 });
    });
  });

  describe('conditional create', () => {
    it('creates an absent key at version 1', async () => {
      expect(await store.write(newKey(), { kind: 'session', document: documentWith(1) }, { absent: true })).toEqual({
        outcome: 'written',
        version: 1,
      });
    });

    it('rejects a create on an existing key, returning the item that is there', async () => {
      const key = newKey();
      await store.write(key, { kind: 'session', document: documentWith(1), recentWriteIds: ['w1'] }, { absent: true });
      const lost = await store.write(key, { kind: 'session', document: documentWith(2) }, { absent: true });
      expect(lost).toEqual({
        outcome: 'rejected',
        current: { kind: 'session', document: documentWith(1), version: 1, recentWriteIds: ['w1'] },
      });
      expect(await store.read(key)).toMatchObject({ version: 1, document: { marker: 1 } });
    });
  });

  describe('writing at a version', () => {
    it('writes at the current version and answers the next one', async () => {
      const key = newKey();
      await store.write(key, { kind: 'session', document: documentWith(1) }, { absent: true });
      expect(await store.write(key, { kind: 'session', document: documentWith(2) }, { version: 1 })).toEqual({
        outcome: 'written',
        version: 2,
      });
      expect(await store.read(key)).toMatchObject({ version: 2, document: { marker: 2 } });
    });

    it('rejects a stale version, returning the winning item, and the winner stays stored', async () => {
      const key = newKey();
      await store.write(key, { kind: 'session', document: documentWith(1) }, { absent: true });
      await store.write(key, { kind: 'session', document: documentWith(2) }, { version: 1 });
      const lost = await store.write(key, { kind: 'session', document: documentWith(3) }, { version: 1 });
      expect(lost.outcome === 'rejected' && lost.current).toMatchObject({ version: 2, document: { marker: 2 } });
      expect(await store.read(key)).toMatchObject({ version: 2, document: { marker: 2 } });
    });

    it('rejects a write at a version on an absent key, with no current item', async () => {
      expect(await store.write(newKey(), { kind: 'session', document: documentWith(1) }, { version: 1 })).toEqual({
        outcome: 'rejected',
        current: undefined,
      });
    });
  });

  describe('tombstones', () => {
    it('stores a deleted session as a tombstone with its correlation id, version and expiry', async () => {
      const key = newKey();
      await store.write(key, { kind: 'session', document: documentWith(1) }, { absent: true });
      const deleted = { kind: 'deleted', correlationId: 'c-1', expiresAt: 1_900_000_000, recentWriteIds: ['w2', 'w1'] };
      expect(await store.write(key, deleted as never, { version: 1 })).toEqual({ outcome: 'written', version: 2 });
      expect(await store.read(key)).toEqual({
        kind: 'deleted',
        version: 2,
        correlationId: 'c-1',
        expiresAt: 1_900_000_000,
        recentWriteIds: ['w2', 'w1'],
      });
    });

    it('keeps every write conditional: re-creating over a tombstone needs its version', async () => {
      const key = newKey();
      await store.write(key, { kind: 'deleted', correlationId: 'c-1', expiresAt: 1_900_000_000 }, { absent: true });
      const lost = await store.write(key, { kind: 'session', document: documentWith(1) }, { absent: true });
      expect(lost).toMatchObject({
        outcome: 'rejected',
        current: { kind: 'deleted', version: 1, correlationId: 'c-1' },
      });
      expect(await store.write(key, { kind: 'session', document: documentWith(1) }, { version: 1 })).toEqual({
        outcome: 'written',
        version: 2,
      });
      expect(await store.read(key)).toMatchObject({ kind: 'session', version: 2 });
    });
  });

  describe('recent write ids', () => {
    it('keeps the ids in the order written (newest first) on reads and on rejections', async () => {
      const key = newKey();
      const ids = Array.from({ length: 32 }, (_, i) => `w${32 - i}`);
      await store.write(key, { kind: 'session', document: documentWith(1), recentWriteIds: ids }, { absent: true });
      expect((await store.read(key))?.recentWriteIds).toEqual(ids);
      const lost = await store.write(key, { kind: 'session', document: documentWith(2) }, { version: 7 });
      expect(lost.outcome === 'rejected' && lost.current?.recentWriteIds).toEqual(ids);
    });

    it('replaces the ids with those of each write', async () => {
      const key = newKey();
      await store.write(key, { kind: 'session', document: documentWith(1), recentWriteIds: ['a'] }, { absent: true });
      await store.write(
        key,
        { kind: 'session', document: documentWith(2), recentWriteIds: ['b', 'a'] },
        { version: 1 },
      );
      expect((await store.read(key))?.recentWriteIds).toEqual(['b', 'a']);
    });
  });

  describe('the TTL attribute', () => {
    it('stores expiresAt as the numeric TTL attribute of the table schema, and reads it back', async () => {
      const key = newKey();
      await store.write(
        key,
        { kind: 'session', document: documentWith(1), expiresAt: 1_800_000_000 },
        { absent: true },
      );
      const item = await fixture.rawItem(key);
      expect(item?.[SESSION_TABLE.timeToLiveAttribute]).toEqual({ N: '1800000000' });
      expect(item?.[SESSION_ITEM_ATTRIBUTES.key]).toEqual({ S: key });
      expect(await store.read(key)).toMatchObject({ expiresAt: 1_800_000_000 });
    });

    it('leaves the TTL attribute out of a session that never expires', async () => {
      const key = newKey();
      await store.write(key, { kind: 'session', document: documentWith(1) }, { absent: true });
      expect(await fixture.rawItem(key)).not.toHaveProperty(SESSION_TABLE.timeToLiveAttribute);
      expect(await store.read(key)).not.toHaveProperty('expiresAt');
    });
  });

  describe('the time budget', () => {
    it('fails a call whose abort signal has fired with StoreUnavailableError (the caller may retry)', async () => {
      const signal = AbortSignal.abort();
      await expect(store.read(newKey(), { abortSignal: signal })).rejects.toBeInstanceOf(StoreUnavailableError);
      const write = store.write(
        newKey(),
        { kind: 'session', document: documentWith(1) },
        { absent: true },
        {
          abortSignal: signal,
        },
      );
      await expect(write).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });
});
