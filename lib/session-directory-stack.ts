import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags, Token } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Grant } from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  EXPLORER_PATH,
  FUNCTIONS,
  type FunctionDefinition,
  type FunctionName,
  PAGE_FUNCTIONS,
  PAGE_ROUTES,
  type PageFunctionName,
  REAL_TIME_FUNCTIONS,
  type RealTimeFunctionDefinition,
  type RealTimeFunctionName,
  ROUTES,
  SCHEDULED_FUNCTIONS,
  type ScheduledFunctionName,
  SESSION_TEMPLATES_SEGMENTS,
  STREAM_FUNCTIONS,
  type StreamFunctionName,
  toSessionPath,
} from '../lambda/http/routes';
import { RUNTIME_VARIABLES as VARIABLES } from '../lambda/runtime/environment-variables';
import { DUE_INDEX } from '../lambda/store/table-schema';
import type { AccessLogProps } from './constructs/access-log';
import { acknowledgeFindings } from './constructs/acknowledge';
import { ConnectionTable } from './constructs/connection-table';
import { RateLimitTable } from './constructs/rate-limit-table';
import { RealTimeApi } from './constructs/real-time-api';
import { ServiceMonitoring } from './constructs/service-monitoring';
import { SessionApi } from './constructs/session-api';
import { BUNDLED_PACKAGE_ROOT, SessionFunction, type SessionFunctionProps } from './constructs/session-function';
import { SessionTable } from './constructs/session-table';
import { StableHostnames } from './constructs/stable-hostnames';
import {
  CONNECTION_TABLE_ACTIONS,
  grantTableAccess,
  NONCE_GRANT,
  RATE_LIMIT_TABLE_ACTIONS,
  SESSION_TABLE_GRANTS,
} from './constructs/table-grants';
import { DEFAULT_STAGE, defaultSettingsOf, type StageSettings } from './stage-settings';

/** Stream records per tap invocation: small, so one slow socket delays few changes (family spec §6.8). */
const TAP_BATCH_SIZE = 10;

/** Tap lag above which the alarm fires: a tap more than a minute late is as good as lost to a waiting client. */
const TAP_ITERATOR_AGE_ALARM_MS = 60_000;

/**
 * The sweeper's invocation: six sweeps 10 s apart take about 51 s (lambda/runtime/sweeper-runtime.ts); the timeout
 * leaves room for a slow last sweep, and the next minute's invocation may overlap it harmlessly (every write is
 * conditional).
 */
const SWEEPER_TIMEOUT = Duration.seconds(90);

/** The sweeper mostly waits between sweeps: little memory (and so little cost per second) is enough. */
const SWEEPER_MEMORY_MB = 256;

/** The page functions serve a few small files from memory. */
const PAGE_MEMORY_MB = 256;

/** CloudWatch namespace of the functions' EMF metrics; each stage's is `<this>/<stage>`. */
const METRICS_NAMESPACE = 'SessionDirectory';

/** Service name in Powertools logs and metrics, the same for both functions so their logs read as one service. */
const POWERTOOLS_SERVICE_NAME = 'session-directory';

/**
 * A complete Secrets Manager ARN ends in `-` plus six random characters. A partial ARN (without them) would give an
 * IAM policy that never matches the real secret, so it is refused at synth time rather than failing on first call.
 */
const COMPLETE_SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;

/** Properties of {@link SessionDirectoryStack}. */
export interface SessionDirectoryStackProps extends StackProps {
  /**
   * The stage's settings (lib/stage-settings.ts): what `cdk destroy` keeps, throttling, fair use, reserved
   * concurrency, log retention and level, tracing, alarm email, custom domain.
   *
   * @default defaultSettingsOf('dev') - a throwaway stage: everything goes with the stack
   */
  readonly settings?: StageSettings;

  /**
   * Complete ARN (with its six-character suffix) of an existing Secrets Manager secret whose string value is the
   * HS256 token-signing secret. If it is encrypted with a customer-managed KMS key, grant the functions
   * `kms:Decrypt` on that key separately.
   *
   * @default - the stack creates a secret with a random 64-character value
   */
  readonly tokenSecretArn?: string;

  /**
   * Required `iss` claim of caller tokens, passed to the functions as `TOKEN_ISSUER`.
   *
   * @default - the issuer is not checked
   */
  readonly tokenIssuer?: string;

  /**
   * Required `aud` claim of caller tokens, passed to the functions as `TOKEN_AUDIENCE`.
   *
   * @default - the audience is not checked
   */
  readonly tokenAudience?: string;

  /**
   * JWKS URL of an issuer whose RS256/ES256 tokens the functions accept instead of HS256 tokens, passed as
   * `TOKEN_JWKS_URL`. Needs `tokenIssuer` and `tokenAudience`; no token secret is created or read then.
   *
   * @default - tokens are HS256, verified with the secret
   */
  readonly tokenJwksUrl?: string;
}

/**
 * The session directory: an HTTP API built from the route table (lambda/http/routes.ts), one Lambda function per
 * entry of its FUNCTIONS (GET and PUT on the MPSD session resource, and its sub-resources), over one DynamoDB table,
 * with caller tokens verified against a secret in Secrets Manager.
 *
 * Environment-agnostic (no account or Region lookups), so it synthesizes offline and deploys anywhere.
 */
export class SessionDirectoryStack extends Stack {
  /** The settings this stage was built with. */
  public readonly settings: StageSettings;

  /** The stage's defaults for every function (logs, tracing), spread into each SessionFunction's props. */
  private readonly functionDefaults: Pick<
    SessionFunctionProps,
    'logRetention' | 'logRemovalPolicy' | 'logLevel' | 'tracing' | 'metricsNamespace'
  >;

  /** The stable host names, when the stage has a custom domain. */
  public readonly hostnames: StableHostnames | undefined;

  /** The stage's alarms, notification topic and dashboard. */
  public readonly monitoring: ServiceMonitoring;

  /** The session table construct. */
  public readonly sessionTable: SessionTable;

  /** The secret holding the HS256 token-signing key; absent when tokens are verified by a JWKS URL. */
  public readonly tokenSecret: ISecret | undefined;

  /** The fair-use counters table. */
  public readonly rateLimitTable: RateLimitTable;

  /** Every function behind the API, by its name in the route table (lambda/http/routes.ts). */
  public readonly functions: Readonly<Record<FunctionName, SessionFunction>>;

  /** The function answering GET on a session. */
  public readonly getSession: SessionFunction;

  /** The function answering PUT on a session. */
  public readonly putSession: SessionFunction;

  /** The page functions (the session explorer), by their name in the route table. */
  public readonly pageFunctions: Readonly<Record<PageFunctionName, SessionFunction>>;

  /** The HTTP API. */
  public readonly api: SessionApi;

  /** The real-time activity connections table. */
  public readonly connectionTable: ConnectionTable;

  /** The real-time activity functions (WebSocket routes and the tap function), by their name in the route table. */
  public readonly realTimeFunctions: Readonly<Record<RealTimeFunctionName, SessionFunction>>;

  /** The real-time activity WebSocket API. */
  public readonly realTimeApi: RealTimeApi;

  /** Where stream batches the tap function kept failing on end up (their stream positions, not the changes). */
  public readonly tapDeadLetterQueue: Queue;

  /** The scheduled functions (the timer sweeper), by their name in the route table. */
  public readonly scheduledFunctions: Readonly<Record<ScheduledFunctionName, SessionFunction>>;

  /** The EventBridge rule of each scheduled function. */
  public readonly schedules: Readonly<Record<ScheduledFunctionName, Rule>>;

  /** The stream functions (the finder of sessions by xuid and keyword), by their name in the route table. */
  public readonly streamFunctions: Readonly<Record<StreamFunctionName, SessionFunction>>;

  /** Where stream batches the stream functions kept failing on end up (their stream positions). */
  public readonly streamDeadLetterQueue: Queue;

  public constructor(scope: Construct, id: string, props: SessionDirectoryStackProps = {}) {
    super(scope, id, props);
    const settings = props.settings ?? defaultSettingsOf(DEFAULT_STAGE);
    this.settings = settings;
    // Every resource carries its stage and service, for cost allocation and for telling stages apart in the console.
    Tags.of(this).add('stage', settings.stage);
    Tags.of(this).add('service', POWERTOOLS_SERVICE_NAME);

    // `retain`: the sessions outlive `cdk destroy` (and a replacement), and DynamoDB itself refuses to delete the
    // table while deletion protection is on; `destroy`: the table goes with the stack.
    const retained = settings.data === 'retain';
    // What every function of the stage gets, whoever adds it: log retention and level, tracing, and logs that stay
    // (until their retention ends) on a retained stage.
    this.functionDefaults = {
      // RetentionDays' values are the days themselves; readStageSettings admits only those CloudWatch accepts.
      logRetention: settings.logRetentionDays as RetentionDays,
      logRemovalPolicy: retained ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      logLevel: settings.logLevel,
      tracing: settings.tracing,
      // One namespace per stage: two stages in one account never mix their figures.
      metricsNamespace: `${METRICS_NAMESPACE}/${settings.stage}`,
    };
    this.sessionTable = new SessionTable(this, 'Sessions', {
      removalPolicy: retained ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      deletionProtection: retained,
      pointInTimeRecovery: retained,
    });
    const table = this.sessionTable.table;

    if (props.tokenJwksUrl && (!props.tokenIssuer || !props.tokenAudience)) {
      throw new Error(
        'tokenJwksUrl needs tokenIssuer and tokenAudience: a key set alone does not say the token is ours',
      );
    }
    this.tokenSecret = props.tokenJwksUrl ? undefined : this.resolveTokenSecret(props.tokenSecretArn, retained);
    this.rateLimitTable = new RateLimitTable(this, 'RateLimits');
    // Real-time activity's connection state, and the nonces `GET /nonce` (an HTTP route) stores for it.
    this.connectionTable = new ConnectionTable(this, 'Connections');

    // Only identifiers go into the environment: the functions fetch the secret value at cold start, so it never shows
    // in the console, the template or `get-function-configuration`.
    // Exactly what readRuntimeConfig (lambda/runtime/runtime-config.ts) reads, by the names it reads them by; every
    // function reads the same settings today (test/infra/function-environment.test.ts).
    const rateLimitsOn = settings.rateLimits !== 'off';
    const environment: Record<string, string> = {
      [VARIABLES.sessionTableName]: table.tableName,
      ...(rateLimitsOn
        ? { [VARIABLES.rateLimitTableName]: this.rateLimitTable.table.tableName }
        : { [VARIABLES.rateLimits]: 'off' }),
      ...(this.tokenSecret === undefined ? {} : { [VARIABLES.tokenSecretArn]: this.tokenSecret.secretArn }),
      ...(props.tokenJwksUrl ? { [VARIABLES.tokenJwksUrl]: props.tokenJwksUrl } : {}),
      [VARIABLES.serviceName]: POWERTOOLS_SERVICE_NAME,
      ...(props.tokenIssuer ? { [VARIABLES.tokenIssuer]: props.tokenIssuer } : {}),
      ...(props.tokenAudience ? { [VARIABLES.tokenAudience]: props.tokenAudience } : {}),
    };

    // One function per entry of the route table's FUNCTIONS, with construct ids in PascalCase (GetSession, ...).
    const functions = {} as Record<FunctionName, SessionFunction>;
    for (const [name, definition] of Object.entries(FUNCTIONS) as [FunctionName, (typeof FUNCTIONS)[FunctionName]][]) {
      const definitionOf: FunctionDefinition = definition;
      const putsNonces = definitionOf.connectionTableAccess === 'put-nonce';
      const fn = new SessionFunction(this, name.charAt(0).toUpperCase() + name.slice(1), {
        ...this.functionDefaults,
        entry: definition.entry,
        environment: putsNonces
          ? { ...environment, [VARIABLES.connectionTableName]: this.connectionTable.table.tableName }
          : environment,
        ...(settings.reservedConcurrency === undefined ? {} : { reservedConcurrency: settings.reservedConcurrency }),
      });
      // Least privilege from the route table: the explicit actions of the access the function declares
      // (lib/constructs/table-grants.ts). A GET only reads (it evaluates timers in memory and persists nothing), so
      // its role may GetItem and nothing else; `GET /nonce` touches no session, and only puts its nonce items into
      // the connections table.
      grantTableAccess(table, fn.function, SESSION_TABLE_GRANTS[definitionOf.sessionTableAccess]);
      if (putsNonces) grantTableAccess(this.connectionTable.table, fn.function, NONCE_GRANT);
      this.grantTokenSecret(fn);
      // Every function counts requests (spec §1.6), so each increments the counters; with the limits off nothing is
      // counted, and the functions are neither told the table nor allowed to touch it.
      if (rateLimitsOn) {
        grantTableAccess(this.rateLimitTable.table, fn.function, {
          itemActions: RATE_LIMIT_TABLE_ACTIONS,
          indexQueries: [],
        });
      }
      functions[name] = fn;
    }
    this.functions = functions;
    this.getSession = functions.getSession;
    this.putSession = functions.putSession;

    this.hostnames =
      settings.customDomain === undefined ? undefined : new StableHostnames(this, 'Hostnames', settings.customDomain);
    const disableExecuteApiEndpoint = settings.customDomain?.disableExecuteApiEndpoint ?? false;

    // The session explorer (README, "Session explorer"): static files on the same API, no table, no secret.
    const pageFunctions = {} as Record<PageFunctionName, SessionFunction>;
    for (const [name, definition] of Object.entries(PAGE_FUNCTIONS) as [
      PageFunctionName,
      (typeof PAGE_FUNCTIONS)[PageFunctionName],
    ][]) {
      pageFunctions[name] = new SessionFunction(this, name.charAt(0).toUpperCase() + name.slice(1), {
        ...this.functionDefaults,
        entry: definition.entry,
        withTemplates: false,
        bundledFolders: { [definition.assetsDir]: definition.bundledAs },
        // Serving a few small files from memory needs little memory (and so costs little per second).
        memorySize: PAGE_MEMORY_MB,
        environment: {
          [VARIABLES.explorerAssetsDir]: `${BUNDLED_PACKAGE_ROOT}/${definition.bundledAs}`,
        },
      });
    }
    this.pageFunctions = pageFunctions;

    this.api = new SessionApi(this, 'Api', {
      ...(this.hostnames === undefined ? {} : { domainName: this.hostnames.httpDomain, disableExecuteApiEndpoint }),
      accessLogs: this.accessLogProps(),
      throttlingRateLimit: settings.throttleRatePerSecond,
      throttlingBurstLimit: settings.throttleBurst,
      routes: [...ROUTES, ...PAGE_ROUTES],
      functions: Object.fromEntries(
        [...Object.entries(functions), ...Object.entries(pageFunctions)].map(([name, fn]) => [name, fn.function]),
      ),
    });

    const realTime = this.addRealTime(table, this.connectionTable, props);
    // The page connects its own real-time activity socket to the WebSocket API, which has a host of its own.
    for (const fn of Object.values(pageFunctions)) {
      fn.function.addEnvironment(VARIABLES.explorerRealTimeUrl, realTime.api.url);
    }
    this.realTimeFunctions = realTime.functions;
    this.realTimeApi = realTime.api;
    this.tapDeadLetterQueue = realTime.deadLetterQueue;

    const stream = this.addStreamFunctions(table);
    this.streamFunctions = stream.functions;
    this.streamDeadLetterQueue = stream.deadLetterQueue;

    const scheduled = this.addScheduledFunctions(table, this.connectionTable.table, realTime.api);
    this.scheduledFunctions = scheduled.functions;
    this.schedules = scheduled.rules;

    new CfnOutput(this, 'ExplorerUrl', {
      description: 'The session explorer for QA: open it in a browser and paste a token (README, "Session explorer")',
      value: `${this.api.url}${EXPLORER_PATH}`,
    });

    // Alarms and the dashboard over every function the route table made, whatever their number.
    this.monitoring = new ServiceMonitoring(this, 'Monitoring', {
      stage: settings.stage,
      httpApi: this.api.httpApi,
      functions: {
        ...this.functions,
        ...this.pageFunctions,
        ...this.realTimeFunctions,
        ...this.scheduledFunctions,
        ...this.streamFunctions,
      },
      tables: {
        sessions: table,
        rateLimits: this.rateLimitTable.table,
        connections: this.connectionTable.table,
      },
      deadLetterQueues: {
        Tap: { queue: this.tapDeadLetterQueue, holds: 'Shoulder-tap batches' },
        Stream: {
          queue: this.streamDeadLetterQueue,
          holds: 'Finder batches (the index of sessions by xuid and keyword)',
        },
      },
      otherAlarms: [...realTime.alarms, ...stream.alarms],
      metricsNamespace: `${METRICS_NAMESPACE}/${settings.stage}`,
      serviceName: POWERTOOLS_SERVICE_NAME,
      ...(settings.alarmEmail === undefined ? {} : { alarmEmail: settings.alarmEmail }),
    });

    new CfnOutput(this, 'ApiUrl', {
      description: `Base URL of the session directory; append ${toSessionPath(SESSION_TEMPLATES_SEGMENTS[0])}`,
      value: this.api.url,
    });
    if (this.tokenSecret !== undefined) {
      new CfnOutput(this, 'TokenSecretArn', {
        description: 'Secret holding the HS256 token-signing key (read it with Secrets Manager to mint tokens)',
        value: this.tokenSecret.secretArn,
      });
    }
    new CfnOutput(this, 'SessionTableName', {
      description: 'DynamoDB table holding one item per session',
      value: table.tableName,
    });
  }

  /**
   * The stream functions (README "Finding sessions"): each on the sessions table's stream with the tap function's
   * event-source settings, allowed only BatchWriteItem on the table (its index items; it never reads or writes a
   * session), with its own dead-letter queue and iterator-age alarm.
   */
  private addStreamFunctions(sessions: SessionTable['table']) {
    const deadLetterQueue = this.streamDeadLetterQueueFor('StreamDeadLetters', 'the stream functions’');
    const functions = {} as Record<StreamFunctionName, SessionFunction>;
    const alarms: Alarm[] = [];
    for (const [name, definition] of Object.entries(STREAM_FUNCTIONS) as [
      StreamFunctionName,
      (typeof STREAM_FUNCTIONS)[StreamFunctionName],
    ][]) {
      const id = name.charAt(0).toUpperCase() + name.slice(1);
      const fn = new SessionFunction(this, id, {
        ...this.functionDefaults,
        entry: definition.entry,
        withTemplates: false,
        environment: {
          [VARIABLES.sessionTableName]: sessions.tableName,
          [VARIABLES.serviceName]: POWERTOOLS_SERVICE_NAME,
        },
      });
      // It only writes and deletes finder items, in batches (lambda/store/dynamodb-session-finder.ts).
      grantTableAccess(sessions, fn.function, { itemActions: ['dynamodb:BatchWriteItem'], indexQueries: [] });
      alarms.push(
        this.readSessionStream(fn, sessions, deadLetterQueue, {
          alarmId: `${id}IteratorAgeAlarm`,
          alarmDescription: `The ${name} stream function is running more than a minute behind the session writes`,
        }),
      );
      functions[name] = fn;
    }
    return { functions, deadLetterQueue, alarms };
  }

  /**
   * Real-time activity (family spec §6): the WebSocket API and its three route functions, the connections table, and
   * the tap function on the sessions table's stream, each function told and granted only what it uses.
   */
  private addRealTime(
    sessions: SessionTable['table'],
    connectionTable: ConnectionTable,
    props: SessionDirectoryStackProps,
  ) {
    const tokenEnvironment: Record<string, string> = {
      ...(this.tokenSecret === undefined ? {} : { [VARIABLES.tokenSecretArn]: this.tokenSecret.secretArn }),
      ...(props.tokenJwksUrl ? { [VARIABLES.tokenJwksUrl]: props.tokenJwksUrl } : {}),
      ...(props.tokenIssuer ? { [VARIABLES.tokenIssuer]: props.tokenIssuer } : {}),
      ...(props.tokenAudience ? { [VARIABLES.tokenAudience]: props.tokenAudience } : {}),
    };
    const functions = {} as Record<RealTimeFunctionName, SessionFunction>;
    const entries = Object.entries(REAL_TIME_FUNCTIONS) as [RealTimeFunctionName, RealTimeFunctionDefinition][];
    for (const [name, definition] of entries) {
      const fn = new SessionFunction(this, name.charAt(0).toUpperCase() + name.slice(1), {
        ...this.functionDefaults,
        entry: definition.entry,
        withTemplates: false,
        // The tap function's callback URL is added below, once the API exists; the route functions verify tokens.
        environment: {
          [VARIABLES.connectionTableName]: connectionTable.table.tableName,
          [VARIABLES.serviceName]: POWERTOOLS_SERVICE_NAME,
          ...(definition.routeKey === undefined ? {} : tokenEnvironment),
        },
      });
      // The tap function deletes the state of sockets it finds gone; the route functions keep the state.
      grantTableAccess(connectionTable.table, fn.function, {
        itemActions: CONNECTION_TABLE_ACTIONS,
        indexQueries: [],
      });
      if (definition.routeKey !== undefined) this.grantTokenSecret(fn);
      functions[name] = fn;
    }
    const api = new RealTimeApi(this, 'RealTimeApi', {
      ...(this.hostnames === undefined
        ? {}
        : {
            domainName: this.hostnames.realTimeDomain,
            disableExecuteApiEndpoint: this.settings.customDomain?.disableExecuteApiEndpoint ?? false,
          }),
      ...(this.settings.realTimeAccessLogs ? { accessLogs: this.accessLogProps() } : {}),
      throttlingRateLimit: this.settings.throttleRatePerSecond,
      throttlingBurstLimit: this.settings.throttleBurst,
      functions: REAL_TIME_FUNCTIONS,
      handlers: Object.fromEntries(Object.entries(functions).map(([name, fn]) => [name, fn.function])),
    });

    const deadLetterQueue = this.streamDeadLetterQueueFor('TapDeadLetters', 'the tap function’s');
    const alarms: Alarm[] = [];
    for (const [name, definition] of entries) {
      const fn = functions[name].function;
      if (definition.managesConnections === true) {
        fn.addEnvironment(VARIABLES.rtaCallbackUrl, api.callbackUrl);
        api.grantManageConnections(fn);
      }
      if (definition.readsSessionStream !== true) continue;
      alarms.push(
        this.readSessionStream(functions[name], sessions, deadLetterQueue, {
          alarmId: 'TapIteratorAgeAlarm',
          alarmDescription: 'Shoulder taps are running more than a minute behind the session writes',
        }),
      );
    }

    new CfnOutput(this, 'RealTimeUrl', {
      description: 'Real-time activity (RTA) WebSocket URL: what clients use instead of wss://rta.xboxlive.com/connect',
      value: api.url,
    });
    return { functions, api, deadLetterQueue, alarms };
  }

  /** A queue that is itself the dead-letter target of stream event sources: nothing consumes it, an operator reads it. */
  private streamDeadLetterQueueFor(id: string, whose: string): Queue {
    const queue = new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeFindings(
      queue,
      ['AwsSolutions::AwsSolutions-SQS3', 'Serverless::Serverless-SQSRedrivePolicy'],
      `This queue is itself the dead-letter target (of ${whose} stream event source, which cdk-nag does ` +
        'not follow); nothing consumes it, an operator reads it (docs/operations.md).',
    );
    return queue;
  }

  /**
   * One home for how a function reads the sessions table's stream (the tap function, the finder): small batches; a
   * failing batch is split to find the change that fails; the function reports the first change it could not
   * handle, so retries never resend what was sent; what still fails goes to the queue; an alarm on its lag.
   */
  private readSessionStream(
    fn: SessionFunction,
    sessions: SessionTable['table'],
    deadLetterQueue: Queue,
    alarm: { readonly alarmId: string; readonly alarmDescription: string },
  ): Alarm {
    acknowledgeFindings(
      fn,
      ['AwsSolutions::AwsSolutions-IAM5[Resource::*]'],
      'The stream event source needs dynamodb:ListStreams, which supports no resource-level permissions (AWS ' +
        'offers nothing narrower than *); the stream reads themselves are granted on this table’s stream only.',
    );
    fn.function.addEventSource(
      new DynamoEventSource(sessions, {
        startingPosition: StartingPosition.LATEST,
        batchSize: TAP_BATCH_SIZE,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 5,
        maxRecordAge: Duration.minutes(5),
        onFailure: new SqsDlq(deadLetterQueue),
      }),
    );
    return new Alarm(this, alarm.alarmId, {
      alarmDescription: alarm.alarmDescription,
      metric: new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'IteratorAge',
        dimensionsMap: { FunctionName: fn.function.functionName },
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      threshold: TAP_ITERATOR_AGE_ALARM_MS,
      evaluationPeriods: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * The timer sweeper (README, "Timers that fire on their own"): an EventBridge rule invokes it once a minute, and it
   * commits due timers and disconnect checks, and sends the real-time keepalives. Least privilege: a Query on each
   * table's due-time index, the read and conditional write of sessions (GetItem, PutItem), the read and update of
   * connection state (GetItem, BatchGetItem, UpdateItem, DeleteItem of a gone socket) and PostToConnection.
   */
  private addScheduledFunctions(
    sessions: SessionTable['table'],
    connections: ConnectionTable['table'],
    realTimeApi: RealTimeApi,
  ) {
    const functions = {} as Record<ScheduledFunctionName, SessionFunction>;
    const rules = {} as Record<ScheduledFunctionName, Rule>;
    const entries = Object.entries(SCHEDULED_FUNCTIONS) as [
      ScheduledFunctionName,
      (typeof SCHEDULED_FUNCTIONS)[ScheduledFunctionName],
    ][];
    for (const [name, definition] of entries) {
      const id = name.charAt(0).toUpperCase() + name.slice(1);
      const fn = new SessionFunction(this, id, {
        ...this.functionDefaults,
        entry: definition.entry,
        behindApi: false,
        timeout: SWEEPER_TIMEOUT,
        memorySize: SWEEPER_MEMORY_MB,
        environment: {
          [VARIABLES.sessionTableName]: sessions.tableName,
          [VARIABLES.connectionTableName]: connections.tableName,
          [VARIABLES.rtaCallbackUrl]: realTimeApi.callbackUrl,
          [VARIABLES.serviceName]: POWERTOOLS_SERVICE_NAME,
        },
      });
      // The keepalive pass each sweep runs (family spec §6.4, §6.10): it reads the due sockets (BatchGetItem), posts
      // to them, and forgets the ones found gone (DeleteItem), as the tap function does.
      realTimeApi.grantManageConnections(fn.function);
      Grant.addToPrincipal({
        grantee: fn.function,
        actions: ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem'],
        resourceArns: [connections.tableArn],
      });
      for (const [table, writeAction] of [
        [sessions, 'dynamodb:PutItem'],
        [connections, 'dynamodb:UpdateItem'],
      ] as const) {
        Grant.addToPrincipal({
          grantee: fn.function,
          actions: ['dynamodb:GetItem', writeAction],
          resourceArns: [table.tableArn],
        });
        Grant.addToPrincipal({
          grantee: fn.function,
          actions: ['dynamodb:Query'],
          resourceArns: [`${table.tableArn}/index/${DUE_INDEX.name}`],
        });
      }
      const rule = new Rule(this, `${id}Schedule`, {
        description: 'Runs the session directory timer sweeper (due timers, disconnect checks) every minute',
        schedule: Schedule.rate(Duration.minutes(definition.everyMinutes)),
      });
      // No retries of a missed invocation: the next minute's sweeps find whatever is still due.
      rule.addTarget(new LambdaFunction(fn.function, { retryAttempts: 0 }));
      acknowledgeFindings(
        rule,
        ['Serverless::Serverless-EventBusDLQ'],
        'A missed sweep needs no replay: the next minute’s invocation finds every timer still due (the due index).',
      );
      functions[name] = fn;
      rules[name] = rule;
    }
    return { functions, rules };
  }

  /** How the stage keeps API access logs: as long as the functions' logs, and past the stack when they are. */
  private accessLogProps(): AccessLogProps {
    return {
      retention: this.functionDefaults.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: this.functionDefaults.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    };
  }

  /**
   * Lets the function read the token secret's value, and nothing else of it (CDK's grantRead adds DescribeSecret).
   */
  private grantTokenSecret(fn: SessionFunction): void {
    if (this.tokenSecret === undefined) return;
    Grant.addToPrincipal({
      grantee: fn.function,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.tokenSecret.secretArn],
    });
  }

  /**
   * Imports the given secret, or creates one when no ARN is given. A created secret follows the stage's data policy:
   * CloudFormation deletes a secret at once, with no recovery window (it calls DeleteSecret with
   * ForceDeleteWithoutRecovery), so on a `retain` stage the secret is kept by `cdk destroy` (tokens minted with it
   * stay verifiable by a later stack given its ARN), and on a `destroy` stage it is gone for good.
   */
  private resolveTokenSecret(tokenSecretArn: string | undefined, retained: boolean): ISecret {
    if (tokenSecretArn === undefined) {
      const secret = new Secret(this, 'TokenSecret', {
        description: `HS256 signing key for session directory caller tokens (stage ${this.settings.stage})`,
        // 64 alphanumerics is about 381 bits, above the 256 bits HS256 needs; no punctuation, so the value can be
        // pasted into a shell or a .env file unquoted.
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        removalPolicy: retained ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      acknowledgeFindings(
        secret,
        ['AwsSolutions::AwsSolutions-SMG4'],
        'The HS256 key signs tokens that QA tools mint from it; rotating it invalidates every token at once, so it ' +
          'is rotated by hand when a stage is re-keyed (docs/operations.md), not on a schedule.',
      );
      return secret;
    }
    if (!Token.isUnresolved(tokenSecretArn) && !COMPLETE_SECRET_ARN.test(tokenSecretArn)) {
      throw new Error(
        `tokenSecretArn must be the complete ARN of a Secrets Manager secret, ending in '-' and six characters (as the console shows it); got '${tokenSecretArn}'`,
      );
    }
    return Secret.fromSecretCompleteArn(this, 'TokenSecret', tokenSecretArn);
  }
}
