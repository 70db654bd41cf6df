import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation, type Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_DIMENSIONS, REQUEST_METRICS } from '../../lambda/runtime/metric-names';
import { acknowledgeFindings } from './acknowledge';

/** Each alarm's threshold, in one place (docs/operations.md says what each means and what to do). */
export const ALARM_THRESHOLDS = {
  /** Percent of the HTTP API's requests answered 5xx, per 5 minutes, 2 periods of 3. */
  api5xxPercent: 1,
  /** The HTTP API's p99 latency, ms, per 5 minutes, 3 periods in a row. */
  apiP99LatencyMs: 2000,
  /** Lambda errors (a crash or a timeout: the pipeline answers every failure it catches), per 5 minutes. */
  lambdaErrors: 1,
  /** Lambda throttles (concurrency exhausted), per 5 minutes. */
  lambdaThrottles: 1,
  /** The longest invocation, as a share of the function's timeout, per 5 minutes. */
  durationOfTimeout: 0.8,
  /** DynamoDB throttled requests, and system errors, per 5 minutes. */
  dynamoDbThrottles: 1,
  dynamoDbSystemErrors: 1,
  /** Percent of write attempts lost to a race, per 5 minutes, 3 in a row, counted once 20 attempts were made. */
  writeConflictPercent: 25,
  writeConflictMinAttempts: 20,
} as const;

/** Properties of {@link ServiceMonitoring}. */
export interface ServiceMonitoringProps {
  /** The stage's name, in the dashboard's name and each alarm's description. */
  readonly stage: string;
  readonly httpApi: HttpApi;
  /** Every function of the stack, by its name in the route table, with its timeout. */
  readonly functions: Readonly<Record<string, { readonly function: IFunction; readonly timeout: Duration }>>;
  /** The tables whose throttles and system errors matter: sessions, counters, connections. */
  readonly tables: Readonly<Record<string, Table>>;
  /**
   * Where the stream functions' failed batches go, by a name for the alarm's id (`<name>DeadLetters`), with what
   * waits there: the depth of each is an alarm.
   */
  readonly deadLetterQueues: Readonly<Record<string, { readonly queue: IQueue; readonly holds: string }>>;
  /** Alarms made elsewhere (the tap function's iterator age) that notify and show with these. */
  readonly otherAlarms?: readonly Alarm[];
  /** Namespace and service name of the functions' EMF metrics (POWERTOOLS_METRICS_NAMESPACE, _SERVICE_NAME). */
  readonly metricsNamespace: string;
  readonly serviceName: string;
  /**
   * Where alarms are sent: an SNS topic with this email subscribed (the address confirms by mail).
   *
   * @default - alarms change state without notifying anyone
   */
  readonly alarmEmail?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/** The operations the functions send (BatchGetItem and DeleteItem are rare and ride on the same capacity). */
const TABLE_OPERATIONS = [Operation.GET_ITEM, Operation.PUT_ITEM, Operation.UPDATE_ITEM, Operation.QUERY];

/**
 * The stage's alarms and its one dashboard (issue 15 item 6), over AWS's own metrics (API Gateway, Lambda,
 * DynamoDB, SQS) and the functions' EMF metrics (lambda/runtime/metric-names.ts). Every function the stack has gets
 * its alarms, so a function added to the route table is watched without a line here.
 */
export class ServiceMonitoring extends Construct {
  /** Every alarm, by its construct id. */
  public readonly alarms: Alarm[] = [];

  /** The notification topic, when an email is given. */
  public readonly topic: Topic | undefined;

  public readonly dashboard: Dashboard;

  public constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    const { httpApi } = props;
    const custom = (metricName: string, statistic: string, operation?: string) =>
      new Metric({
        namespace: props.metricsNamespace,
        metricName,
        statistic,
        period: FIVE_MINUTES,
        dimensionsMap: {
          [METRIC_DIMENSIONS.service]: props.serviceName,
          ...(operation === undefined ? {} : { [METRIC_DIMENSIONS.operation]: operation }),
        },
      });

    const api5xxRate = new MathExpression({
      label: 'HTTP API 5xx %',
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: {
        errors: httpApi.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
        requests: httpApi.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' }),
      },
      period: FIVE_MINUTES,
    });
    this.alarm('Api5xxRate', api5xxRate, {
      threshold: ALARM_THRESHOLDS.api5xxPercent,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      description: `More than ${ALARM_THRESHOLDS.api5xxPercent} % of requests answered 5xx`,
    });
    const apiLatency = httpApi.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' });
    this.alarm('ApiP99Latency', apiLatency, {
      threshold: ALARM_THRESHOLDS.apiP99LatencyMs,
      evaluationPeriods: 3,
      description: `p99 latency of the HTTP API above ${ALARM_THRESHOLDS.apiP99LatencyMs} ms`,
    });

    for (const [name, { function: fn, timeout }] of Object.entries(props.functions)) {
      const id = name.charAt(0).toUpperCase() + name.slice(1);
      this.alarm(`${id}Errors`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), {
        threshold: ALARM_THRESHOLDS.lambdaErrors,
        description: `The ${name} function failed (crashed or timed out)`,
      });
      this.alarm(`${id}Throttles`, fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }), {
        threshold: ALARM_THRESHOLDS.lambdaThrottles,
        description: `The ${name} function was throttled (no concurrency left)`,
      });
      this.alarm(`${id}DurationNearTimeout`, fn.metricDuration({ period: FIVE_MINUTES, statistic: 'Maximum' }), {
        threshold: Math.round(timeout.toMilliseconds() * ALARM_THRESHOLDS.durationOfTimeout),
        description: `An invocation of ${name} took over ${ALARM_THRESHOLDS.durationOfTimeout * 100} % of its ${timeout.toSeconds()} s timeout`,
      });
    }

    for (const [name, table] of Object.entries(props.tables)) {
      const id = name.charAt(0).toUpperCase() + name.slice(1);
      this.alarm(
        `${id}TableThrottles`,
        table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period: FIVE_MINUTES }),
        {
          threshold: ALARM_THRESHOLDS.dynamoDbThrottles,
          description: `DynamoDB throttled requests to the ${name} table`,
        },
      );
      this.alarm(
        `${id}TableSystemErrors`,
        table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period: FIVE_MINUTES }),
        {
          threshold: ALARM_THRESHOLDS.dynamoDbSystemErrors,
          description: `DynamoDB answered requests to the ${name} table with a 500`,
        },
      );
    }

    const conflictRate = new MathExpression({
      label: 'write conflicts %',
      expression: `IF(attempts >= ${ALARM_THRESHOLDS.writeConflictMinAttempts}, 100 * conflicts / attempts, 0)`,
      usingMetrics: {
        conflicts: custom(REQUEST_METRICS.writeConflicts, 'Sum'),
        attempts: custom(REQUEST_METRICS.writeAttempts, 'Sum'),
      },
      period: FIVE_MINUTES,
    });
    this.alarm('WriteConflicts', conflictRate, {
      threshold: ALARM_THRESHOLDS.writeConflictPercent,
      evaluationPeriods: 3,
      description: `More than ${ALARM_THRESHOLDS.writeConflictPercent} % of session write attempts lost a race`,
    });

    const deadLetters: IMetric[] = [];
    for (const [name, { queue, holds }] of Object.entries(props.deadLetterQueues)) {
      const depth = queue.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: 'Maximum',
        label: `${name} dead letters`,
      });
      deadLetters.push(depth);
      this.alarm(`${name}DeadLetters`, depth, {
        threshold: 1,
        description: `${holds} failed for good and are waiting in the dead-letter queue`,
      });
    }

    const alarms = [...this.alarms, ...(props.otherAlarms ?? [])];
    if (props.alarmEmail === undefined) {
      this.topic = undefined;
    } else {
      this.topic = new Topic(this, 'AlarmTopic', {
        displayName: `Session directory alarms (${props.stage})`,
        enforceSSL: true,
      });
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      acknowledgeFindings(
        this.topic,
        ['AwsSolutions::AwsSolutions-SNS2'],
        'Alarm notifications carry alarm names and states, nothing secret; CloudWatch cannot publish to a topic ' +
          'encrypted with the AWS-managed SNS key, and a customer-managed key would cost each stage $1 a month.',
      );
      acknowledgeFindings(
        this.topic,
        ['Serverless::Serverless-SNSRedrivePolicy'],
        'An email that cannot be delivered needs no replay: the alarm stays in ALARM on the dashboard and in the ' +
          'console, and its next state change is sent again.',
      );
      const action = new SnsAction(this.topic);
      for (const alarm of alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }

    this.dashboard = this.makeDashboard(props, alarms, { api5xxRate, apiLatency, conflictRate, deadLetters }, custom);
  }

  private alarm(
    id: string,
    metric: IMetric,
    options: { threshold: number; description: string; evaluationPeriods?: number; datapointsToAlarm?: number },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: options.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      ...(options.datapointsToAlarm === undefined ? {} : { datapointsToAlarm: options.datapointsToAlarm }),
      // A quiet stage (no requests, no invocations) is healthy, not unknown.
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `${options.description} (docs/operations.md, "Alarms").`,
    });
    this.alarms.push(alarm);
    return alarm;
  }

  private makeDashboard(
    props: ServiceMonitoringProps,
    alarms: Alarm[],
    shown: { api5xxRate: IMetric; apiLatency: IMetric; conflictRate: IMetric; deadLetters: IMetric[] },
    custom: (metricName: string, statistic: string, operation?: string) => Metric,
  ): Dashboard {
    const { httpApi } = props;
    const perOperation = (metricName: string, statistic: string) =>
      new MathExpression({
        label: metricName,
        // Every operation's series, including operations added after this was deployed.
        expression: `SEARCH('{${props.metricsNamespace},${METRIC_DIMENSIONS.service},${METRIC_DIMENSIONS.operation}} MetricName="${metricName}" ${METRIC_DIMENSIONS.service}="${props.serviceName}"', '${statistic}', 300)`,
        usingMetrics: {},
        period: FIVE_MINUTES,
      });
    const functions = Object.values(props.functions).map(({ function: fn }) => fn);
    const dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 4 }),
      new GraphWidget({
        title: 'HTTP API: requests, 4xx, 5xx',
        left: [
          httpApi.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' }),
          httpApi.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum' }),
          httpApi.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
        ],
        right: [shown.api5xxRate],
        width: 8,
      }),
      new GraphWidget({
        title: 'HTTP API latency (p50, p99)',
        left: [httpApi.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }), shown.apiLatency],
        width: 8,
      }),
      new GraphWidget({
        title: 'Requests per operation',
        left: [perOperation(REQUEST_METRICS.requests, 'Sum')],
        width: 8,
      }),
      new GraphWidget({
        title: 'Session writes: attempts, conflicts',
        left: [custom(REQUEST_METRICS.writeAttempts, 'Sum'), custom(REQUEST_METRICS.writeConflicts, 'Sum')],
        right: [shown.conflictRate],
        width: 8,
      }),
      new GraphWidget({
        title: '401, 412, 429, 503 answers',
        left: [
          custom(REQUEST_METRICS.tokenFailures, 'Sum'),
          custom(REQUEST_METRICS.preconditionFailed, 'Sum'),
          custom(REQUEST_METRICS.tooManyRequests, 'Sum'),
          custom(REQUEST_METRICS.unavailable, 'Sum'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Store time per request (p50, p99), cold starts',
        left: [custom(REQUEST_METRICS.storeLatency, 'p50'), custom(REQUEST_METRICS.storeLatency, 'p99')],
        right: [
          new MathExpression({
            label: 'cold starts',
            expression: `SEARCH('{${props.metricsNamespace},${METRIC_DIMENSIONS.service},function_name} MetricName="${REQUEST_METRICS.coldStart}"', 'Sum', 300)`,
            usingMetrics: {},
            period: FIVE_MINUTES,
          }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Lambda errors and throttles (all functions)',
        left: functions.map((fn) => fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' })),
        right: functions.map((fn) => fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Lambda duration, max (all functions)',
        left: functions.map((fn) => fn.metricDuration({ period: FIVE_MINUTES, statistic: 'Maximum' })),
        width: 12,
      }),
      // One widget per table: the per-operation sums share their metric ids, which one graph cannot hold twice.
      ...Object.entries(props.tables).map(
        ([name, table]) =>
          new GraphWidget({
            title: `DynamoDB ${name}: throttled requests`,
            left: [table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period: FIVE_MINUTES })],
            width: 6,
          }),
      ),
      new GraphWidget({ title: 'Stream dead letters', left: shown.deadLetters, width: 6 }),
    );
    return dashboard;
  }
}
