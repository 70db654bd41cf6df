import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { buildGetSession, buildPutSession } from './dynamodb-requests';
import { decodeItem } from './item-codec';
import {
  type ExpectedVersion,
  type NewRecord,
  type SessionStore,
  type StoreCallOptions,
  type StoredRecord,
  StoreUnavailableError,
  type WriteResult,
} from './session-store';

// Errors after which a later attempt may succeed: throttling, DynamoDB 5xx and network time-outs. The SDK has
// already retried them (its maxAttempts); what reaches here becomes a 503 with Retry-After.
const RETRYABLE_ERROR_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  // The service's time budget ran out during the call (StoreCallOptions.abortSignal).
  'AbortError',
]);

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = (error as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown }).$metadata;
  return (
    RETRYABLE_ERROR_NAMES.has(error.name) ||
    (meta?.httpStatusCode ?? 0) >= 500 ||
    ('code' in error &&
      ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE'].includes(String((error as { code: unknown }).code)))
  );
}

/**
 * Maps an error the AWS SDK threw to what the service understands: StoreUnavailableError for a fault a later attempt
 * may not meet, the error itself otherwise (a 500). Exported for the fault injector, which throws the SDK's own
 * errors through this same path.
 */
export function translateStoreError(error: unknown, action: 'GetItem' | 'PutItem'): never {
  if (isRetryable(error))
    throw new StoreUnavailableError(`DynamoDB ${action} failed and may succeed later`, { cause: error });
  throw error;
}

/** The SessionStore on DynamoDB: the only module that knows ConditionalCheckFailedException. */
export class DynamoDbSessionStore implements SessionStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async read(key: string, options?: StoreCallOptions): Promise<StoredRecord | undefined> {
    try {
      const { Item } = await this.client.send(new GetItemCommand(buildGetSession(this.tableName, key)), {
        ...(options?.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
      });
      return Item === undefined ? undefined : decodeItem(Item);
    } catch (error) {
      return translateStoreError(error, 'GetItem');
    }
  }

  async write(
    key: string,
    record: NewRecord,
    expected: ExpectedVersion,
    options?: StoreCallOptions,
  ): Promise<WriteResult> {
    const input = buildPutSession(this.tableName, key, record, expected);
    try {
      await this.client.send(new PutItemCommand(input), {
        ...(options?.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
      });
      return { outcome: 'written', version: Number(input.Item?.version?.N) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return { outcome: 'rejected', current: error.Item === undefined ? undefined : decodeItem(error.Item) };
      }
      return translateStoreError(error, 'PutItem');
    }
  }
}
