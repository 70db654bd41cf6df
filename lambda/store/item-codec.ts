import { gunzipSync, gzipSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type JsonValue, parseExactJson, stringifyExactJson } from '../domain/json';
import type { SessionDocument } from '../domain/session-document';
import type { NewRecord, StoredRecord } from './session-store';
import { dueShardOf, SESSION_ITEM_ATTRIBUTES } from './table-schema';

/** Attribute names of a session item; the table's key and TTL attribute among them (table-schema.ts). */
export const ATTR = SESSION_ITEM_ATTRIBUTES;

/**
 * Documents above this size are gzipped (level 1): write units grow with item size (1 WCU per KB), and gzip of a
 * large session takes well under a millisecond (DESIGN.md). Small documents stay plain JSON text.
 */
export const COMPRESS_ABOVE_BYTES = 4096;

export function encodeItem(key: string, record: NewRecord, version: number): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    [ATTR.key]: { S: key },
    [ATTR.version]: { N: String(version) },
  };
  if (record.expiresAt !== undefined) item[ATTR.ttl] = { N: String(record.expiresAt) };
  const ids = record.recentWriteIds ?? [];
  if (ids.length > 0) item[ATTR.recentWriteIds] = { L: ids.map((id) => ({ S: id })) };
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
  const text = stringifyExactJson(record.document as unknown as JsonValue);
  if (Buffer.byteLength(text) > COMPRESS_ABOVE_BYTES) {
    item[ATTR.document] = { B: gzipSync(text, { level: 1 }) };
    item[ATTR.encoding] = { S: 'gzip' };
  } else {
    item[ATTR.document] = { S: text };
  }
  return item;
}

export function decodeItem(item: Record<string, AttributeValue>): StoredRecord {
  const version = Number(item[ATTR.version]?.N ?? Number.NaN);
  const ttl = item[ATTR.ttl]?.N;
  const expiresAt = ttl === undefined ? {} : { expiresAt: Number(ttl) };
  const recentWriteIds = (item[ATTR.recentWriteIds]?.L ?? []).map((id) => id.S ?? '');
  if (item[ATTR.deleted]?.BOOL === true) {
    const changeNumber = item[ATTR.changeNumber]?.N;
    return {
      kind: 'deleted',
      version,
      correlationId: item[ATTR.correlationId]?.S ?? '',
      ...(changeNumber === undefined ? {} : { changeNumber: Number(changeNumber) }),
      recentWriteIds,
      ...expiresAt,
    };
  }
  const stored = item[ATTR.document];
  const text = stored?.B !== undefined ? gunzipSync(stored.B).toString('utf8') : (stored?.S ?? '');
  const document = parseExactJson(text) as unknown as SessionDocument;
  return { kind: 'session', document, version, recentWriteIds, ...expiresAt };
}
