import { StoreUnavailableError } from './session-store';

// The one home of which DynamoDB and AWS SDK failures a later attempt may cure. Pure: it reads an error's name,
// HTTP status and network code, so it needs no SDK import and any store (the DynamoDB adapter, the local fault
// injector) can send the SDK's own errors through it.

/**
 * Errors after which a later attempt may succeed: throttling, DynamoDB 5xx and network time-outs. The SDK has already
 * retried them (its maxAttempts); what reaches here is retried by the service within its budget, then answered 503.
 */
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

/** Network failures of the connection itself: nothing was answered, so a later attempt may reach DynamoDB. */
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE']);

/** Whether a later attempt may not meet this failure (a throttle, a DynamoDB 5xx, a time-out, a dropped connection). */
export function isRetryableStoreError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  return (
    RETRYABLE_ERROR_NAMES.has(error.name) ||
    (meta?.httpStatusCode ?? 0) >= 500 ||
    ('code' in error && RETRYABLE_NETWORK_CODES.has(String((error as { code: unknown }).code)))
  );
}

/**
 * Maps an error the AWS SDK threw to what the service understands: StoreUnavailableError (carrying the error as its
 * cause) for a fault a later attempt may not meet, the error itself otherwise (a 500).
 */
export function translateStoreError(
  error: unknown,
  action: 'GetItem' | 'PutItem' | 'DeleteItem' | 'Query' | 'BatchGetItem' | 'BatchWriteItem' | 'TransactWriteItems',
): never {
  if (isRetryableStoreError(error)) {
    throw new StoreUnavailableError(`DynamoDB ${action} failed and may succeed later`, { cause: error });
  }
  throw error;
}
