import { randomUUID } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { parseExactJson, stringifyExactJson } from '../../lambda/domain/json';
import type { SessionDocument } from '../../lambda/domain/session-document';
import { DynamoDbSessionStore } from '../../lambda/store/dynamodb-session-store';
import { COMPRESS_ABOVE_BYTES, decodeItem, encodeItem } from '../../lambda/store/item-codec';
import { SESSION_ITEM_ATTRIBUTES as ATTR } from '../../lambda/store/table-schema';
import { ensureSessionTable } from '../../local/create-table';
import { makeLocalAdminClient } from '../../local/dynamodb-local';

// The stored item's format (lambda/store/item-codec.ts): how `doc` is written (zstd above the threshold, plain
// text below) and what `enc` says of it, the recent write ids as one binary, and that items written in the earlier
// formats (plain text without `enc`; gzip; brotli; ids as a list) are still read, numbers exact, through the DynamoDB store
// on DynamoDB Local.

const client = makeLocalAdminClient(process.env.DYNAMODB_ENDPOINT as string);
const tableName = `item-format-${randomUUID()}`;
const store = new DynamoDbSessionStore(client, tableName);
beforeAll(() => ensureSessionTable(client, tableName));
afterAll(() => client.destroy());

const PADDING = 'x'.repeat(COMPRESS_ABOVE_BYTES);
// A 64-bit id and a decimal a double cannot print back: both need the exact parser (spec §9.9).
const LOSSLESS = '{"changeNumber":3,"properties":{"system":{},"custom":{"id":12345678901234567890,"price":1.10}}}';
const PLAIN =
  '{"changeNumber":3,"properties":{"system":{},"custom":{"score":42,"ratio":0.25,"xuid":"2533274790395904"}}}';
const padded = (text: string) => text.replace('"custom":{', `"custom":{"pad":"${PADDING}",`);
const newKey = () => `scid#template#${randomUUID()}`;
/** Two UUIDs with one character moved from the first to the second. */
const splitAcross = (a: string, b: string) => [a.slice(0, -1), a.slice(-1) + b];

describe('the stored document format', () => {
  it.each([
    ['a small document of plain numbers', 'parts', PLAIN, 'S'],
    ['a small document with lossless numbers', 'parts-lossless', LOSSLESS, 'S'],
    ['a large document of plain numbers', 'zstd-parts', padded(PLAIN), 'B'],
    ['a large document with lossless numbers', 'zstd-parts-lossless', padded(LOSSLESS), 'B'],
  ])('writes %s as enc "%s" and reads it back digit for digit', async (_case, encoding, text, type) => {
    const key = newKey();
    const document = parseExactJson(text) as unknown as SessionDocument;
    const item = encodeItem(key, { kind: 'session', document }, 1);
    expect(item[ATTR.encoding]).toEqual({ S: encoding });
    expect(Object.keys(item[ATTR.document] ?? {})).toEqual([type]);
    await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
    const read = await store.read(key);
    expect(read?.kind === 'session' && stringifyExactJson(read.document as never)).toBe(text);
  });

  it('stores the text the write decision made, without serialising the document again', () => {
    const document = parseExactJson(PLAIN) as unknown as SessionDocument;
    // A text that differs from the document shows which of the two was stored.
    const storedText = { text: '{"changeNumber":3,"marker":"from the decision"}', plainNumbers: true, jsonBytes: 46 };
    const item = encodeItem(newKey(), { kind: 'session', document, storedText }, 1);
    expect(item[ATTR.document]).toEqual({ S: storedText.text });
  });

  it.each([
    ['UUIDs as the service makes them, as one binary of 16 bytes each', [randomUUID(), randomUUID()], 32],
    ['any other ids as a list of strings', ['w2', randomUUID().toUpperCase()], undefined],
    // Joined, these two read as two UUIDs; one by one neither is one.
    ['ids that are UUIDs only when joined, as a list of strings', splitAcross(randomUUID(), randomUUID()), undefined],
  ])('stores the recent write ids, %s, and reads them back as written', async (_case, ids, binaryBytes) => {
    const key = newKey();
    const document = parseExactJson(PLAIN) as unknown as SessionDocument;
    const item = encodeItem(key, { kind: 'session', document, recentWriteIds: ids }, 1);
    const stored = item[ATTR.recentWriteIds];
    expect(stored?.B?.length).toBe(binaryBytes);
    if (binaryBytes === undefined) expect(stored?.L).toEqual(ids.map((id) => ({ S: id })));
    await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
    expect(await store.read(key)).toMatchObject({ recentWriteIds: ids });
  });

  const oldItem = (key: string, doc: AttributeValue, enc?: string): Record<string, AttributeValue> => ({
    [ATTR.key]: { S: key },
    [ATTR.version]: { N: '4' },
    [ATTR.recentWriteIds]: { L: [{ S: 'w4' }, { S: 'w3' }] },
    [ATTR.document]: doc,
    ...(enc === undefined ? {} : { [ATTR.encoding]: { S: enc } }),
  });

  it.each([
    ['plain text without enc', (text: string) => ({ S: text }), undefined],
    ['gzip (enc "gzip")', (text: string) => ({ B: gzipSync(text, { level: 1 }) }), 'gzip'],
  ])('reads items written before it, as %s, numbers exact', async (_case, docOf, enc) => {
    for (const text of [PLAIN, LOSSLESS, padded(LOSSLESS)]) {
      const key = newKey();
      await client.send(new PutItemCommand({ TableName: tableName, Item: oldItem(key, docOf(text), enc) }));
      const read = await store.read(key);
      expect(read).toMatchObject({ kind: 'session', version: 4, recentWriteIds: ['w4', 'w3'] });
      expect(read?.kind === 'session' && stringifyExactJson(read.document as never)).toBe(text);
    }
  });

  // The whole JSON text, as issue 12 first wrote documents (brotli quality 1 above the threshold); `enc` said whether
  // the numbers are plain.
  const brotli = (text: string) => ({
    B: brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }),
  });
  it.each([
    ['plain numbers as text (enc "json")', PLAIN, 'json', (text: string) => ({ S: text })],
    ['lossless numbers as text (enc "json-lossless")', LOSSLESS, 'json-lossless', (text: string) => ({ S: text })],
    ['plain numbers, brotli (enc "br")', padded(PLAIN), 'br', brotli],
    ['lossless numbers, brotli (enc "br-lossless")', padded(LOSSLESS), 'br-lossless', brotli],
  ])(
    'reads whole-text items written before the stored session text, %s, digit for digit',
    async (_case, text, enc, docOf) => {
      const key = newKey();
      await client.send(new PutItemCommand({ TableName: tableName, Item: oldItem(key, docOf(text), enc) }));
      const read = await store.read(key);
      expect(read).toMatchObject({ kind: 'session', version: 4, recentWriteIds: ['w4', 'w3'] });
      expect(read?.kind === 'session' && stringifyExactJson(read.document as never)).toBe(text);
    },
  );

  it('refuses an item whose enc it does not know, naming it, rather than guessing', () => {
    expect(() => decodeItem(oldItem('scid#template#name', { B: Buffer.from('zz') }, 'lz4'))).toThrow(
      'session item scid#template#name: unknown document encoding "lz4"',
    );
  });
});
