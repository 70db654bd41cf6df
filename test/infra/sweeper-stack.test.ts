import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { SCHEDULED_FUNCTIONS } from '../../lambda/http/routes';
import { DUE_INDEX } from '../../lambda/store/table-schema';
import { SessionDirectoryStack } from '../../lib/session-directory-stack';
import { type Json, NO_BUNDLING, statementsOfFunction } from './stack-fixtures';

// The timer sweeper in the stack (issue 11 items 5, 6 and 8): the due-time index on both tables, the function with
// an EventBridge rule every minute, and grants of exactly what it does (a Query on each index, the read and
// conditional write of sessions, the read and update of ConnectionIds).

const stack = new SessionDirectoryStack(new App({ context: NO_BUNDLING }), 'Sweeper');
const template = Template.fromStack(stack);
const sweeper = stack.scheduledFunctions.timerSweeper.function;
const sweeperId = stack.getLogicalId(sweeper.node.defaultChild as CfnFunction);
const tableId = (table: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(table.node.defaultChild as CfnTable);

const statementsOf = (functionLogicalId: string) => statementsOfFunction(template, functionLogicalId);

it.each([
  ['sessions', () => stack.sessionTable.table],
  ['connections', () => stack.connectionTable.table],
])('the %s table has the sparse due-time index, keys only', (_name, table) => {
  const properties = template.findResources('AWS::DynamoDB::Table')[tableId(table())]?.Properties as Json;
  // The sessions table also has the activity index (handles); the due-time index is among the table's indexes.
  expect(properties.GlobalSecondaryIndexes).toContainEqual({
    IndexName: DUE_INDEX.name,
    KeySchema: [
      { AttributeName: DUE_INDEX.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: DUE_INDEX.sortKey.name, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'KEYS_ONLY' },
  });
});

it('an EventBridge rule invokes the sweeper every minute, without retrying a missed minute', () => {
  const rules = Object.values(template.findResources('AWS::Events::Rule')) as Json[];
  const rule = rules.find((r) => JSON.stringify((r.Properties as Json).Targets).includes(`"${sweeperId}"`));
  const properties = (rule?.Properties ?? {}) as Json;
  expect(properties.ScheduleExpression).toBe(`rate(${SCHEDULED_FUNCTIONS.timerSweeper.everyMinutes} minute)`);
  expect(properties.State).toBe('ENABLED');
  expect((properties.Targets as Json[])[0]).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 0 } });
  template.hasResourceProperties('AWS::Lambda::Permission', {
    Action: 'lambda:InvokeFunction',
    Principal: 'events.amazonaws.com',
    FunctionName: { 'Fn::GetAtt': [sweeperId, 'Arn'] },
  });
});

it('the sweeper may run a minute of sweeps (not held to the API limit), with little memory', () => {
  const properties = template.findResources('AWS::Lambda::Function')[sweeperId]?.Properties as Json;
  expect(properties.Timeout).toBe(90);
  expect(properties.MemorySize).toBe(256);
});

it('the sweeper is granted a Query on each due index, GetItem and PutItem on sessions, GetItem, UpdateItem, BatchGetItem and DeleteItem on connection state, PostToConnection on this API’s stage, and nothing else', () => {
  const statements = statementsOf(sweeperId).map((statement) => ({
    actions: [statement.Action].flat().sort(),
    resources: JSON.stringify(statement.Resource),
  }));
  const sessions = tableId(stack.sessionTable.table);
  const connections = tableId(stack.connectionTable.table);
  const find = (actions: string[], tableLogicalId: string, index: boolean) =>
    statements.filter(
      (s) =>
        JSON.stringify(s.actions) === JSON.stringify(actions) &&
        s.resources.includes(`"${tableLogicalId}"`) &&
        s.resources.includes(`/index/${DUE_INDEX.name}`) === index,
    );
  expect(find(['dynamodb:GetItem', 'dynamodb:PutItem'], sessions, false)).toHaveLength(1);
  expect(find(['dynamodb:Query'], sessions, true)).toHaveLength(1);
  expect(find(['dynamodb:GetItem', 'dynamodb:UpdateItem'], connections, false)).toHaveLength(1);
  // The keepalive pass (family spec §6.4): the due sockets' items, and forgetting a socket found gone.
  expect(find(['dynamodb:BatchGetItem', 'dynamodb:DeleteItem'], connections, false)).toHaveLength(1);
  expect(find(['dynamodb:Query'], connections, true)).toHaveLength(1);
  const dynamoDb = statements.filter((s) => s.actions.some((action) => String(action).startsWith('dynamodb:')));
  expect(dynamoDb).toHaveLength(5);
  // No Scan, no DeleteItem of sessions, no stream, no secret; posting to sockets only on this API's stage.
  const all = statements.flatMap((s) => s.actions);
  expect(all).not.toEqual(expect.arrayContaining(['dynamodb:Scan']));
  // Besides DynamoDB only what every function has (its own log group and X-Ray: test/infra/least-privilege.test.ts),
  // and posting to sockets on this API's stage only.
  const others = statements.filter((s) => s.actions.some((action) => !/^(dynamodb|logs|xray):/.test(String(action))));
  expect(others.map((s) => s.actions)).toEqual([['execute-api:ManageConnections']]);
  expect(others[0]?.resources).toContain('/rta/POST/@connections/*');
});
