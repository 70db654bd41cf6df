import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEVELOPMENT_TOKEN_SECRET } from './auth/development-token';
import { makeHmacTokenVerifier } from './auth/token-verifier';
import { loadTemplateCatalogue } from './config/template-files';
import type { ApiHandler } from './http/api-types';
import { type ErrorLog, makeGetSessionHandler, makePutSessionHandler } from './http/session-handlers';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './service/retry-policy';
import { SessionService, type WriteReport } from './service/session-service';
import { DynamoDbSessionStore } from './store/dynamodb-session-store';
import type { SessionStore } from './store/session-store';

/** Everything a running service is configured with; the Lambda entries read it from the environment. */
export interface ServiceConfig {
  readonly tableName: string;
  /** DynamoDB endpoint override (DynamoDB Local); the AWS default when absent. */
  readonly dynamoDbEndpoint?: string;
  readonly region: string;
  /** Folder of `<scid>.json` session template files. */
  readonly templatesDir: string;
  /** HS256 secret the tokens are verified with. */
  readonly tokenSecret: string;
  readonly tokenIssuer?: string;
  readonly tokenAudience?: string;
  /** `local` allows the public development secret; `deployed` refuses it. */
  readonly environment: 'local' | 'deployed';
  /** Epoch-ms clock; tests move time forward with it. */
  readonly clock?: () => number;
  readonly retry?: RetryPolicy;
  /** Wraps the store (fault injection in tests and for QA; never set by the Lambda entries). */
  readonly decorateStore?: (store: SessionStore) => SessionStore;
  /** Told how every PUT went through the retry loop (attempts, faults, outcome). */
  readonly observeWrite?: (report: WriteReport) => void;
  readonly log?: ErrorLog;
}

export interface SessionHandlers {
  readonly getSession: ApiHandler;
  readonly putSession: ApiHandler;
}

/**
 * SDK settings: a request must end well inside the Lambda timeout (10 s), which ends inside API Gateway's 29 s.
 * DynamoDB answers in milliseconds, so 1 s to connect and 1 s of silence mean a lost call; three attempts (the SDK
 * retries throttling and 5xx with its own back-off) keep one call under about 5 s, and the service's time budget
 * (RetryPolicy.timeBudgetMs, 7 s) aborts any call still running when it ends, the SDK's retry delays included.
 */
export function makeDynamoDbClient(config: Pick<ServiceConfig, 'region' | 'dynamoDbEndpoint'>): DynamoDBClient {
  return new DynamoDBClient({
    region: config.region,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 1000 },
    ...(config.dynamoDbEndpoint === undefined
      ? {}
      : { endpoint: config.dynamoDbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
}

const consoleLog: ErrorLog = {
  error: (message, details) => console.error(JSON.stringify({ level: 'ERROR', message, ...details }, errorReplacer)),
};

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}

/** Builds both handlers from one configuration: the one place that picks the DynamoDB store. */
export function makeSessionHandlers(config: ServiceConfig): SessionHandlers {
  if (config.environment !== 'local' && config.tokenSecret === DEVELOPMENT_TOKEN_SECRET) {
    throw new Error('The development token secret is public and may only be used locally; configure a real secret.');
  }
  if (config.environment !== 'local' && config.decorateStore !== undefined) {
    // Fault injection (and any other store decorator) exists for tests and QA; a deployed stack can never run it.
    throw new Error('A store decorator (fault injection) may only be used locally.');
  }
  const clock = config.clock ?? Date.now;
  const dynamoStore = new DynamoDbSessionStore(makeDynamoDbClient(config), config.tableName);
  const store = config.decorateStore === undefined ? dynamoStore : config.decorateStore(dynamoStore);
  const service = new SessionService({
    store,
    templates: loadTemplateCatalogue(config.templatesDir),
    clock,
    newGuid: randomUUID,
    retry: config.retry ?? DEFAULT_RETRY_POLICY,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ...(config.observeWrite === undefined ? {} : { observeWrite: config.observeWrite }),
  });
  const verifier = makeHmacTokenVerifier({
    secret: config.tokenSecret,
    ...(config.tokenIssuer === undefined ? {} : { issuer: config.tokenIssuer }),
    ...(config.tokenAudience === undefined ? {} : { audience: config.tokenAudience }),
  });
  const deps = { service, verifier, clock, log: config.log ?? consoleLog };
  return { getSession: makeGetSessionHandler(deps), putSession: makePutSessionHandler(deps) };
}
