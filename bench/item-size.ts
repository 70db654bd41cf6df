// Stored item size of `npm run bench`: the session items the handler-cost run stored (the real item codec, 32 write
// ids, varied 2 KB of custom data per member), sized as DynamoDB bills them, with the codec's compression and
// without, with the gzip level 1 stored before issue 12, and with two stronger codecs for comparison. 1 write unit per
// started KB (standard table, PutItem).
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type JsonValue, stringifyExactJson } from '../lambda/domain/json';
import { ATTR, decodeItem } from '../lambda/store/item-codec';

/** An attribute value's billed size (DynamoDB developer guide, "Item sizes"). */
function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueBytes(v), 0);
  if (value.M !== undefined) return 3 + itemBytes(value.M) + Object.keys(value.M).length;
  throw new Error(`unsized attribute value ${JSON.stringify(value)}`);
}

/** An item's billed size: attribute names plus values. */
export function itemBytes(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

export const writeUnits = (bytes: number) => Math.ceil(bytes / 1024);

export interface ItemSize {
  readonly members: number;
  /** The document as JSON text. */
  readonly jsonBytes: number;
  /** The item as the codec stores it, and the same item with the document as plain text. */
  readonly storedBytes: number;
  readonly uncompressedBytes: number;
  /** The 32 write ids' share of the item. */
  readonly writeIdsBytes: number;
  /**
   * The item with the document as brotli quality 1 (issue 12's first format), gzipped at level 1 (the format before
   * issue 12), level 9, and brotli quality 5.
   */
  readonly brotli1Bytes: number;
  readonly gzip1Bytes: number;
  readonly gzip9Bytes: number;
  readonly brotliBytes: number;
}

/** The JSON text of the session an item holds, as a client reads it whole. */
export function documentJsonOf(item: Record<string, AttributeValue>): string {
  const record = decodeItem(item);
  if (record.kind !== 'session') throw new Error('the item holds no session');
  return stringifyExactJson(record.document as unknown as JsonValue);
}

export function measureItemSize(members: number, item: Record<string, AttributeValue>): ItemSize {
  const text = documentJsonOf(item);
  const { [ATTR.encoding]: _encoding, ...rest } = item;
  const withDocument = (document: AttributeValue, encoding?: string) =>
    itemBytes({
      ...rest,
      [ATTR.document]: document,
      ...(encoding === undefined ? {} : { [ATTR.encoding]: { S: encoding } }),
    });
  const ids = item[ATTR.recentWriteIds];
  return {
    members,
    jsonBytes: Buffer.byteLength(text),
    storedBytes: itemBytes(item),
    uncompressedBytes: withDocument({ S: text }),
    writeIdsBytes: ids === undefined ? 0 : Buffer.byteLength(ATTR.recentWriteIds) + valueBytes(ids),
    brotli1Bytes: withDocument(
      {
        B: brotliCompressSync(text, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
        }),
      },
      'br',
    ),
    gzip1Bytes: withDocument({ B: gzipSync(text, { level: 1 }) }, 'gzip'),
    gzip9Bytes: withDocument({ B: gzipSync(text, { level: 9 }) }, 'gzip'),
    brotliBytes: withDocument(
      { B: brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }) },
      'br',
    ),
  };
}
