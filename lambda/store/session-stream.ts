import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { SessionRecord } from '../domain/session/session-record';
import { decodeItem } from './item-codec';
import { NON_SESSION_KEY_PREFIXES, SESSION_ITEM_ATTRIBUTES } from './table-schema';

// The sessions table's stream records (NEW_AND_OLD_IMAGES) read back into the domain's session records, whichever
// way they arrived: a Lambda event source (binary attributes as base64 text) or DynamoDB Streams' GetRecords
// through the SDK (binary attributes as bytes; the local poller).

/** One committed change of one session, as the tap function reads it. */
export interface SessionChange {
  /** The stream's sequence number: a Lambda batch reports the first record it could not handle by it. */
  readonly sequenceNumber: string;
  /** The session's storage key `<scid>#<template>#<name>`. */
  readonly sessionKey: string;
  readonly before: SessionRecord | undefined;
  readonly after: SessionRecord | undefined;
  /** Epoch ms of the change (the record's approximate creation time). */
  readonly changedAt: number;
}

/** A stream image attribute: the SDK's AttributeValue, or a Lambda event's, whose `B` is base64 text. */
type ImageValue = Omit<AttributeValue, 'B'> & { B?: Uint8Array | string };
type Image = Record<string, ImageValue>;

/** What a stream record holds, in the shape both sources share. */
export interface StreamRecordLike {
  readonly eventName?: string;
  readonly dynamodb?: {
    readonly Keys?: Image;
    readonly NewImage?: Image;
    readonly OldImage?: Image;
    readonly SequenceNumber?: string;
    /** Epoch seconds (Lambda) or a Date (the SDK). */
    readonly ApproximateCreationDateTime?: number | Date;
  };
}

/**
 * A stream record as a session change; undefined for a record that is not one: no key, a handle's or a finder's item (they live
 * in the sessions table under their own key prefixes, and their changes tap nobody), or a REMOVE, which is only ever
 * DynamoDB's TTL collecting garbage (a deleted session is a tombstone write, so its deletion is a MODIFY).
 */
export function readSessionChange(record: StreamRecordLike, now: number): SessionChange | undefined {
  const data = record.dynamodb;
  const sessionKey = data?.Keys?.[SESSION_ITEM_ATTRIBUTES.key]?.S;
  if (data === undefined || sessionKey === undefined || record.eventName === 'REMOVE') return undefined;
  if (NON_SESSION_KEY_PREFIXES.some((prefix) => sessionKey.startsWith(prefix))) return undefined;
  const created = data.ApproximateCreationDateTime;
  return {
    sequenceNumber: data.SequenceNumber ?? '',
    sessionKey,
    before: decodeImage(data.OldImage),
    after: decodeImage(data.NewImage),
    changedAt: created instanceof Date ? created.getTime() : created === undefined ? now : created * 1000,
  };
}

function decodeImage(image: Image | undefined): SessionRecord | undefined {
  if (image === undefined) return undefined;
  const item: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(image)) {
    item[name] = (typeof value.B === 'string' ? { B: Buffer.from(value.B, 'base64') } : value) as AttributeValue;
  }
  return decodeItem(item);
}
