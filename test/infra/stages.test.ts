import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { FUNCTIONS } from '../../lambda/http/routes';
import { type ContextReader, defaultSettingsOf, readStageSettings, stackNameOf } from '../../lib/stage-settings';
import { type Json, synthStage } from './stack-fixtures';

// Stages side by side (issue 15 item 1): a stage's name and settings come from context; each stage is its own stack;
// what `cdk destroy` does follows the stage's data policy (README "Stages", docs/operations.md).

function contextOf(values: Record<string, unknown>): ContextReader {
  return (key) => values[key];
}

const dev = synthStage({});
const staging = synthStage({ stage: 'staging', alarmEmail: 'ops@example.com' });

function sessionTableOf({ stack, template }: typeof dev): Json {
  const id = stack.getLogicalId(stack.sessionTable.table.node.defaultChild as CfnTable);
  return template.findResources('AWS::DynamoDB::Table')[id] as Json;
}

describe('reading a stage from context', () => {
  it('is dev with its defaults when no stage is given', () => {
    expect(readStageSettings(contextOf({}))).toEqual(defaultSettingsOf('dev'));
  });

  it.each([
    ['dev', 'destroy', 7],
    ['alice', 'destroy', 7],
    ['staging', 'retain', 30],
    ['prod', 'retain', 30],
  ])('stage %s keeps its data by default as %s, its logs %i days', (stage, data, days) => {
    const settings = readStageSettings(contextOf({ stage }));
    expect(settings).toEqual(expect.objectContaining({ stage, data, logRetentionDays: days }));
  });

  it('takes -c keys over the per-stage object in cdk.json, and that over the defaults', () => {
    const settings = readStageSettings(
      contextOf({
        stage: 'load',
        stages: { load: { rateLimits: 'off', throttleRate: 5000, logLevel: 'WARN' }, other: { tracing: false } },
        throttleRate: '3000',
        reservedConcurrency: '50',
      }),
    );
    expect(settings).toEqual({
      ...defaultSettingsOf('load'),
      rateLimits: 'off',
      throttleRatePerSecond: 3000,
      logLevel: 'WARN',
      reservedConcurrency: 50,
    });
  });

  it.each([
    [{ stage: 'Staging' }, /'stage' must be 1-20 lower-case letters/],
    [{ stage: 'dev', data: 'keep' }, /'data' must be one of destroy, retain, got "keep"/],
    [{ logRetentionDays: '10' }, /'logRetentionDays' must be one of 1, 3, 5, 7, 14, 30/],
    [{ throttleRate: '-1' }, /'throttleRate' must be a non-negative integer/],
    [{ reservedConcurrency: '0' }, /'reservedConcurrency' must be a positive integer/],
    [{ tracing: 'yes' }, /'tracing' must be true or false/],
    [{ hostedZoneId: 'Z1' }, /'domainName' is required with any other custom-domain key/],
    [{ domainName: 'mpsd.example.com' }, /needs 'hostedZoneId' and 'hostedZoneName'/],
    [
      { domainName: 'mpsd.example.org', hostedZoneId: 'Z1', hostedZoneName: 'example.com' },
      /'domainName' \(mpsd.example.org\) must be in the hosted zone 'example.com'/,
    ],
  ])('refuses %j, saying what is allowed', (context, message) => {
    expect(() => readStageSettings(contextOf(context))).toThrow(message);
  });

  it('names each stage its own stack', () => {
    expect(stackNameOf('dev')).toBe('SessionDirectory-dev');
    expect(dev.stack.stackName).toBe('SessionDirectory-dev');
    expect(staging.stack.stackName).toBe('SessionDirectory-staging');
  });
});

describe('a dev stage', () => {
  it('destroys its sessions table with the stack, without deletion protection or point-in-time recovery', () => {
    const table = sessionTableOf(dev);
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.UpdateReplacePolicy).toBe('Delete');
    expect(table.Properties).toEqual(
      expect.objectContaining({
        DeletionProtectionEnabled: false,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
      }),
    );
  });

  it('deletes every table, its secret and its log groups: nothing is left behind', () => {
    for (const type of ['AWS::DynamoDB::Table', 'AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup']) {
      const resources = Object.values(dev.template.findResources(type)) as Json[];
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) expect([type, resource.DeletionPolicy]).toEqual([type, 'Delete']);
    }
  });

  it('keeps its logs a week', () => {
    for (const group of Object.values(dev.template.findResources('AWS::Logs::LogGroup')) as Json[]) {
      expect((group.Properties as Json).RetentionInDays).toBe(7);
    }
  });
});

describe('a staging stage', () => {
  it('retains its sessions table with deletion protection and point-in-time recovery', () => {
    const table = sessionTableOf(staging);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties).toEqual(
      expect.objectContaining({
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
  });

  it('retains its token secret, which CloudFormation would otherwise delete with no recovery window', () => {
    staging.template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('keeps its logs a month and past the stack', () => {
    for (const group of Object.values(staging.template.findResources('AWS::Logs::LogGroup')) as Json[]) {
      expect(group.DeletionPolicy).toBe('Retain');
      expect((group.Properties as Json).RetentionInDays).toBe(30);
    }
  });

  it('destroys only the tables whose items expire within hours (fair-use counters, connections)', () => {
    const retainedTables = (Object.values(staging.template.findResources('AWS::DynamoDB::Table')) as Json[]).filter(
      (table) => table.DeletionPolicy === 'Retain',
    );
    expect(retainedTables).toEqual([sessionTableOf(staging)]);
  });
});

describe('per-stage settings in the template', () => {
  const custom = synthStage({
    stage: 'load',
    rateLimits: 'off',
    throttleRate: '3000',
    throttleBurst: '6000',
    reservedConcurrency: '20',
    logLevel: 'WARN',
    tracing: 'false',
  });

  it('throttle both APIs’ stages', () => {
    custom.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 3000, ThrottlingBurstLimit: 6000 },
    });
    custom.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'rta',
      DefaultRouteSettings: { ThrottlingRateLimit: 3000, ThrottlingBurstLimit: 6000 },
    });
  });

  it('switch fair use off, reserve concurrency for the API functions, set the log level and tracing', () => {
    for (const name of Object.keys(FUNCTIONS) as (keyof typeof FUNCTIONS)[]) {
      const id = custom.stack.getLogicalId(custom.stack.functions[name].function.node.defaultChild as CfnFunction);
      const props = (custom.template.findResources('AWS::Lambda::Function')[id] as Json).Properties as Json;
      expect(props.ReservedConcurrentExecutions).toBe(20);
      expect(props.TracingConfig).toBeUndefined();
      expect((props.Environment as Json).Variables).toEqual(
        expect.objectContaining({
          RATE_LIMITS: 'off',
          POWERTOOLS_LOG_LEVEL: 'WARN',
          POWERTOOLS_TRACE_DISABLED: 'true',
        }),
      );
    }
  });

  it('tag every taggable resource with the stage and the service', () => {
    for (const fn of Object.values(custom.template.findResources('AWS::Lambda::Function')) as Json[]) {
      expect((fn.Properties as Json).Tags).toEqual(
        expect.arrayContaining([
          { Key: 'stage', Value: 'load' },
          { Key: 'service', Value: 'session-directory' },
        ]),
      );
    }
    for (const table of Object.values(custom.template.findResources('AWS::DynamoDB::Table')) as Json[]) {
      expect((table.Properties as Json).Tags).toEqual(expect.arrayContaining([{ Key: 'stage', Value: 'load' }]));
    }
  });
});
