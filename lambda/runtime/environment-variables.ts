// Plain data, importing nothing: the names of the environment variables a deployed function reads
// (readRuntimeConfig, lambda/runtime/runtime-config.ts) and the CDK stack sets (lib/), so the two cannot disagree
// on a spelling. test/infra/function-environment.test.ts checks that each synthesized function is given exactly the
// variables its reader reads.

/** The variables the service reads, by what they configure. */
export const RUNTIME_VARIABLES = {
  /** Name of the sessions table. Required. */
  sessionTableName: 'SESSION_TABLE_NAME',
  /** Folder of the session template files (one `<scid>.json` per SCID) inside the bundle. Required. */
  templatesDir: 'SESSION_TEMPLATES_DIR',
  /** ARN of the Secrets Manager secret holding the HS256 token secret. Required unless `tokenJwksUrl` is set. */
  tokenSecretArn: 'TOKEN_SECRET_ARN',
  /** JWKS URL of an issuer whose RS256/ES256 tokens are accepted instead of HS256 ones. Optional. */
  tokenJwksUrl: 'TOKEN_JWKS_URL',
  /** Required `iss` claim. Optional; required with `tokenJwksUrl`. */
  tokenIssuer: 'TOKEN_ISSUER',
  /** Required `aud` claim. Optional; required with `tokenJwksUrl`. */
  tokenAudience: 'TOKEN_AUDIENCE',
  /** `off` switches the fair-use limits off (load tests); anything else, or absent, leaves them on. */
  rateLimits: 'RATE_LIMITS',
  /** Name of the fair-use counters table. Required unless `rateLimits` is `off`. */
  rateLimitTableName: 'RATE_LIMIT_TABLE_NAME',
  /** Service name in the Powertools logs. Optional (`session-directory`). */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /**
   * Name of the real-time activity connections table. Required by the RTA and tap functions; the function behind
   * `GET /nonce` reads it too (its nonces live there); no other HTTP function is given it.
   */
  connectionTableName: 'CONNECTION_TABLE_NAME',
  /**
   * The WebSocket API stage's management endpoint (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`), where
   * PostToConnection is called. Required by the tap function, read by no other.
   */
  rtaCallbackUrl: 'RTA_CALLBACK_URL',
  /** Folder of the session explorer's files inside the bundle. Required by the explorer page function, read by no other. */
  explorerAssetsDir: 'EXPLORER_ASSETS_DIR',
  /**
   * The real-time activity WebSocket URL the session explorer connects to (the WebSocket API's own URL). Read by the
   * explorer page function only; absent, the page uses `/connect` on its own host, as the local server serves it.
   */
  explorerRealTimeUrl: 'EXPLORER_REAL_TIME_URL',
  /** The function's Region. Set by Lambda itself in every function; a stack may not set it (reserved). */
  region: 'AWS_REGION',
} as const;

/** Read by Node itself, not by the service: the stack sets it so stack traces point at the TypeScript sources. */
export const NODE_OPTIONS_VARIABLE = 'NODE_OPTIONS';

/**
 * Read by Powertools for AWS Lambda itself (Logger, Metrics, Tracer), not by the service's readers: the stack sets
 * them per stage, and they need no reader of ours.
 */
export const LIBRARY_VARIABLES = {
  /** Logger's level: DEBUG, INFO, WARN or ERROR. */
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  /** Metrics' CloudWatch namespace. */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** `true` turns Tracer off where the stage has no X-Ray tracing. */
  tracerDisabled: 'POWERTOOLS_TRACE_DISABLED',
} as const;

/** Variables Lambda sets in every function, which a stack therefore never sets. */
export const LAMBDA_SET_VARIABLES: readonly string[] = [RUNTIME_VARIABLES.region];
