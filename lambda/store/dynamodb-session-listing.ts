import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { translateStoreError } from './error-translation';
import { decodeItem } from './item-codec';
import type { ListingPage, ListingRequest, SessionListing } from './session-listing';
import type { StoredRecord } from './session-store';
import {
  SESSION_ITEM_ATTRIBUTES as ATTR,
  listShardName,
  listShardOf,
  SESSION_LIST_INDEX,
  SESSION_LIST_SHARDS,
} from './table-schema';
import { StoreUnavailableError } from './versioned-store';

// The QA listing on DynamoDB: the listing index (table-schema.ts SESSION_LIST_INDEX) spreads a SCID's sessions over
// SESSION_LIST_SHARDS partitions, each sorted by start time; a page is a merge of the shards, newest first. The
// continuation token records, per shard, the last entry this listing handed out (or that the shard is done), so the
// next page resumes each shard right after it: every session is listed exactly once while it stays put. A merge by
// hand: it is the listing's own paging over its own shards, which no library knows.

/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_KEYS = 100;
/** Rounds of re-asking BatchGetItem for keys it left unprocessed (throttling), before answering 503. */
const UNPROCESSED_ROUNDS = 5;

/** Where one shard stands: not read yet, read up to (and including) an entry, or read to its end. */
type ShardPosition = 'start' | 'done' | { readonly pk: string; readonly start: string };

/** What the token holds: the listing it belongs to and each shard's position. */
interface TokenContent {
  readonly v: 1;
  readonly scid: string;
  readonly tpl: string | null;
  readonly shards: readonly ShardPosition[];
}

interface IndexEntry {
  readonly pk: string;
  readonly start: string;
}

/** One shard during a page: entries read but not yet handed out, and where its next Query starts. */
interface ShardReader {
  readonly shard: number;
  buffer: IndexEntry[];
  /** The ExclusiveStartKey of the next Query; undefined with `more` false when the shard is read to its end. */
  next: IndexEntry | undefined;
  more: boolean;
  /** The last entry handed out on this page (the shard's position for the token). */
  last: IndexEntry | undefined;
}

export class DynamoDbSessionListing implements SessionListing {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async newestFirst(request: ListingRequest): Promise<ListingPage> {
    const scid = request.scid.toLowerCase();
    const tpl = request.templateName?.toLowerCase() ?? null;
    const positions = request.continuationToken === undefined ? undefined : readToken(request.continuationToken);
    if (positions === undefined && request.continuationToken !== undefined) {
      return { kind: 'invalid-token', reason: 'it is not a continuationToken this listing gave out' };
    }
    if (positions !== undefined && (positions.scid !== scid || positions.tpl !== tpl)) {
      return { kind: 'invalid-token', reason: 'it belongs to a listing of another SCID or template' };
    }
    // Each position must be an entry of its own shard, or the next Query would start from a key DynamoDB refuses.
    const misplaced = positions?.shards.some(
      (p, shard) => typeof p === 'object' && listShardOf(p.pk) !== listShardName(scid, shard),
    );
    if (misplaced === true)
      return { kind: 'invalid-token', reason: 'it is not a continuationToken this listing gave out' };
    const readers: ShardReader[] = Array.from({ length: SESSION_LIST_SHARDS }, (_, shard) => {
      const position = positions?.shards[shard] ?? 'start';
      if (position === 'done') return { shard, buffer: [], next: undefined, more: false, last: undefined };
      const from = position === 'start' ? undefined : position;
      return { shard, buffer: [], next: from, more: true, last: from };
    });
    const keys: string[] = [];
    while (keys.length < request.take) {
      await Promise.all(readers.map((reader) => this.fill(reader, scid, tpl, request.take)));
      const newest = pickNewest(readers);
      if (newest === undefined) break;
      const entry = newest.buffer.shift() as IndexEntry;
      newest.last = entry;
      keys.push(entry.pk);
    }
    const shards: ShardPosition[] = readers.map((r) =>
      r.buffer.length === 0 && !r.more ? 'done' : (r.last ?? 'start'),
    );
    if (shards.every((s) => s === 'done')) return { kind: 'page', keys };
    return { kind: 'page', keys, continuationToken: writeToken({ v: 1, scid, tpl, shards }) };
  }

  /** Reads the shard until it has an entry to hand out or is read to its end (a template filter may skip many). */
  private async fill(reader: ShardReader, scid: string, tpl: string | null, take: number): Promise<void> {
    while (reader.buffer.length === 0 && reader.more) {
      const input: QueryCommandInput = {
        TableName: this.tableName,
        IndexName: SESSION_LIST_INDEX.name,
        KeyConditionExpression: '#shard = :shard',
        ExpressionAttributeNames: { '#shard': ATTR.listShard },
        ExpressionAttributeValues: { ':shard': { S: listShardName(scid, reader.shard) } },
        ScanIndexForward: false,
        Limit: take,
        ...(reader.next === undefined ? {} : { ExclusiveStartKey: startKeyOf(scid, reader.shard, reader.next) }),
      };
      if (tpl !== null) {
        // The template is the key's second part: a filter on the projected table key (the index holds no template).
        input.FilterExpression = 'begins_with(#pk, :prefix)';
        input.ExpressionAttributeNames = { ...input.ExpressionAttributeNames, '#pk': ATTR.key };
        input.ExpressionAttributeValues = { ...input.ExpressionAttributeValues, ':prefix': { S: `${scid}#${tpl}#` } };
      }
      let answer: QueryCommandOutput;
      try {
        answer = await this.client.send(new QueryCommand(input));
      } catch (error) {
        return translateStoreError(error, 'Query');
      }
      for (const item of answer.Items ?? []) reader.buffer.push(entryOf(item));
      const last = answer.LastEvaluatedKey;
      reader.more = last !== undefined;
      reader.next = last === undefined ? undefined : entryOf(last);
    }
  }

  async readMany(keys: readonly string[]): Promise<ReadonlyMap<string, StoredRecord>> {
    const found = new Map<string, StoredRecord>();
    for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
      let pending: Record<string, AttributeValue>[] = keys
        .slice(i, i + BATCH_GET_KEYS)
        .map((key) => ({ [ATTR.key]: { S: key } }));
      for (let round = 0; pending.length > 0; round += 1) {
        if (round === UNPROCESSED_ROUNDS) {
          throw new StoreUnavailableError('DynamoDB BatchGetItem left keys unprocessed after retries');
        }
        if (round > 0) await this.sleep(50 * 2 ** round);
        try {
          const { Responses, UnprocessedKeys } = await this.client.send(
            new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }),
          );
          for (const item of Responses?.[this.tableName] ?? []) {
            const key = item[ATTR.key]?.S;
            if (key !== undefined) found.set(key, decodeItem(item));
          }
          pending = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        } catch (error) {
          return translateStoreError(error, 'BatchGetItem');
        }
      }
    }
    return found;
  }
}

function entryOf(item: Record<string, AttributeValue>): IndexEntry {
  return { pk: item[ATTR.key]?.S ?? '', start: item[ATTR.listStart]?.S ?? '' };
}

function startKeyOf(scid: string, shard: number, entry: IndexEntry): Record<string, AttributeValue> {
  return {
    [ATTR.listShard]: { S: listShardName(scid, shard) },
    [ATTR.listStart]: { S: entry.start },
    [ATTR.key]: { S: entry.pk },
  };
}

/** The shard whose next entry is the newest (latest start time; ties by key, then shard, so the order is total). */
function pickNewest(readers: readonly ShardReader[]): ShardReader | undefined {
  let best: ShardReader | undefined;
  for (const reader of readers) {
    const head = reader.buffer[0];
    if (head === undefined) continue;
    const bestHead = best?.buffer[0];
    if (
      bestHead === undefined ||
      head.start > bestHead.start ||
      (head.start === bestHead.start && head.pk > bestHead.pk)
    ) {
      best = reader;
    }
  }
  return best;
}

function writeToken(content: TokenContent): string {
  return Buffer.from(JSON.stringify(content)).toString('base64url');
}

/** The token's content, or undefined when it is not one this listing wrote. */
function readToken(token: string): TokenContent | undefined {
  let content: unknown;
  try {
    content = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof content !== 'object' || content === null) return undefined;
  const { v, scid, tpl, shards } = content as Record<string, unknown>;
  const validShards =
    Array.isArray(shards) &&
    shards.length === SESSION_LIST_SHARDS &&
    shards.every(
      (s) =>
        s === 'start' ||
        s === 'done' ||
        (typeof s === 'object' &&
          s !== null &&
          typeof (s as IndexEntry).pk === 'string' &&
          typeof (s as IndexEntry).start === 'string'),
    );
  if (v !== 1 || typeof scid !== 'string' || (tpl !== null && typeof tpl !== 'string') || !validShards)
    return undefined;
  return { v, scid, tpl, shards: shards as ShardPosition[] };
}
