import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamFunctionName } from '../http/routes';
import type { FinderIndexer } from '../service/session-finder-indexer';
import { readSessionChange, type StreamRecordLike } from '../store/session-stream';
import { RUNTIME_VARIABLES as VARIABLES } from './environment-variables';
import { type Environment, environmentReader } from './runtime-config';
import { makeFinderIndexerFor } from './wiring';

// The Lambda side of the finder (README "Finding sessions"): the stream function that keeps the index of sessions by
// xuid and keyword. Built once per container, like every other function.

const DEFAULT_SERVICE_NAME = 'session-directory';

/** What the finder function's environment says. */
export interface FinderSettings {
  readonly tableName: string;
  readonly region: string;
  readonly serviceName: string;
}

/** Reads the finder function's settings; every missing variable is named at once. */
export function readFinderRuntimeConfig(env: Environment): FinderSettings {
  const { optional, required, done } = environmentReader(env);
  const tableName = required(VARIABLES.sessionTableName);
  const region = required(VARIABLES.region);
  const serviceName = optional(VARIABLES.serviceName) ?? DEFAULT_SERVICE_NAME;
  done();
  return { tableName, region, serviceName };
}

/** Which reader each stream function's configuration comes from (test/infra/function-environment.test.ts). */
export const STREAM_READERS = {
  sessionFinder: readFinderRuntimeConfig,
} as const satisfies Record<StreamFunctionName, (env: Environment) => unknown>;

/**
 * The finder function's handler on the sessions stream's event source: reports the first change it could not apply
 * (ReportBatchItemFailures), so Lambda retries from there.
 */
export function finderLambdaHandler(): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  let indexer: FinderIndexer | undefined;
  return async (event) => {
    if (indexer === undefined) {
      const settings = readFinderRuntimeConfig(process.env);
      const logger = new Logger({ serviceName: settings.serviceName });
      indexer = makeFinderIndexerFor(
        { tableName: settings.tableName, region: settings.region },
        { error: (message, details) => logger.error(message, details ?? {}) },
      );
    }
    const now = Date.now();
    const changes = event.Records.flatMap((record) => {
      const change = readSessionChange(record as StreamRecordLike, now);
      return change === undefined ? [] : [change];
    });
    const result = await indexer(changes);
    return {
      batchItemFailures:
        result.failedSequenceNumber === undefined ? [] : [{ itemIdentifier: result.failedSequenceNumber }],
    };
  };
}
