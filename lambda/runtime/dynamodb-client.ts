import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { noteStoreCall } from '../http/request-facts';
import type { RuntimeConfig } from './runtime-config';

/**
 * SDK settings: a request must end well inside the Lambda timeout (15 s), which ends inside API Gateway's 29 s.
 * DynamoDB answers in milliseconds, so 1 s to connect and 1 s of silence mean a lost call; three attempts (the SDK
 * retries throttling and 5xx with its own back-off) keep one call under about 5 s, and the service's time budget
 * (RetryPolicy.timeBudgetMs, 7 s) aborts any call still running when it ends, the SDK's retry delays included.
 */
export function makeDynamoDbClient(config: Pick<RuntimeConfig, 'region' | 'dynamoDbEndpoint'>): DynamoDBClient {
  const client = new DynamoDBClient({
    region: config.region,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 1000 },
    ...(config.dynamoDbEndpoint === undefined
      ? {}
      : { endpoint: config.dynamoDbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
  // Each call's time as the caller waits for it (the SDK's own retries included), for the request's line and its
  // StoreLatency metric (lambda/http/request-facts.ts). The initialize step wraps every later step.
  client.middlewareStack.add(
    (next) => async (args) => {
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        noteStoreCall(performance.now() - started);
      }
    },
    { step: 'initialize', name: 'storeLatency' },
  );
  return client;
}
