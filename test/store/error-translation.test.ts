import { isRetryableStoreError, translateStoreError } from '../../lambda/store/error-translation';
import { StoreUnavailableError } from '../../lambda/store/session-store';

// Which DynamoDB and SDK failures a later attempt may cure (503 after the service's retries) and which it cannot
// (passed on as they are, for a 500). The DynamoDB store and the local fault injector both go through this module.

function named(name: string, extra: Record<string, unknown> = {}): Error {
  const error = new Error(`${name} for this test`);
  error.name = name;
  return Object.assign(error, extra);
}

describe('isRetryableStoreError', () => {
  it.each([
    ['throttling', named('ProvisionedThroughputExceededException')],
    ['request-rate throttling', named('ThrottlingException')],
    ['an account request limit', named('RequestLimitExceeded')],
    ['a transaction conflict', named('TransactionConflictException')],
    ["the SDK's time-out", named('TimeoutError')],
    ["the service's time budget (abort)", named('AbortError')],
    ['any DynamoDB 5xx', named('SomethingNew', { $metadata: { httpStatusCode: 503 } })],
    ['a reset connection', named('Error', { code: 'ECONNRESET' })],
    ['a refused connection', named('Error', { code: 'ECONNREFUSED' })],
  ])('%s may succeed later', (_what, error) => {
    expect(isRetryableStoreError(error)).toBe(true);
  });

  it.each([
    ['a missing table', named('ResourceNotFoundException', { $metadata: { httpStatusCode: 400 } })],
    ['a malformed request', named('ValidationException', { $metadata: { httpStatusCode: 400 } })],
    ['an unknown network code', named('Error', { code: 'EACCES' })],
    ['something that is not an Error', { name: 'TimeoutError' }],
  ])('%s will not', (_what, error) => {
    expect(isRetryableStoreError(error)).toBe(false);
  });
});

describe('translateStoreError', () => {
  it('turns a retryable failure into StoreUnavailableError carrying it, naming the action', () => {
    const cause = named('ProvisionedThroughputExceededException');
    let thrown: unknown;
    try {
      translateStoreError(cause, 'PutItem');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StoreUnavailableError);
    expect((thrown as Error).message).toContain('PutItem');
    expect((thrown as Error).cause).toBe(cause);
  });

  it('passes any other failure on as it is', () => {
    const cause = named('ValidationException', { $metadata: { httpStatusCode: 400 } });
    expect(() => translateStoreError(cause, 'GetItem')).toThrow(cause);
  });
});
