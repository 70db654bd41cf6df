import type { RequestLog } from '../http/request-log';
import type { RequestMetrics } from '../http/request-metrics';
import type { RetryPolicy } from '../service/retry-policy';
import type { WriteReport } from '../service/session-service';
import { RUNTIME_VARIABLES as VARIABLES } from './environment-variables';

/**
 * Everything the wiring builds a function's handler from (lambda/runtime/wiring.ts). Deployed, it comes from the
 * function's environment (readRuntimeConfig) and the token secret it names; locally, from local/local-config.ts.
 */
export interface RuntimeConfig {
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
  /** Told how every PUT went through the retry loop (attempts, faults, outcome). */
  readonly observeWrite?: (report: WriteReport) => void;
  /** The request pipeline's log (one line per request, 5xx causes); errors to the console when absent. */
  readonly log?: RequestLog;
  /** Each request's figures (CloudWatch EMF, deployed); none when absent. */
  readonly metrics?: RequestMetrics;
  /** DynamoDB table of the fair-use counters (spec §1.6); without it no limits are enforced. */
  readonly rateLimitTableName?: string;
  /** `off` switches the fair-use limits off everywhere (load tests); default `on`. */
  readonly rateLimits?: 'on' | 'off';
  /**
   * How long a fair-use counter update may take before the request is let in uncounted (default 1 s). Tests that
   * count requests on a busy machine set it high, so a slow counter cannot shift their counts.
   */
  readonly fairUseTimeoutMs?: number;
  /** DynamoDB table of the real-time activity connections (CONNECTION_TABLE); needed by the RTA and tap handlers. */
  readonly connectionTableName?: string;
}

/**
 * What a deployed function's environment says. The token secret is still the ARN of a secret: fetching it is I/O,
 * which the Lambda runtime does (lambda/runtime/lambda-runtime.ts) before it builds the RuntimeConfig.
 */
export interface RuntimeSettings {
  readonly tableName: string;
  readonly region: string;
  readonly templatesDir: string;
  /** Set exactly when `tokenJwksUrl` is not. */
  readonly tokenSecretArn?: string;
  readonly tokenJwksUrl?: string;
  readonly tokenIssuer?: string;
  readonly tokenAudience?: string;
  readonly rateLimits: 'on' | 'off';
  /** Set exactly when `rateLimits` is `on`. */
  readonly rateLimitTableName?: string;
  /** Service name in the logs. */
  readonly serviceName: string;
  /** The real-time activity connections table: set only for `GET /nonce`, which stores its nonces there. */
  readonly connectionTableName?: string;
}

/** A function's environment lacks variables it needs; the message names every one of them. */
export class MissingEnvironmentError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(
      `The environment variable${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set.`,
    );
    this.name = 'MissingEnvironmentError';
  }
}

const DEFAULT_SERVICE_NAME = 'session-directory';

/** A function's environment: `process.env` in Lambda, a plain object in tests. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads variables by name, collecting the missing required ones so `done()` names them all at once. An empty value
 * counts as absent. Every function's settings reader uses it.
 */
export function environmentReader(env: Environment) {
  const missing: string[] = [];
  const optional = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const required = (name: string): string => {
    const value = optional(name);
    if (value === undefined) missing.push(name);
    return value ?? '';
  };
  const done = (): void => {
    if (missing.length > 0) throw new MissingEnvironmentError(missing);
  };
  return { optional, required, done };
}

/**
 * Reads a deployed function's settings from its environment (pure: `env` is `process.env` in Lambda). Reads each
 * variable by name (RUNTIME_VARIABLES), so a test can record which ones it reads. An empty value counts as absent.
 * Throws one MissingEnvironmentError naming every required variable that is missing, not only the first.
 */
export function readRuntimeConfig(env: Environment): RuntimeSettings {
  const { optional, required, done } = environmentReader(env);

  const tableName = required(VARIABLES.sessionTableName);
  const region = required(VARIABLES.region);
  const templatesDir = required(VARIABLES.templatesDir);
  // With a JWKS URL the tokens are verified by the issuer's public keys: there is no secret to read, and the issuer
  // and audience must be checked (a key set alone does not say the token is ours).
  const tokenJwksUrl = optional(VARIABLES.tokenJwksUrl);
  const tokenSecretArn = tokenJwksUrl === undefined ? required(VARIABLES.tokenSecretArn) : undefined;
  const tokenIssuer = tokenJwksUrl === undefined ? optional(VARIABLES.tokenIssuer) : required(VARIABLES.tokenIssuer);
  const tokenAudience =
    tokenJwksUrl === undefined ? optional(VARIABLES.tokenAudience) : required(VARIABLES.tokenAudience);
  // Fair-use counters (spec §1.6); RATE_LIMITS=off switches the limits off for load tests.
  const rateLimits = optional(VARIABLES.rateLimits) === 'off' ? 'off' : 'on';
  const rateLimitTableName = rateLimits === 'on' ? required(VARIABLES.rateLimitTableName) : undefined;
  const serviceName = optional(VARIABLES.serviceName) ?? DEFAULT_SERVICE_NAME;
  // Only the function behind `GET /nonce` is told the connections table (lambda/http/routes.ts FUNCTIONS).
  const connectionTableName = optional(VARIABLES.connectionTableName);

  done();
  return {
    tableName,
    region,
    templatesDir,
    ...(tokenSecretArn === undefined ? {} : { tokenSecretArn }),
    ...(tokenJwksUrl === undefined ? {} : { tokenJwksUrl }),
    ...(tokenIssuer === undefined ? {} : { tokenIssuer }),
    ...(tokenAudience === undefined ? {} : { tokenAudience }),
    rateLimits,
    ...(rateLimitTableName === undefined ? {} : { rateLimitTableName }),
    serviceName,
    ...(connectionTableName === undefined ? {} : { connectionTableName }),
  };
}
