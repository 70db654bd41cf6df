import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { REAL_TIME_FUNCTIONS, type RealTimeFunctionName } from '../../lambda/http/routes';
import { SessionDirectoryStack } from '../../lib/session-directory-stack';
import { actionsOf, type Json, NO_BUNDLING, statementsOfFunction } from './stack-fixtures';

// The real-time activity part of the stack (issue 11 item 8): the WebSocket API and its routes, the sessions table's
// stream and the tap function on it (small batches, bisect on error, a dead-letter queue, an age alarm), and
// least-privilege grants.

const stack = new SessionDirectoryStack(new App({ context: NO_BUNDLING }), 'RealTime');
const template = Template.fromStack(stack);

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnFunction);
const functionId = (name: RealTimeFunctionName) => logicalId(stack.realTimeFunctions[name].function);
const sessionTableId = () => stack.getLogicalId(stack.sessionTable.table.node.defaultChild as CfnTable);
const connectionTableId = () => stack.getLogicalId(stack.connectionTable.table.node.defaultChild as CfnTable);
const webSocketApiId = () => logicalId(stack.realTimeApi.webSocketApi);

const statementsOf = (functionLogicalId: string) => statementsOfFunction(template, functionLogicalId);

/** A function's environment variables as synthesized. */
function environmentOf(functionLogicalId: string): Json {
  const fn = template.findResources('AWS::Lambda::Function')[functionLogicalId] as Json;
  return (((fn.Properties as Json).Environment as Json | undefined)?.Variables ?? {}) as Json;
}

describe('the WebSocket API', () => {
  it('routes $connect, $disconnect and $default to their functions by Lambda proxy, and nothing else', () => {
    const routes = (Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Json[])
      .map((route) => route.Properties as Json)
      .filter((route) => JSON.stringify(route.ApiId).includes(webSocketApiId()));
    expect(routes.map((route) => route.RouteKey).sort()).toEqual(['$connect', '$default', '$disconnect']);
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration') as Record<string, Json>;
    for (const route of routes) {
      const integrationId = JSON.stringify(route.Target).match(/"Ref":"([^"]+)"/)?.[1] ?? '';
      const integration = integrations[integrationId]?.Properties as Json;
      expect(integration.IntegrationType).toBe('AWS_PROXY');
      const name = (Object.keys(REAL_TIME_FUNCTIONS) as RealTimeFunctionName[]).find(
        (n) => (REAL_TIME_FUNCTIONS[n] as { routeKey?: string }).routeKey === route.RouteKey,
      ) as RealTimeFunctionName;
      expect(JSON.stringify(integration.IntegrationUri)).toContain(`"${functionId(name)}"`);
    }
  });

  it('answers each frame on $default with the function result (a two-way route)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::RouteResponse', { RouteResponseKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      RouteResponseSelectionExpression: '$default',
    });
  });

  it('has an auto-deployed, throttled stage and its URL as an output', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: webSocketApiId() },
      AutoDeploy: true,
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 }),
    });
    template.hasOutput('RealTimeUrl', Match.anyValue());
  });
});

describe('the tap function', () => {
  it('reads the sessions table stream with both images', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('takes small batches, bisects a failing one, reports the first failed change and sends the rest to a queue', () => {
    // The tap function's mapping (the finder has its own on the same stream, test/infra/session-directory-stack.test.ts).
    const mappings = (Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Json[]).filter(
      (m) => JSON.stringify((m.Properties as Json).FunctionName) === JSON.stringify({ Ref: functionId('sessionTaps') }),
    );
    expect(mappings).toHaveLength(1);
    const mapping = (mappings[0] as Json).Properties as Json;
    expect(mapping).toEqual(
      expect.objectContaining({
        FunctionName: { Ref: functionId('sessionTaps') },
        EventSourceArn: { 'Fn::GetAtt': [sessionTableId(), 'StreamArn'] },
        StartingPosition: 'LATEST',
        BatchSize: 10,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 300,
      }),
    );
    const queueId = stack.getLogicalId(stack.tapDeadLetterQueue.node.defaultChild as CfnTable);
    expect(JSON.stringify(mapping.DestinationConfig)).toContain(`"${queueId}"`);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('has an alarm on how far behind the stream it runs', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId('sessionTaps') } }],
      Threshold: 60000,
    });
  });
});

describe('grants', () => {
  it('execute-api:ManageConnections goes to the tap function only of the real-time functions, on this API’s stage only', () => {
    for (const name of Object.keys(REAL_TIME_FUNCTIONS) as RealTimeFunctionName[]) {
      const manage = statementsOf(functionId(name)).filter((s) =>
        actionsOf(s).includes('execute-api:ManageConnections'),
      );
      if (name !== 'sessionTaps') {
        expect(manage).toEqual([]);
        continue;
      }
      expect(manage).toHaveLength(1);
      const resource = JSON.stringify((manage[0] as Json).Resource);
      expect(resource).toContain(`"${webSocketApiId()}"`);
      expect(resource).toContain('/rta/POST/@connections/*');
    }
    for (const name of ['getSession', 'putSession'] as const) {
      const fnId = stack.getLogicalId(stack.functions[name].function.node.defaultChild as CfnFunction);
      expect(statementsOf(fnId).flatMap(actionsOf)).not.toContain('execute-api:ManageConnections');
    }
  });

  it('the real-time functions reach the connections table and never the sessions table’s items', () => {
    for (const name of Object.keys(REAL_TIME_FUNCTIONS) as RealTimeFunctionName[]) {
      const statements = statementsOf(functionId(name));
      const onSessions = statements
        .filter((s) => JSON.stringify(s.Resource).includes(`"${sessionTableId()}"`))
        .flatMap(actionsOf);
      // The tap function reads the stream (its event source's grant); nothing reads or writes session items.
      for (const action of onSessions)
        expect(action).toMatch(/^dynamodb:(DescribeStream|GetRecords|GetShardIterator|ListStreams)$/);
      const onConnections = statements
        .filter((s) => JSON.stringify(s.Resource).includes(`"${connectionTableId()}"`))
        .flatMap(actionsOf);
      expect(onConnections).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
      );
    }
  });

  it('the HTTP functions are not given the connections table, but for GET /nonce', () => {
    for (const name of Object.keys(stack.functions) as (keyof typeof stack.functions)[]) {
      if (name === 'getNonce') continue;
      const fnId = stack.getLogicalId(stack.functions[name].function.node.defaultChild as CfnFunction);
      expect(JSON.stringify(statementsOf(fnId))).not.toContain(`"${connectionTableId()}"`);
      expect(JSON.stringify(environmentOf(fnId))).not.toContain(`"${connectionTableId()}"`);
    }
  });
});

describe('GET /nonce (family spec §6.1)', () => {
  const nonceFunctionId = () => stack.getLogicalId(stack.functions.getNonce.function.node.defaultChild as CfnFunction);

  it('is a route of the HTTP API, integrated with its own function', () => {
    const route = (Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Json[])
      .map((r) => r.Properties as Json)
      .find((r) => r.RouteKey === 'GET /nonce') as Json;
    expect(JSON.stringify(route.ApiId)).toContain(`"${logicalId(stack.api.httpApi)}"`);
    const integrationId = JSON.stringify(route.Target).match(/"Ref":"([^"]+)"/)?.[1] ?? '';
    const integration = template.findResources('AWS::ApiGatewayV2::Integration')[integrationId]?.Properties as Json;
    expect(JSON.stringify(integration.IntegrationUri)).toContain(`"${nonceFunctionId()}"`);
  });

  it('may only put items into the connections table, and never touch the sessions table', () => {
    const statements = statementsOf(nonceFunctionId());
    const onConnections = statements.filter((s) => JSON.stringify(s.Resource).includes(`"${connectionTableId()}"`));
    expect(onConnections.flatMap(actionsOf)).toEqual(['dynamodb:PutItem']);
    expect(JSON.stringify(statements)).not.toContain(`"${sessionTableId()}"`);
    expect(environmentOf(nonceFunctionId()).CONNECTION_TABLE_NAME).toEqual({ Ref: connectionTableId() });
  });

  it('nonces are taken by the $connect function, which may delete items of the connections table', () => {
    const onConnections = statementsOf(functionId('rtaConnect'))
      .filter((s) => JSON.stringify(s.Resource).includes(`"${connectionTableId()}"`))
      .flatMap(actionsOf);
    expect(onConnections).toContain('dynamodb:DeleteItem');
  });
});
