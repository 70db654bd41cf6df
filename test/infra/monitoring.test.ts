import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { FUNCTIONS, REAL_TIME_FUNCTIONS, SCHEDULED_FUNCTIONS } from '../../lambda/http/routes';
import { REQUEST_METRICS } from '../../lambda/runtime/metric-names';
import { ALARM_THRESHOLDS } from '../../lib/constructs/service-monitoring';
import { type Json, synthStage } from './stack-fixtures';

// Alarms and the dashboard (issue 15 item 6): API 5xx rate and p99 latency; per function errors, throttles and
// duration near its timeout; per table DynamoDB throttles and system errors; a rise in write conflicts from the
// functions' EMF metrics; the tap dead letters; an SNS topic with an email when the context gives one; one dashboard.

const quiet = synthStage({});
const paged = synthStage({ stage: 'staging', alarmEmail: 'ops@example.com' });

function alarmsOf(template: Template): Json[] {
  return (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[]).map((a) => a.Properties as Json);
}

/** An alarm's metric-math metrics as text ('' for an alarm on one metric). */
function metricsText(alarm: Json | undefined): string {
  return JSON.stringify(alarm?.Metrics ?? '');
}

/** The alarms whose single metric is `metricName` of `namespace` on the function with this logical id. */
function functionAlarms(template: Template, logicalId: string): Record<string, Json> {
  return Object.fromEntries(
    alarmsOf(template)
      .filter(
        (alarm) =>
          alarm.Namespace === 'AWS/Lambda' && JSON.stringify(alarm.Dimensions).includes(`"Ref":"${logicalId}"`),
      )
      .map((alarm) => [String(alarm.MetricName), alarm]),
  );
}

it('every function of the route table has an errors, a throttles and a duration-near-timeout alarm', () => {
  const { stack, template } = quiet;
  const all = { ...stack.functions, ...stack.realTimeFunctions, ...stack.scheduledFunctions };
  expect(Object.keys(all).sort()).toEqual(
    [...Object.keys(FUNCTIONS), ...Object.keys(REAL_TIME_FUNCTIONS), ...Object.keys(SCHEDULED_FUNCTIONS)].sort(),
  );
  for (const fn of Object.values(all)) {
    const alarms = functionAlarms(template, stack.getLogicalId(fn.function.node.defaultChild as CfnFunction));
    // The tap function also has its stream lag alarm (test/infra/real-time-stack.test.ts).
    expect(
      Object.keys(alarms)
        .filter((name) => name !== 'IteratorAge')
        .sort(),
    ).toEqual(['Duration', 'Errors', 'Throttles']);
    expect(alarms.Errors).toEqual(expect.objectContaining({ Statistic: 'Sum', Threshold: 1 }));
    expect(alarms.Duration).toEqual(
      expect.objectContaining({
        Statistic: 'Maximum',
        Threshold: fn.timeout.toMilliseconds() * ALARM_THRESHOLDS.durationOfTimeout,
      }),
    );
  }
});

it('watches the HTTP API’s 5xx rate and p99 latency', () => {
  const alarms = alarmsOf(quiet.template);
  const rate = alarms.find((alarm) => metricsText(alarm).includes('100 * errors / requests'));
  expect(rate).toEqual(expect.objectContaining({ Threshold: ALARM_THRESHOLDS.api5xxPercent, EvaluationPeriods: 3 }));
  expect(metricsText(rate)).toMatch(/"MetricName":"5xx".*"MetricName":"Count"/);
  expect(alarms).toContainEqual(
    expect.objectContaining({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Threshold: ALARM_THRESHOLDS.apiP99LatencyMs,
    }),
  );
});

it('watches each table’s throttled requests and system errors', () => {
  const tableAlarms = alarmsOf(quiet.template).filter((alarm) => metricsText(alarm).includes('AWS/DynamoDB'));
  const text = tableAlarms.map((alarm) => metricsText(alarm));
  expect(text.filter((t) => t.includes('ThrottledRequests'))).toHaveLength(3);
  expect(text.filter((t) => t.includes('SystemErrors'))).toHaveLength(3);
});

it('watches the share of session write attempts lost to races, from the functions’ own metrics of this stage', () => {
  const alarm = alarmsOf(quiet.template).find((a) => metricsText(a).includes('conflicts / attempts'));
  const metrics = metricsText(alarm);
  expect(metrics).toContain(`"MetricName":"${REQUEST_METRICS.writeConflicts}"`);
  expect(metrics).toContain(`"MetricName":"${REQUEST_METRICS.writeAttempts}"`);
  expect(metrics).toContain('"Namespace":"SessionDirectory/dev"');
  expect(alarm?.Threshold).toBe(ALARM_THRESHOLDS.writeConflictPercent);
});

it('gives each stage’s functions a metrics namespace of its own', () => {
  for (const { stack, template } of [quiet, paged]) {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')) as Json[]) {
      const variables = ((fn.Properties as Json).Environment as Json).Variables as Json;
      expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe(`SessionDirectory/${stack.settings.stage}`);
    }
  }
});

it('without an alarm email, the alarms notify nobody and there is no topic', () => {
  quiet.template.resourceCountIs('AWS::SNS::Topic', 0);
  for (const alarm of alarmsOf(quiet.template)) expect(alarm.AlarmActions).toBeUndefined();
});

it('with an alarm email, every alarm (the tap lag’s too) notifies one topic, which mails it', () => {
  const topics = Object.keys(paged.template.findResources('AWS::SNS::Topic'));
  expect(topics).toHaveLength(1);
  paged.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  const alarms = alarmsOf(paged.template);
  expect(alarms.length).toBe(alarmsOf(quiet.template).length);
  for (const alarm of alarms) {
    expect(alarm.AlarmActions).toEqual([{ Ref: topics[0] }]);
    expect(alarm.OKActions).toEqual([{ Ref: topics[0] }]);
  }
});

it('has one dashboard with the alarms and the per-operation requests', () => {
  const dashboards = Object.values(quiet.template.findResources('AWS::CloudWatch::Dashboard')) as Json[];
  expect(dashboards).toHaveLength(1);
  const body = JSON.stringify((dashboards[0] as Json).Properties);
  expect(body).toContain('Alarms');
  expect(body).toContain(`MetricName=\\\\\\"${REQUEST_METRICS.requests}\\\\\\"`);
});
