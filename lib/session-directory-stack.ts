import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Token } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Grant } from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  FUNCTIONS,
  type FunctionName,
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
import { ConnectionTable } from './constructs/connection-table';
import { RateLimitTable } from './constructs/rate-limit-table';
import { RealTimeApi } from './constructs/real-time-api';
import { SessionApi } from './constructs/session-api';
import { SessionFunction } from './constructs/session-function';
import { SessionTable } from './constructs/session-table';

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
   * What happens to the session table when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;

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

  /**
   * `off` switches MPSD's fair-use limits off (load tests), passed as `RATE_LIMITS`; the functions are then not told
   * the counters table, nor allowed to use it.
   *
   * @default 'on'
   */
  readonly rateLimits?: 'on' | 'off';
}

/**
 * The session directory: an HTTP API built from the route table (lambda/http/routes.ts), one Lambda function per
 * entry of its FUNCTIONS (GET and PUT on the MPSD session resource, and its sub-resources), over one DynamoDB table,
 * with caller tokens verified against a secret in Secrets Manager.
 *
 * Environment-agnostic (no account or Region lookups), so it synthesizes offline and deploys anywhere.
 */
export class SessionDirectoryStack extends Stack {
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

    this.sessionTable = new SessionTable(this, 'Sessions', {
      removalPolicy: props.tableRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const table = this.sessionTable.table;

    if (props.tokenJwksUrl && (!props.tokenIssuer || !props.tokenAudience)) {
      throw new Error(
        'tokenJwksUrl needs tokenIssuer and tokenAudience: a key set alone does not say the token is ours',
      );
    }
    this.tokenSecret = props.tokenJwksUrl ? undefined : this.resolveTokenSecret(props.tokenSecretArn);
    this.rateLimitTable = new RateLimitTable(this, 'RateLimits');

    // Only identifiers go into the environment: the functions fetch the secret value at cold start, so it never shows
    // in the console, the template or `get-function-configuration`.
    // Exactly what readRuntimeConfig (lambda/runtime/runtime-config.ts) reads, by the names it reads them by; every
    // function reads the same settings today (test/infra/function-environment.test.ts).
    const rateLimitsOn = props.rateLimits !== 'off';
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
      const fn = new SessionFunction(this, name.charAt(0).toUpperCase() + name.slice(1), {
        entry: definition.entry,
        environment,
      });
      // Least privilege: a GET only reads (it evaluates timers in memory and persists nothing), so its role cannot
      // write; PUT reads (the consistent read before each conditional write) and writes.
      if (definition.sessionTableAccess === 'read') table.grantReadData(fn.function);
      else table.grantReadWriteData(fn.function);
      this.tokenSecret?.grantRead(fn.function);
      // Every function counts requests (spec §1.6), so each writes the counters table, and only it; with the limits
      // off nothing is counted, and the functions are neither told the table nor allowed to touch it.
      if (rateLimitsOn) this.rateLimitTable.table.grantReadWriteData(fn.function);
      functions[name] = fn;
    }
    this.functions = functions;
    this.getSession = functions.getSession;
    this.putSession = functions.putSession;

    this.api = new SessionApi(this, 'Api', {
      routes: ROUTES,
      functions: Object.fromEntries(Object.entries(functions).map(([name, fn]) => [name, fn.function])),
    });

    const realTime = this.addRealTime(table, props);
    this.connectionTable = realTime.connectionTable;
    this.realTimeFunctions = realTime.functions;
    this.realTimeApi = realTime.api;
    this.tapDeadLetterQueue = realTime.deadLetterQueue;

    const stream = this.addStreamFunctions(table);
    this.streamFunctions = stream.functions;
    this.streamDeadLetterQueue = stream.deadLetterQueue;

    const scheduled = this.addScheduledFunctions(table, realTime.connectionTable.table);
    this.scheduledFunctions = scheduled.functions;
    this.schedules = scheduled.rules;

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
    const deadLetterQueue = new Queue(this, 'StreamDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const functions = {} as Record<StreamFunctionName, SessionFunction>;
    for (const [name, definition] of Object.entries(STREAM_FUNCTIONS) as [
      StreamFunctionName,
      (typeof STREAM_FUNCTIONS)[StreamFunctionName],
    ][]) {
      const id = name.charAt(0).toUpperCase() + name.slice(1);
      const fn = new SessionFunction(this, id, {
        entry: definition.entry,
        withTemplates: false,
        environment: {
          [VARIABLES.sessionTableName]: sessions.tableName,
          [VARIABLES.serviceName]: POWERTOOLS_SERVICE_NAME,
        },
      });
      Grant.addToPrincipal({
        grantee: fn.function,
        actions: ['dynamodb:BatchWriteItem'],
        resourceArns: [sessions.tableArn],
      });
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
      new Alarm(this, `${id}IteratorAgeAlarm`, {
        alarmDescription: `The ${name} stream function is running more than a minute behind the session writes`,
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
      functions[name] = fn;
    }
    return { functions, deadLetterQueue };
  }

  /**
   * Real-time activity (family spec §6): the WebSocket API and its three route functions, the connections table, and
   * the tap function on the sessions table's stream, each function told and granted only what it uses.
   */
  private addRealTime(sessions: SessionTable['table'], props: SessionDirectoryStackProps) {
    const connectionTable = new ConnectionTable(this, 'Connections');
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
      connectionTable.table.grantReadWriteData(fn.function);
      if (definition.routeKey !== undefined) this.tokenSecret?.grantRead(fn.function);
      functions[name] = fn;
    }
    const api = new RealTimeApi(this, 'RealTimeApi', {
      functions: REAL_TIME_FUNCTIONS,
      handlers: Object.fromEntries(Object.entries(functions).map(([name, fn]) => [name, fn.function])),
    });

    const deadLetterQueue = new Queue(this, 'TapDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    for (const [name, definition] of entries) {
      const fn = functions[name].function;
      if (definition.managesConnections === true) {
        fn.addEnvironment(VARIABLES.rtaCallbackUrl, api.callbackUrl);
        api.grantManageConnections(fn);
      }
      if (definition.readsSessionStream !== true) continue;
      // Small batches; a failing batch is split to find the change that fails; the function reports the first
      // change it could not handle, so retries never resend what was sent; what still fails goes to the queue.
      fn.addEventSource(
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
      new Alarm(this, 'TapIteratorAgeAlarm', {
        alarmDescription: 'Shoulder taps are running more than a minute behind the session writes',
        metric: new Metric({
          namespace: 'AWS/Lambda',
          metricName: 'IteratorAge',
          dimensionsMap: { FunctionName: fn.functionName },
          statistic: 'Maximum',
          period: Duration.minutes(1),
        }),
        threshold: TAP_ITERATOR_AGE_ALARM_MS,
        evaluationPeriods: 3,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }

    new CfnOutput(this, 'RealTimeUrl', {
      description: 'Real-time activity (RTA) WebSocket URL: what clients use instead of wss://rta.xboxlive.com/connect',
      value: api.url,
    });
    return { connectionTable, functions, api, deadLetterQueue };
  }

  /**
   * The timer sweeper (README, "Timers that fire on their own"): an EventBridge rule invokes it once a minute, and it
   * commits due timers and disconnect checks. Least privilege: a Query on each table's due-time index, the read and
   * conditional write of sessions (GetItem, PutItem), and the read and update of ConnectionIds (GetItem, UpdateItem).
   */
  private addScheduledFunctions(sessions: SessionTable['table'], connections: ConnectionTable['table']) {
    const functions = {} as Record<ScheduledFunctionName, SessionFunction>;
    const rules = {} as Record<ScheduledFunctionName, Rule>;
    const entries = Object.entries(SCHEDULED_FUNCTIONS) as [
      ScheduledFunctionName,
      (typeof SCHEDULED_FUNCTIONS)[ScheduledFunctionName],
    ][];
    for (const [name, definition] of entries) {
      const id = name.charAt(0).toUpperCase() + name.slice(1);
      const fn = new SessionFunction(this, id, {
        entry: definition.entry,
        behindApi: false,
        timeout: SWEEPER_TIMEOUT,
        memorySize: SWEEPER_MEMORY_MB,
        environment: {
          [VARIABLES.sessionTableName]: sessions.tableName,
          [VARIABLES.connectionTableName]: connections.tableName,
          [VARIABLES.serviceName]: POWERTOOLS_SERVICE_NAME,
        },
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
      functions[name] = fn;
      rules[name] = rule;
    }
    return { functions, rules };
  }

  /** Imports the given secret, or creates one when no ARN is given. */
  private resolveTokenSecret(tokenSecretArn: string | undefined): ISecret {
    if (tokenSecretArn === undefined) {
      return new Secret(this, 'TokenSecret', {
        description: 'HS256 signing key for session directory caller tokens',
        // 64 alphanumerics is about 381 bits, above the 256 bits HS256 needs; no punctuation, so the value can be
        // pasted into a shell or a .env file unquoted. Deleting the stack schedules deletion with Secrets Manager's
        // recovery window, so a mistaken destroy can still be undone.
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
      });
    }
    if (!Token.isUnresolved(tokenSecretArn) && !COMPLETE_SECRET_ARN.test(tokenSecretArn)) {
      throw new Error(
        `tokenSecretArn must be the complete ARN of a Secrets Manager secret, ending in '-' and six characters (as the console shows it); got '${tokenSecretArn}'`,
      );
    }
    return Secret.fromSecretCompleteArn(this, 'TokenSecret', tokenSecretArn);
  }
}
