import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { TapHandler } from '../lambda/rta/tap-delivery';
import { readSessionChange, type SessionChange, type StreamRecordLike } from '../lambda/store/session-stream';

/** Options of {@link startStreamPoller}. */
export interface StreamPollerOptions {
  /** DynamoDB Local's endpoint. */
  readonly endpoint: string;
  readonly tableName: string;
  /** The tap function's handler, given the changes as a Lambda event source would batch them. */
  readonly handle: TapHandler;
  /**
   * Where to start in the shards that exist at start: `TRIM_HORIZON` (every record still in the stream, what a fresh
   * table and the tests want) or `LATEST` (only changes from now on, for a persisted database whose old changes were
   * tapped before). Shards that appear later are always read from their start.
   */
  readonly startAt?: 'TRIM_HORIZON' | 'LATEST';
  /** Wait between polls that found nothing, in ms (default 50). */
  readonly idleMs?: number;
  /** Records per GetRecords call, as the event source's batch size (default 10). */
  readonly batchSize?: number;
  readonly log?: (line: string) => void;
}

/** A running poller. */
export interface StreamPoller {
  /** Stops after the batch in hand; resolves when the loop has ended. */
  stop(): Promise<void>;
}

/** How long a batch that reported a failure waits before it is read again from that record. */
const RETRY_AFTER_FAILURE_MS = 500;

/**
 * The local stand-in for the Lambda event source on the sessions table's stream: polls DynamoDB Local's stream API
 * (DescribeStream, GetShardIterator, GetRecords) and hands the tap handler the same session changes Lambda would,
 * shard by shard in stream order. A batch that reports a failed record is read again from that record, as the event
 * source does with ReportBatchItemFailures.
 */
export async function startStreamPoller(admin: DynamoDBClient, options: StreamPollerOptions): Promise<StreamPoller> {
  const log = options.log ?? ((line: string) => console.log(line));
  const idleMs = options.idleMs ?? 50;
  const limit = options.batchSize ?? 10;
  const { Table } = await admin.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (streamArn === undefined) throw new Error(`The table ${options.tableName} has no stream.`);
  const streams = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  /** Shard id -> the iterator to read next; absent once the shard is finished (closed and read to its end). */
  const iterators = new Map<string, string>();
  /** Shard id -> the sequence number of the last record handled, to take a fresh iterator after. */
  const handledUpTo = new Map<string, string>();
  const finished = new Set<string>();
  let firstDiscovery = true;
  let stopping = false;
  let wake: () => void = () => {};

  async function iteratorFor(shardId: string, type: ShardIteratorType, sequenceNumber?: string) {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: type,
        ...(sequenceNumber === undefined ? {} : { SequenceNumber: sequenceNumber }),
      }),
    );
    return ShardIterator;
  }

  async function discoverShards(): Promise<void> {
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({
          StreamArn: streamArn,
          ...(exclusiveStartShardId === undefined ? {} : { ExclusiveStartShardId: exclusiveStartShardId }),
        }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        const shardId = shard.ShardId;
        if (shardId === undefined || iterators.has(shardId) || finished.has(shardId)) continue;
        // A child shard is read once its parent is finished, so one session's changes stay in order.
        const parent = shard.ParentShardId;
        if (parent !== undefined && iterators.has(parent)) continue;
        const type = firstDiscovery ? (options.startAt ?? 'TRIM_HORIZON') : 'TRIM_HORIZON';
        const iterator = await iteratorFor(shardId, type);
        if (iterator !== undefined) iterators.set(shardId, iterator);
      }
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId !== undefined);
    firstDiscovery = false;
  }

  function readRecords(iterator: string) {
    return streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
  }

  async function pollOnce(): Promise<boolean> {
    let sawRecords = false;
    for (const [shardId, iterator] of [...iterators]) {
      let response: Awaited<ReturnType<typeof readRecords>>;
      try {
        response = await readRecords(iterator);
      } catch (error) {
        // DynamoDB Local refuses an iterator taken on a shard while it was empty once records arrive
        // (TrimmedDataAccessException), and every iterator expires after 15 minutes: take a fresh one after the last
        // record handled (from the start when none was).
        const name = error instanceof Error ? error.name : '';
        if (name !== 'TrimmedDataAccessException' && name !== 'ExpiredIteratorException') throw error;
        const last = handledUpTo.get(shardId);
        const fresh =
          last === undefined
            ? await iteratorFor(shardId, 'TRIM_HORIZON')
            : await iteratorFor(shardId, 'AFTER_SEQUENCE_NUMBER', last);
        if (fresh !== undefined) iterators.set(shardId, fresh);
        continue;
      }
      const { Records, NextShardIterator } = response;
      const changes = (Records ?? [])
        .map((record) => readSessionChange(record as StreamRecordLike, Date.now()))
        .filter((change): change is SessionChange => change !== undefined);
      if ((Records ?? []).length > 0) sawRecords = true;
      const result = changes.length === 0 ? {} : await options.handle(changes);
      if (result.failedSequenceNumber !== undefined) {
        const retry = await iteratorFor(shardId, 'AT_SEQUENCE_NUMBER', result.failedSequenceNumber);
        if (retry !== undefined) iterators.set(shardId, retry);
        await sleep(RETRY_AFTER_FAILURE_MS);
        continue;
      }
      const lastRecord = Records?.at(-1)?.dynamodb?.SequenceNumber;
      if (lastRecord !== undefined) handledUpTo.set(shardId, lastRecord);
      if (NextShardIterator === undefined || NextShardIterator === null) {
        iterators.delete(shardId);
        finished.add(shardId);
      } else {
        iterators.set(shardId, NextShardIterator);
      }
    }
    return sawRecords;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  await discoverShards();
  const loop = (async () => {
    let idleRounds = 0;
    while (!stopping) {
      try {
        // New shards (DynamoDB rolls shards over) are looked for every 20 idle rounds, or when one finished.
        const before = finished.size;
        const busy = await pollOnce();
        if (finished.size !== before || iterators.size === 0 || idleRounds % 20 === 19) await discoverShards();
        idleRounds = busy ? 0 : idleRounds + 1;
        if (!busy && !stopping) await sleep(idleMs);
      } catch (error) {
        if (stopping) break;
        log(`stream poller: ${error instanceof Error ? error.message : String(error)}; retrying`);
        await sleep(RETRY_AFTER_FAILURE_MS);
      }
    }
  })();

  return {
    async stop() {
      stopping = true;
      wake();
      await loop;
      streams.destroy();
    },
  };
}
