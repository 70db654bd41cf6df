import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEVELOPMENT_TOKEN_SECRET } from './auth/development-token';
import { makeHmacTokenVerifier, makeJwksTokenVerifier, type TokenVerifier } from './auth/token-verifier';
import { loadFairUsePolicies } from './config/fair-use-files';
import { loadTemplateCatalogue } from './config/template-files';
import type { ApiHandler } from './http/api-types';
import { type ErrorLog, makeGetSessionHandler, makePutSessionHandler } from './http/session-handlers';
import { type FairUseGate, makeFairUseGate } from './service/fair-use-gate';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './service/retry-policy';
import { SessionService, type WriteReport } from './service/session-service';
import { DynamoDbRateLimitStore } from './store/dynamodb-rate-limit-store';
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
  /** HS256 secret the tokens are verified with (required unless `tokenJwksUrl` is set). */
  readonly tokenSecret?: string;
  /** JWKS URL of an issuer whose RS256/ES256 tokens are accepted instead; needs `tokenIssuer` and `tokenAudience`. */
  readonly tokenJwksUrl?: string;
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
  /** DynamoDB table of the fair-use counters (spec §1.6); without it no limits are enforced. */
  readonly rateLimitTableName?: string;
  /** `off` switches the fair-use limits off everywhere (load tests); default `on`. */
  readonly rateLimits?: 'on' | 'off';
  /**
   * How long a fair-use counter update may take before the request is let in uncounted (default 1 s). Tests that
   * count requests on a busy machine set it high, so a slow counter cannot shift their counts.
   */
  readonly fairUseTimeoutMs?: number;
}

export interface SessionHandlers {
  readonly getSession: ApiHandler;
  readonly putSession: ApiHandler;
}

/**
 * SDK settings: a request must end well inside the Lambda timeout (15 s), which ends inside API Gateway's 29 s.
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
  // One client (one connection pool) for both tables.
  const client = makeDynamoDbClient(config);
  const dynamoStore = new DynamoDbSessionStore(client, config.tableName);
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
  const log = config.log ?? consoleLog;
  const fairUse = makeFairUse(config, client, clock, log);
  const deps = { service, verifier: makeVerifier(config), clock, log, ...(fairUse === undefined ? {} : { fairUse }) };
  return { getSession: makeGetSessionHandler(deps), putSession: makePutSessionHandler(deps) };
}

/** The token verifier the configuration names: a JWKS URL (with issuer and audience) or an HS256 secret. */
function makeVerifier(config: ServiceConfig): TokenVerifier {
  const checks = {
    ...(config.tokenIssuer === undefined ? {} : { issuer: config.tokenIssuer }),
    ...(config.tokenAudience === undefined ? {} : { audience: config.tokenAudience }),
  };
  if (config.tokenJwksUrl !== undefined) {
    if (config.tokenIssuer === undefined || config.tokenAudience === undefined) {
      throw new Error('A token JWKS URL needs a token issuer and a token audience to check as well.');
    }
    return makeJwksTokenVerifier({
      jwksUrl: config.tokenJwksUrl,
      issuer: config.tokenIssuer,
      audience: config.tokenAudience,
    });
  }
  if (config.tokenSecret === undefined || config.tokenSecret === '') {
    throw new Error('Configure a token secret (HS256) or a token JWKS URL: tokens cannot be verified otherwise.');
  }
  return makeHmacTokenVerifier({ secret: config.tokenSecret, ...checks });
}

/** The fair-use gate over the counters table, unless the limits are off or no table is configured. */
function makeFairUse(
  config: ServiceConfig,
  client: DynamoDBClient,
  clock: () => number,
  log: ErrorLog,
): FairUseGate | undefined {
  if (config.rateLimits === 'off' || config.rateLimitTableName === undefined) return undefined;
  return makeFairUseGate({
    store: new DynamoDbRateLimitStore(client, config.rateLimitTableName),
    policies: loadFairUsePolicies(config.templatesDir),
    clock,
    warn: (message, details) => log.error(message, details),
    ...(config.fairUseTimeoutMs === undefined ? {} : { timeoutMs: config.fairUseTimeoutMs }),
  });
}
