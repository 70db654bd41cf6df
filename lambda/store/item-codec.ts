import { brotliDecompressSync, constants, gunzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { parseExactJson, parseSerializedJson } from '../domain/json';
import { parseStoredSessionText, storedSessionText } from '../domain/session/session-text';
import type { SessionDocument } from '../domain/session-document';
import type { NewRecord, StoredRecord } from './session-store';
import { dueShardOf, listShardOf, SESSION_ITEM_ATTRIBUTES } from './table-schema';

/** Attribute names of a session item; the table's key and TTL attribute among them (table-schema.ts). */
export const ATTR = SESSION_ITEM_ATTRIBUTES;

/**
 * Documents above this size are compressed: DynamoDB bills a write by the started KB of the whole item, and
 * compression takes a 1-member session with 2 KB of custom data from 4 write units to 2 for some 30 microseconds of
 * CPU (`npm run bench`). Below it compression cannot save a unit: the text stays as it is.
 */
export const COMPRESS_ABOVE_BYTES = 1024;

// Zstandard at level 1 (Node's zlib, since 22.15): on the bench's 32- and 100-member sessions with varied custom data
// it came to 0.28 of the JSON, against 0.31 for the brotli quality 1 written before, at about half brotli's CPU to
// compress and a third to decompress (docs/performance.md, "What changed"). Levels 2 and 3 were no smaller here and
// slower; level -1 larger and no faster; level -5 faster but half the JSON (twice the write units).
if (typeof zstdCompressSync !== 'function') {
  // Say so at load (a cold start) rather than as "not a function" at a session's first write.
  throw new Error(`session items are written with zstd, which Node ${process.version} lacks: run Node 22.15 or later`);
}
const ZSTD_OPTIONS = { params: { [constants.ZSTD_c_compressionLevel]: 1 } };

/** How documents are compressed as written now; the bench measures this very pair (bench/micro.ts). */
export const documentCompression = {
  name: 'zstd level 1',
  compress: (bytes: Uint8Array): Buffer => zstdCompressSync(bytes, ZSTD_OPTIONS),
  decompress: (bytes: Uint8Array): Buffer => zstdDecompressSync(bytes),
} as const;

/**
 * How the `doc` attribute is written, named by the `enc` attribute: its compression; its layout, the document's
 * JSON text whole or as the stored session text (session-text.ts: the document with its custom values apart, so a
 * read knows their texts); and whether its numbers are all plain (JSON.parse reads them back exactly) or some need
 * the exact parser (a {@link LosslessNumber}: spec §9.9). Knowing it from the write spares every read the scan that
 * would otherwise decide it. Items written before these formats (no `enc`, or `gzip`) say nothing of their numbers;
 * their text is scanned as any untrusted text is.
 */
const DOCUMENT_FORMATS = {
  parts: { compression: 'none', layout: 'parts', plainNumbers: true },
  'parts-lossless': { compression: 'none', layout: 'parts', plainNumbers: false },
  'zstd-parts': { compression: 'zstd', layout: 'parts', plainNumbers: true },
  'zstd-parts-lossless': { compression: 'zstd', layout: 'parts', plainNumbers: false },
  // Written before: read, never written.
  json: { compression: 'none', layout: 'whole', plainNumbers: true },
  'json-lossless': { compression: 'none', layout: 'whole', plainNumbers: false },
  br: { compression: 'brotli', layout: 'whole', plainNumbers: true },
  'br-lossless': { compression: 'brotli', layout: 'whole', plainNumbers: false },
  gzip: { compression: 'gzip', layout: 'whole', plainNumbers: undefined },
} as const satisfies Record<
  string,
  {
    compression: 'none' | 'zstd' | 'brotli' | 'gzip';
    layout: 'whole' | 'parts';
    plainNumbers: boolean | undefined;
  }
>;
type DocumentFormat = keyof typeof DOCUMENT_FORMATS;

/** How each compression named by a format is undone: the one written now, and those of items written before. */
const DECOMPRESS = {
  zstd: documentCompression.decompress,
  brotli: brotliDecompressSync,
  gzip: gunzipSync,
} as const;

/**
 * Write ids as the service makes them (randomUUID): lower-case hex in the 8-4-4-4-12 form, any number of them one
 * after the other (one test of the joined ids rather than one per id: a PUT writes 32).
 */
const CANONICAL_UUIDS = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})*$/;
const UUID_BYTES = 16;
const UUID_TEXT_LENGTH = 36;

/**
 * The recent write ids (every item carries 32): as one binary of 16 bytes per id when all are UUIDs in the form the
 * service makes, which DynamoDB bills about 0.5 KB against 1.2 KB for a list of 36-character strings (a 1-member
 * session's item went from 3 write units to 2); any other id (tests name their own) keeps the list of strings.
 * By hand because it is only hex: Buffer reads and writes it, and node:crypto has no UUID parser.
 */
function encodeWriteIds(ids: readonly string[]): AttributeValue {
  // Every id 36 characters long and the joined text UUID after UUID: then each id is one.
  const joined = ids.join('');
  const canonical = ids.every((id) => id.length === UUID_TEXT_LENGTH) && CANONICAL_UUIDS.test(joined);
  if (!canonical) return { L: ids.map((id) => ({ S: id })) };
  return { B: Buffer.from(joined.replaceAll('-', ''), 'hex') };
}

/** The write ids back, from either form (items written before the binary form hold the list). */
function decodeWriteIds(value: AttributeValue | undefined): string[] {
  if (value?.B === undefined) return (value?.L ?? []).map((id) => id.S ?? '');
  const hex = Buffer.from(value.B.buffer, value.B.byteOffset, value.B.byteLength).toString('hex');
  const ids: string[] = [];
  for (let at = 0; at + UUID_BYTES * 2 <= hex.length; at += UUID_BYTES * 2) {
    const h = hex.slice(at, at + UUID_BYTES * 2);
    ids.push(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);
  }
  return ids;
}

export function encodeItem(key: string, record: NewRecord, version: number): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    [ATTR.key]: { S: key },
    [ATTR.version]: { N: String(version) },
  };
  if (record.expiresAt !== undefined) item[ATTR.ttl] = { N: String(record.expiresAt) };
  const ids = record.recentWriteIds ?? [];
  if (ids.length > 0) item[ATTR.recentWriteIds] = encodeWriteIds(ids);
  if (record.writtenAt !== undefined) item[ATTR.writtenAt] = { N: String(record.writtenAt) };
  if (record.kind === 'deleted') {
    item[ATTR.deleted] = { BOOL: true };
    item[ATTR.correlationId] = { S: record.correlationId };
    if (record.changeNumber !== undefined) item[ATTR.changeNumber] = { N: String(record.changeNumber) };
    return item;
  }
  if (record.timersDueAt !== undefined) {
    // The sweeper's index (DUE_INDEX): a session is in it exactly while a timer is pending.
    item[ATTR.dueShard] = { S: dueShardOf(key) };
    item[ATTR.dueAt] = { N: String(record.timersDueAt) };
  }
  // The listing index (SESSION_LIST_INDEX): every live session, by SCID and start time; a tombstone leaves it.
  // (A document without a start time is no session a client made, only a store test's: DynamoDB refuses an empty key.)
  const startTime = record.document.startTime;
  if (typeof startTime === 'string' && startTime !== '') {
    item[ATTR.listShard] = { S: listShardOf(key) };
    item[ATTR.listStart] = { S: startTime };
  }
  // The commit's own stored text when it made one (its size check measured it), else one made here.
  const stored = record.storedText ?? storedSessionText(record.document);
  const bytes = Buffer.from(stored.text);
  const compress = bytes.length > COMPRESS_ABOVE_BYTES;
  const format: DocumentFormat = compress
    ? stored.plainNumbers
      ? 'zstd-parts'
      : 'zstd-parts-lossless'
    : stored.plainNumbers
      ? 'parts'
      : 'parts-lossless';
  item[ATTR.document] = compress ? { B: documentCompression.compress(bytes) } : { S: stored.text };
  item[ATTR.encoding] = { S: format };
  return item;
}

export function decodeItem(item: Record<string, AttributeValue>): StoredRecord {
  const version = Number(item[ATTR.version]?.N ?? Number.NaN);
  const ttl = item[ATTR.ttl]?.N;
  const expiresAt = ttl === undefined ? {} : { expiresAt: Number(ttl) };
  const recentWriteIds = decodeWriteIds(item[ATTR.recentWriteIds]);
  const written = item[ATTR.writtenAt]?.N;
  const writtenAt = written === undefined ? {} : { writtenAt: Number(written) };
  if (item[ATTR.deleted]?.BOOL === true) {
    const changeNumber = item[ATTR.changeNumber]?.N;
    return {
      kind: 'deleted',
      version,
      correlationId: item[ATTR.correlationId]?.S ?? '',
      ...(changeNumber === undefined ? {} : { changeNumber: Number(changeNumber) }),
      recentWriteIds,
      ...expiresAt,
      ...writtenAt,
    };
  }
  const document = parseDocument(item);
  return { kind: 'session', document, version, recentWriteIds, ...expiresAt, ...writtenAt };
}

/** The `doc` attribute read back in the format `enc` names. */
function parseDocument(item: Record<string, AttributeValue>): SessionDocument {
  const { text, layout, plainNumbers } = storedDocumentText(item);
  if (layout === 'parts') return parseStoredSessionText(text, plainNumbers as boolean);
  const document = plainNumbers === undefined ? parseExactJson(text) : parseSerializedJson({ text, plainNumbers });
  return document as unknown as SessionDocument;
}

/**
 * The text of a session item's document, decompressed as `enc` says (no `enc`: plain text, as the first items were
 * written), its layout, and what the format says of its numbers (undefined: nothing, the text must be scanned).
 */
function storedDocumentText(item: Record<string, AttributeValue>): {
  readonly text: string;
  readonly layout: 'whole' | 'parts';
  readonly plainNumbers: boolean | undefined;
} {
  const name = item[ATTR.encoding]?.S;
  if (name !== undefined && !Object.hasOwn(DOCUMENT_FORMATS, name)) {
    throw new Error(`session item ${item[ATTR.key]?.S}: unknown document encoding "${name}"`);
  }
  const format = name === undefined ? undefined : DOCUMENT_FORMATS[name as DocumentFormat];
  const stored = item[ATTR.document];
  if (format === undefined || format.compression === 'none') {
    return { text: stored?.S ?? '', layout: format?.layout ?? 'whole', plainNumbers: format?.plainNumbers };
  }
  const binary = binaryOf(stored);
  const bytes = DECOMPRESS[format.compression](binary);
  return { text: bytes.toString('utf8'), layout: format.layout, plainNumbers: format.plainNumbers };
}

function binaryOf(stored: AttributeValue | undefined): Uint8Array {
  if (stored?.B === undefined) throw new Error('a compressed session document must be a binary attribute');
  return stored.B;
}
