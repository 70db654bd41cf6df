import type { Server } from 'node:http';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ApiHandler } from '../../lambda/http/api-types';
import { FUNCTIONS, ROUTES, type Route, routeKeyOf } from '../../lambda/http/routes';
import { SessionApi } from '../../lib/constructs/session-api';
import { createLocalServer } from '../../local/http-server';
import { closeServer, listenOnLoopback } from '../support/loopback-server';

// The route table (lambda/http/routes.ts) is the one list of routes: the CDK HTTP API and the local server are both
// built from it. Adding a route is one entry there plus one handler; this shows one added entry reaching both.

/** CloudFormation JSON as the assertions library returns it. */
type Json = Record<string, unknown>;

type TestFunction = keyof typeof FUNCTIONS | 'removeMember';

/** A route the service does not have (MPSD has no PATCH), to a function it does not have. */
const ADDED: Route<TestFunction> = {
  method: 'PATCH',
  path: '/serviceconfigs/{scid}/sessiontemplates/{sessionTemplateName}/sessions/{sessionName}/members/{index}',
  function: 'removeMember',
  resource: 'session',
};
const TABLE: readonly Route<TestFunction>[] = [...ROUTES, ADDED];

describe('one added route-table entry', () => {
  it('appears in the synthesized HTTP API, integrated with its function', () => {
    const stack = new Stack(new App(), 'RouteTable');
    const functionNames: TestFunction[] = [...(Object.keys(FUNCTIONS) as (keyof typeof FUNCTIONS)[]), 'removeMember'];
    const functions = Object.fromEntries(
      functionNames.map((name) => [
        name,
        new LambdaFunction(stack, name, {
          runtime: Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: Code.fromInline('exports.handler = async () => ({ statusCode: 204 });'),
        }),
      ]),
    );
    new SessionApi(stack, 'Api', { routes: TABLE, functions });
    const template = Template.fromStack(stack);

    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Json[];
    expect(routes.map((route) => (route.Properties as Json).RouteKey).sort()).toEqual(TABLE.map(routeKeyOf).sort());

    const added = routes.find((route) => (route.Properties as Json).RouteKey === routeKeyOf(ADDED)) as Json;
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration') as Record<string, Json>;
    const integration = integrations[targetIntegrationId((added.Properties as Json).Target)]?.Properties as Json;
    expect(integration.PayloadFormatVersion).toBe('2.0');
    const removeMemberId = stack.getLogicalId(functions.removeMember?.node.defaultChild as never);
    expect(JSON.stringify(integration.IntegrationUri)).toContain(`"${removeMemberId}"`);
  });

  it('is dispatched by the local server to its handler, with its route key and path parameters', async () => {
    const events: { handler: TestFunction; event: APIGatewayProxyEventV2 }[] = [];
    const stub =
      (handler: TestFunction): ApiHandler =>
      async (event) => {
        events.push({ handler, event });
        return { statusCode: 204 };
      };
    const handlers = {
      ...(Object.fromEntries(
        (Object.keys(FUNCTIONS) as (keyof typeof FUNCTIONS)[]).map((name) => [name, stub(name)]),
      ) as Record<keyof typeof FUNCTIONS, ApiHandler>),
      removeMember: stub('removeMember'),
    };
    const path = '/serviceconfigs/00000000-0000-0000-0000-00006c6f6361/sessiontemplates/lobby/sessions/s1/members/me';

    const withEntry = await listen(createLocalServer(handlers, { routes: TABLE, log: () => {} }));
    const withoutEntry = await listen(createLocalServer(handlers, { routes: ROUTES, log: () => {} }));
    try {
      const response = await fetch(`${withEntry.baseUrl}${path}`, { method: 'PATCH' });
      expect(response.status).toBe(204);
      expect(events).toHaveLength(1);
      expect(events[0]?.handler).toBe('removeMember');
      expect(events[0]?.event.routeKey).toBe(routeKeyOf(ADDED));
      expect(events[0]?.event.pathParameters).toEqual({
        scid: '00000000-0000-0000-0000-00006c6f6361',
        sessionTemplateName: 'lobby',
        sessionName: 's1',
        index: 'me',
      });

      const unrouted = await fetch(`${withoutEntry.baseUrl}${path}`, { method: 'PATCH' });
      expect([unrouted.status, await unrouted.text()]).toEqual([404, '{"message":"Not Found"}']);
      expect(events).toHaveLength(1);
    } finally {
      await Promise.all([withEntry.close(), withoutEntry.close()]);
    }
  });
});

describe('the route table', () => {
  it('sends every route to a function with an entry module', () => {
    for (const route of ROUTES) expect(FUNCTIONS[route.function].entry).toMatch(/^lambda\/.+\.ts$/);
  });

  it('names every route once', () => {
    expect(new Set(ROUTES.map(routeKeyOf)).size).toBe(ROUTES.length);
  });
});

async function listen(server: Server): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  return { baseUrl: await listenOnLoopback(server), close: () => closeServer(server) };
}

/** The integration's logical ID from a route target, `integrations/<id>` built with Fn::Join. */
function targetIntegrationId(target: unknown): string {
  const parts = ((target as Json)['Fn::Join'] as [string, unknown[]])[1];
  const ref = parts.find((part): part is Json => typeof part === 'object' && part !== null && 'Ref' in part);
  return String(ref?.Ref);
}
