import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { FUNCTIONS, type FunctionName } from '../../lambda/http/routes';
import {
  ACTIVITY_INDEX,
  SEARCH_INDEX,
  SESSION_FINDER_INDEX,
  SESSION_LIST_INDEX,
} from '../../lambda/store/table-schema';
import type { SessionFunction } from '../../lib/constructs/session-function';
import { SESSION_TABLE_GRANTS } from '../../lib/constructs/table-grants';
import { SessionDirectoryStack } from '../../lib/session-directory-stack';
import { defaultSettingsOf } from '../../lib/stage-settings';
import { actionsOf, type Json, NO_BUNDLING, statementsOfRole } from './stack-fixtures';

// Least privilege (issue 15 item 7): explicit action lists per function from data (the route table's access and
// lib/constructs/table-grants.ts), each function's log policy scoped to its own log group, and `*` as a resource only
// for X-Ray, which has nothing narrower.

const stack = new SessionDirectoryStack(new App({ context: NO_BUNDLING }), 'LeastPrivilege', {
  settings: defaultSettingsOf('dev'),
});
const template = Template.fromStack(stack);
const allFunctions: [string, SessionFunction][] = Object.entries({
  ...stack.functions,
  ...stack.realTimeFunctions,
  ...stack.scheduledFunctions,
});

interface Statement {
  readonly actions: string[];
  readonly resources: string[];
}

/** Every statement of the policies attached to the function's role, resources as JSON text. */
function statementsOf(fn: SessionFunction): Statement[] {
  const roleId = Stack.of(fn).getLogicalId(fn.function.role?.node.defaultChild as CfnRole);
  const role = template.findResources('AWS::IAM::Role')[roleId] as Json;
  expect((role.Properties as Json).ManagedPolicyArns).toBeUndefined();
  return statementsOfRole(template, roleId).map((statement) => ({
    actions: actionsOf(statement),
    resources: ([] as unknown[]).concat(statement.Resource).map((resource) => JSON.stringify(resource)),
  }));
}

function idOf(construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnTable);
}

/** The actions the function may take on a resource whose JSON names `logicalId`, with the resource text. */
function actionsOn(fn: SessionFunction, logicalId: string): { action: string; resource: string }[] {
  return statementsOf(fn).flatMap((statement) =>
    statement.resources
      .filter((resource) => resource.includes(`"${logicalId}"`))
      .flatMap((resource) => statement.actions.map((action) => ({ action, resource }))),
  );
}

it.each(allFunctions)('%s has a role of its own without managed policies, and names every action', (_name, fn) => {
  for (const statement of statementsOf(fn)) {
    for (const action of statement.actions) expect(action).toMatch(/^[a-z-]+:[A-Za-z]+$/);
  }
});

it.each(allFunctions)('%s uses * as a resource only where AWS has nothing narrower', (name, fn) => {
  // X-Ray's two actions, and the stream event source's ListStreams (the tap function): no resource-level permissions.
  const allowed = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
  if (name === 'sessionTaps') allowed.push('dynamodb:ListStreams');
  for (const statement of statementsOf(fn)) {
    if (statement.resources.includes('"*"')) expect(allowed).toEqual(expect.arrayContaining(statement.actions));
  }
});

it.each(allFunctions)('%s may write logs to its own log group only', (_name, fn) => {
  const ownLogGroup = stack.getLogicalId(fn.logGroup.node.defaultChild as CfnLogGroup);
  const logStatements = statementsOf(fn).filter((statement) => statement.actions.some((a) => a.startsWith('logs:')));
  expect(logStatements).toEqual([
    {
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [JSON.stringify({ 'Fn::GetAtt': [ownLogGroup, 'Arn'] })],
    },
  ]);
});

it.each(Object.keys(FUNCTIONS) as FunctionName[])(
  '%s may do to the sessions table exactly what its access in the route table grants',
  (name) => {
    const grant = SESSION_TABLE_GRANTS[FUNCTIONS[name].sessionTableAccess];
    const onTable = actionsOn(stack.functions[name], idOf(stack.sessionTable.table));
    const onItems = onTable.filter(({ resource }) => !resource.includes('/index/')).map(({ action }) => action);
    const onIndexes = onTable.filter(({ resource }) => resource.includes('/index/'));
    expect(onItems.sort()).toEqual([...grant.itemActions].sort());
    expect(onIndexes.map(({ action }) => action)).toEqual(grant.indexQueries.map(() => 'dynamodb:Query'));
    for (const [i, index] of grant.indexQueries.entries()) expect(onIndexes[i]?.resource).toContain(`/index/${index}`);
  },
);

it('the GET function reads session items by key and nothing else', () => {
  const fn = stack.functions.getSession;
  expect(actionsOn(fn, idOf(stack.sessionTable.table)).map(({ action }) => action)).toEqual(['dynamodb:GetItem']);
  // Beyond the sessions table: the fair-use counter, the token secret, its logs and X-Ray.
  expect(
    statementsOf(fn)
      .flatMap((statement) => statement.actions)
      .sort(),
  ).toEqual([
    'dynamodb:GetItem',
    'dynamodb:UpdateItem',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    'secretsmanager:GetSecretValue',
    'xray:PutTelemetryRecords',
    'xray:PutTraceSegments',
  ]);
});

it('only the handle query (activities and search handles) and the session queries may Query, each only its own indexes; nothing may Scan', () => {
  for (const [name, fn] of allFunctions) {
    const actions = statementsOf(fn).flatMap((statement) => statement.actions);
    expect(actions).not.toContain('dynamodb:Scan');
    const queries = actionsOn(fn, idOf(stack.sessionTable.table)).filter(({ action }) => action === 'dynamodb:Query');
    if (name === 'queryHandles')
      expect(queries.map(({ resource }) => resource.replace(/^.*\/index\/([^"]+)".*$/, '$1')).sort()).toEqual(
        [ACTIVITY_INDEX, SEARCH_INDEX].sort(),
      );
    else if (name === 'querySessions' || name === 'batchQuerySessions')
      expect(queries.map(({ resource }) => resource.replace(/^.*\/index\/([^"]+)".*$/, '$1')).sort()).toEqual(
        [SESSION_FINDER_INDEX.name, SESSION_LIST_INDEX.name].sort(),
      );
    else if (name !== 'timerSweeper') expect(queries).toEqual([]);
  }
});

it('the functions may only increment the fair-use counters', () => {
  for (const [name, fn] of Object.entries(stack.functions)) {
    const actions = actionsOn(fn, idOf(stack.rateLimitTable.table)).map(({ action }) => action);
    expect([name, actions]).toEqual([name, ['dynamodb:UpdateItem']]);
  }
});
