// What one stage of the session directory is: its name and every setting that may differ between stages, read from
// CDK context (`cdk deploy -c stage=staging -c alarmEmail=ops@example.com`). Plain data and one reader, so the app
// (lib/app.ts) and the tests (test/infra/) read context the same way. docs/operations.md lists every key.

/** How a stage treats its data when it is destroyed or a resource is replaced. */
export type DataPolicy = 'destroy' | 'retain';

/** Log levels Powertools Logger takes (`POWERTOOLS_LOG_LEVEL`). */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** An optional custom domain for the HTTP and WebSocket APIs (README, "A stable hostname"). */
export interface CustomDomainSettings {
  /** The HTTP API's host name, e.g. `mpsd.staging.example.com`. */
  readonly httpDomainName: string;
  /** The WebSocket API's host name, e.g. `rta.staging.example.com`. */
  readonly realTimeDomainName: string;
  /** The Route 53 public hosted zone both names are in: its id and its domain name. */
  readonly hostedZoneId: string;
  readonly hostedZoneName: string;
  /**
   * An existing ACM certificate in the stack's Region covering both names; without it the stack requests one,
   * validated by DNS in the hosted zone.
   */
  readonly certificateArn?: string;
  /** Turn the `execute-api` endpoints off, so callers can only use the custom names. */
  readonly disableExecuteApiEndpoint: boolean;
}

/** Everything that may differ between two stages. */
export interface StageSettings {
  /** The stage name: part of the stack name and a tag on every resource. */
  readonly stage: string;
  /**
   * `destroy`: `cdk destroy` deletes the sessions table, the secret and the logs (a throwaway stage).
   * `retain`: the sessions table and the token secret outlive the stack; the table has deletion protection and
   * point-in-time recovery.
   */
  readonly data: DataPolicy;
  /** API Gateway stage throttle (HTTP API and WebSocket API): steady requests per second and burst. */
  readonly throttleRatePerSecond: number;
  readonly throttleBurst: number;
  /** MPSD's fair-use limits (spec §1.6); `off` for load-test stages. */
  readonly rateLimits: 'on' | 'off';
  /** Reserved concurrency of each function behind an API; undefined: none reserved (the account's pool). */
  readonly reservedConcurrency: number | undefined;
  /** Days the function and API access logs are kept. */
  readonly logRetentionDays: number;
  /**
   * JSON access logs of the WebSocket API too (the HTTP API always has them). Needs API Gateway's account-wide
   * CloudWatch Logs role in the Region (docs/operations.md); off by default so a fresh account can deploy.
   */
  readonly realTimeAccessLogs: boolean;
  /** Powertools log level: every request's line is INFO, so WARN and ERROR keep only the degraded and failed. */
  readonly logLevel: LogLevel;
  /** X-Ray active tracing of every function and API (Powertools Tracer for the AWS SDK calls). */
  readonly tracing: boolean;
  /** Where alarm notifications go: an SNS topic with this email subscribed; undefined: alarms without a topic. */
  readonly alarmEmail: string | undefined;
  /** The stable host names; undefined: only the execute-api URLs. */
  readonly customDomain: CustomDomainSettings | undefined;
}

/** A stage name: lower-case letters, digits and hyphens, starting with a letter (it goes into resource names). */
const STAGE_NAME = /^[a-z][a-z0-9-]{0,19}$/;

/** The stage deployed when `-c stage=` is not given. */
export const DEFAULT_STAGE = 'dev';

/** Stages that keep their data unless told otherwise (`-c data=destroy`): shared ones that others rely on. */
const RETAINED_STAGES: readonly string[] = ['staging', 'prod', 'production'];

/**
 * The documented defaults (README, "Stages"; docs/operations.md). A throwaway stage keeps logs a week and destroys
 * everything; a retained stage keeps logs a month, its sessions table and its secret.
 */
export function defaultSettingsOf(stage: string): StageSettings {
  const retained = RETAINED_STAGES.includes(stage);
  return {
    stage,
    data: retained ? 'retain' : 'destroy',
    throttleRatePerSecond: 1000,
    throttleBurst: 2000,
    rateLimits: 'on',
    reservedConcurrency: undefined,
    logRetentionDays: retained ? 30 : 7,
    realTimeAccessLogs: false,
    logLevel: 'INFO',
    tracing: true,
    alarmEmail: undefined,
    customDomain: undefined,
  };
}

/** Reads one context key (`app.node.tryGetContext`). */
export type ContextReader = (key: string) => unknown;

/** The context keys of a stage's settings (besides `stage` itself). */
export const STAGE_CONTEXT_KEYS = [
  'data',
  'throttleRate',
  'throttleBurst',
  'rateLimits',
  'reservedConcurrency',
  'logRetentionDays',
  'realTimeAccessLogs',
  'logLevel',
  'tracing',
  'alarmEmail',
  'domainName',
  'realTimeDomainName',
  'hostedZoneId',
  'hostedZoneName',
  'certificateArn',
  'disableExecuteApiEndpoint',
] as const;

/** Log retentions CloudWatch Logs accepts, in days. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922];

/**
 * The settings of the stage the context names. Each key is looked up as `-c <key>=...` first, then in the context
 * object `stages.<stage>` (cdk.json may hold one per stage), then the stage's default. A value that is not allowed
 * stops the synth with a message naming the key, the value and what is allowed.
 */
export function readStageSettings(context: ContextReader): StageSettings {
  const stage = stringOf(context('stage'), 'stage') ?? DEFAULT_STAGE;
  if (!STAGE_NAME.test(stage)) {
    throw new Error(
      `context 'stage' must be 1-20 lower-case letters, digits or hyphens starting with a letter, got '${stage}'`,
    );
  }
  const perStage = context('stages');
  const stageObject =
    typeof perStage === 'object' && perStage !== null ? (perStage as Record<string, unknown>)[stage] : undefined;
  const read = (key: (typeof STAGE_CONTEXT_KEYS)[number]): unknown => {
    const direct = context(key);
    if (direct !== undefined && direct !== null && direct !== '') return direct;
    if (typeof stageObject === 'object' && stageObject !== null) return (stageObject as Record<string, unknown>)[key];
    return undefined;
  };
  const defaults = defaultSettingsOf(stage);
  const logRetentionDays = integerOf(read('logRetentionDays'), 'logRetentionDays') ?? defaults.logRetentionDays;
  if (!RETENTION_DAYS.includes(logRetentionDays)) {
    throw new Error(`context 'logRetentionDays' must be one of ${RETENTION_DAYS.join(', ')}, got ${logRetentionDays}`);
  }
  const reservedConcurrency = integerOf(read('reservedConcurrency'), 'reservedConcurrency');
  if (reservedConcurrency !== undefined && reservedConcurrency < 1) {
    throw new Error(`context 'reservedConcurrency' must be a positive integer, got ${reservedConcurrency}`);
  }
  return {
    stage,
    data: oneOf(read('data'), 'data', ['destroy', 'retain'] as const) ?? defaults.data,
    throttleRatePerSecond: integerOf(read('throttleRate'), 'throttleRate') ?? defaults.throttleRatePerSecond,
    throttleBurst: integerOf(read('throttleBurst'), 'throttleBurst') ?? defaults.throttleBurst,
    rateLimits: oneOf(read('rateLimits'), 'rateLimits', ['on', 'off'] as const) ?? defaults.rateLimits,
    reservedConcurrency: reservedConcurrency ?? defaults.reservedConcurrency,
    logRetentionDays,
    realTimeAccessLogs: booleanOf(read('realTimeAccessLogs'), 'realTimeAccessLogs') ?? defaults.realTimeAccessLogs,
    logLevel: oneOf(read('logLevel'), 'logLevel', ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const) ?? defaults.logLevel,
    tracing: booleanOf(read('tracing'), 'tracing') ?? defaults.tracing,
    alarmEmail: stringOf(read('alarmEmail'), 'alarmEmail') ?? defaults.alarmEmail,
    customDomain: customDomainOf(read),
  };
}

function customDomainOf(read: (key: (typeof STAGE_CONTEXT_KEYS)[number]) => unknown): CustomDomainSettings | undefined {
  const httpDomainName = stringOf(read('domainName'), 'domainName');
  const realTimeDomainName = stringOf(read('realTimeDomainName'), 'realTimeDomainName');
  const hostedZoneId = stringOf(read('hostedZoneId'), 'hostedZoneId');
  const hostedZoneName = stringOf(read('hostedZoneName'), 'hostedZoneName');
  const certificateArn = stringOf(read('certificateArn'), 'certificateArn');
  const disable = booleanOf(read('disableExecuteApiEndpoint'), 'disableExecuteApiEndpoint');
  if (httpDomainName === undefined) {
    const stray = [realTimeDomainName, hostedZoneId, hostedZoneName, certificateArn, disable].some(
      (value) => value !== undefined,
    );
    if (stray) throw new Error("context 'domainName' is required with any other custom-domain key");
    return undefined;
  }
  if (hostedZoneId === undefined || hostedZoneName === undefined) {
    throw new Error("context 'domainName' needs 'hostedZoneId' and 'hostedZoneName' (the Route 53 zone it is in)");
  }
  const rta = realTimeDomainName ?? `rta.${httpDomainName}`;
  for (const [key, name] of [
    ['domainName', httpDomainName],
    ['realTimeDomainName', rta],
  ] as const) {
    if (name !== hostedZoneName && !name.endsWith(`.${hostedZoneName}`)) {
      throw new Error(`context '${key}' (${name}) must be in the hosted zone '${hostedZoneName}'`);
    }
  }
  return {
    httpDomainName,
    realTimeDomainName: rta,
    hostedZoneId,
    hostedZoneName,
    ...(certificateArn === undefined ? {} : { certificateArn }),
    disableExecuteApiEndpoint: disable ?? false,
  };
}

function stringOf(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context '${key}' must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** `-c key=5` arrives as the string '5'; cdk.json may hold the number. */
function integerOf(value: unknown, key: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
    throw new Error(`context '${key}' must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return number;
}

function booleanOf(value: unknown, key: string): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context '${key}' must be true or false, got ${JSON.stringify(value)}`);
}

function oneOf<T extends string>(value: unknown, key: string, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`context '${key}' must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

/** The CloudFormation stack name of a stage: stages live side by side in one account and Region. */
export function stackNameOf(stage: string): string {
  return `SessionDirectory-${stage}`;
}
