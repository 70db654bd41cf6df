import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { EXPLORER_FILES } from '../../lambda/config/explorer-files';
import {
  FUNCTIONS,
  type FunctionName,
  PAGE_FUNCTIONS,
  PAGE_ROUTES,
  type PageFunctionName,
  REAL_TIME_FUNCTIONS,
  ROUTES,
  routeKeyOf,
  SCHEDULED_FUNCTIONS,
  STREAM_FUNCTIONS,
} from '../../lambda/http/routes';
import { RATE_LIMIT_TABLE, SESSION_LIST_INDEX, SESSION_TABLE } from '../../lambda/store/table-schema';
import { SessionFunction } from '../../lib/constructs/session-function';
import { SessionDirectoryStack } from '../../lib/session-directory-stack';
import { defaultSettingsOf } from '../../lib/stage-settings';
import { EXPLORER_DEVELOPMENT_TOKEN_PATH, LOCAL_ONLY_ROUTES } from '../../local/explorer-routes';
import { actionsOf, type Json, NO_BUNDLING, statementsOfFunction } from './stack-fixtures';

/** CloudFormation JSON as the assertions library returns it. */
const SESSION_PATHS = [
  '/serviceconfigs/{scid}/sessiontemplates/{sessionTemplateName}/sessions/{sessionName}',
  '/serviceconfigs/{scid}/sessionTemplates/{sessionTemplateName}/sessions/{sessionName}',
];

const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:*',
];

let app: App;
let stack: SessionDirectoryStack;
let template: Template;

// One real synth (with esbuild bundling) for the whole file.
beforeAll(() => {
  app = new App();
  stack = new SessionDirectoryStack(app, 'SessionDirectoryTest', { settings: defaultSettingsOf('staging') });
  template = Template.fromStack(stack);
});

/** The routes of the HTTP API (the WebSocket API's route keys start with `$`). */
function httpRoutes(): Json[] {
  return (Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Json[]).filter(
    (route) => !String((route.Properties as Json).RouteKey).startsWith('$'),
  );
}

/** The scheduled timer sweeper: the one function told both the sessions and the connections table. */
function isSweeper(fn: Json): boolean {
  const environment = environmentOf(fn);
  return 'SESSION_TABLE_NAME' in environment && 'CONNECTION_TABLE_NAME' in environment;
}

/** The session explorer's page function: the one function told where the page's files are. */
function isPage(fn: Json): boolean {
  return 'EXPLORER_ASSETS_DIR' in environmentOf(fn);
}

/** The finder (a stream function): told the sessions table but no templates folder, which every HTTP function is. */
function isFinder(fn: Json): boolean {
  const environment = environmentOf(fn);
  return 'SESSION_TABLE_NAME' in environment && !('SESSION_TEMPLATES_DIR' in environment);
}

/**
 * The functions that verify caller tokens: every function but the tap function, the stream functions and the
 * sweeper (no caller) and the explorer's page (static files; the page itself calls the API with a token).
 */
function tokenVerifying(of: Template): Json[] {
  return (Object.values(of.findResources('AWS::Lambda::Function')) as Json[]).filter(
    (fn) => !('RTA_CALLBACK_URL' in environmentOf(fn)) && !isSweeper(fn) && !isFinder(fn) && !isPage(fn),
  );
}

/** The functions behind the HTTP API: those told the sessions table, but the sweeper. */
function sessionFunctions(of: Template): Json[] {
  return (Object.values(of.findResources('AWS::Lambda::Function')) as Json[]).filter(
    (fn) => 'SESSION_TABLE_NAME' in environmentOf(fn) && !isSweeper(fn) && !isFinder(fn),
  );
}

function logicalIdOf(fn: SessionFunction): string {
  return stack.getLogicalId(fn.function.node.defaultChild as CfnFunction);
}

function tableLogicalId(): string {
  return stack.getLogicalId(stack.sessionTable.table.node.defaultChild as CfnTable);
}

function functionResource(fn: SessionFunction): Json {
  const resources = template.findResources('AWS::Lambda::Function');
  const resource = resources[logicalIdOf(fn)];
  if (resource === undefined) throw new Error(`no function ${logicalIdOf(fn)} in the template`);
  return resource as Json;
}

function environmentOf(resource: Json): Record<string, unknown> {
  const properties = resource.Properties as Json;
  return ((properties.Environment as Json | undefined)?.Variables ?? {}) as Record<string, unknown>;
}

/** Every IAM statement in the policies attached to the function's execution role. */
function statementsOf(fn: SessionFunction): Json[] {
  return statementsOfFunction(template, logicalIdOf(fn));
}

/** Actions the function may take on the session table (statements whose resources name the table). */
function tableActionsOf(fn: SessionFunction): string[] {
  const tableId = tableLogicalId();
  return statementsOf(fn)
    .filter((statement) => JSON.stringify(statement.Resource).includes(`"${tableId}"`))
    .flatMap(actionsOf);
}

function secretLogicalId(): string {
  const secrets = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
  expect(secrets).toHaveLength(1);
  return secrets[0] as string;
}

describe('session table', () => {
  it('is keyed by the string partition key pk alone', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: SESSION_TABLE.partitionKey.name, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: SESSION_TABLE.partitionKey.name, AttributeType: 'S' }],
    });
  });

  it('bills on demand, expires items by the ttl attribute and keeps point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: SESSION_TABLE.timeToLiveAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('is retained when the stack is deleted or the table replaced', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('has no physical name', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: Match.absent() });
  });

  it('has the listing index of sessions by SCID shard and start time, projecting only keys (the QA listing)', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([
        {
          IndexName: 'sessions-by-scid',
          KeySchema: [
            { AttributeName: 'listShard', KeyType: 'HASH' },
            { AttributeName: 'listStart', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ]),
    });
  });
});

describe('functions', () => {
  it('are one per entry of FUNCTIONS, PAGE_FUNCTIONS, REAL_TIME_FUNCTIONS, SCHEDULED_FUNCTIONS and STREAM_FUNCTIONS, on Node.js 22 and arm64, with a timeout below API Gateway’s 29 s but the sweeper’s', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Json[];
    expect(functions).toHaveLength(
      Object.keys(FUNCTIONS).length +
        Object.keys(PAGE_FUNCTIONS).length +
        Object.keys(REAL_TIME_FUNCTIONS).length +
        Object.keys(SCHEDULED_FUNCTIONS).length +
        Object.keys(STREAM_FUNCTIONS).length,
    );
    for (const fn of functions) {
      const properties = fn.Properties as Json;
      expect(properties.Runtime).toBe('nodejs22.x');
      expect(properties.Architectures).toEqual(['arm64']);
      // The sweeper is behind no API (test/infra/sweeper-stack.test.ts).
      if (!isSweeper(fn)) expect(properties.Timeout).toBeLessThan(29);
      expect(properties.Handler).toBe('index.handler');
    }
  });

  it('are told the table, the secret ARN, the templates folder and the service name', () => {
    const tableId = tableLogicalId();
    for (const fn of Object.values(stack.functions)) {
      expect(environmentOf(functionResource(fn))).toEqual(
        expect.objectContaining({
          SESSION_TABLE_NAME: { Ref: tableId },
          TOKEN_SECRET_ARN: { Ref: secretLogicalId() },
          SESSION_TEMPLATES_DIR: '/var/task/templates',
          POWERTOOLS_SERVICE_NAME: 'session-directory',
        }),
      );
    }
  });

  it('get no TOKEN_ISSUER or TOKEN_AUDIENCE unless the context gives them', () => {
    for (const fn of Object.values(stack.functions)) {
      const environment = environmentOf(functionResource(fn));
      expect(environment).not.toHaveProperty('TOKEN_ISSUER');
      expect(environment).not.toHaveProperty('TOKEN_AUDIENCE');
    }
  });

  it('have no environment variable that holds a secret value', () => {
    const secretId = secretLogicalId();
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')) as Json[]) {
      for (const [name, value] of Object.entries(environmentOf(fn))) {
        const text = JSON.stringify(value);
        // A dynamic reference or SecretString attribute would put the value itself into the configuration.
        expect(text).not.toMatch(/resolve:secretsmanager|SecretString/);
        if (text.includes(`"${secretId}"`)) {
          // The secret may only appear as its ARN (Ref of AWS::SecretsManager::Secret is the ARN).
          expect([name, value]).toEqual(['TOKEN_SECRET_ARN', { Ref: secretId }]);
        }
      }
    }
  });

  it('bundle the handler as ESM with its source map and the session templates beside it', () => {
    const templatesDir = path.join(__dirname, '..', '..', 'lambda', 'templates');
    const templateFiles = fs.readdirSync(templatesDir).filter((name) => name.endsWith('.json'));
    for (const fn of Object.values(stack.functions)) {
      const code = (functionResource(fn).Properties as Json).Code as Json;
      const assetHash = String(code.S3Key).replace(/\.zip$/, '');
      const bundleDir = path.join(app.outdir, `asset.${assetHash}`);
      expect(fs.readdirSync(bundleDir).sort()).toEqual(['index.mjs', 'index.mjs.map', 'templates']);
      expect(fs.readdirSync(path.join(bundleDir, 'templates')).sort()).toEqual(templateFiles.sort());
    }
  });

  it('carry no fault injector: it lives in local/, which nothing in a bundle may import', () => {
    for (const fn of Object.values(stack.functions)) {
      const code = (functionResource(fn).Properties as Json).Code as Json;
      const bundleDir = path.join(app.outdir, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`);
      const bundle = fs.readFileSync(path.join(bundleDir, 'index.mjs'), 'utf8');
      // The injector's error messages and its setting's name (local/fault-injection.ts) survive minification.
      expect(bundle).not.toContain('Injected fault');
      expect(bundle).not.toContain('FAULT_INJECTION');
      // The bundle does hold the handler code, so the search is over the right file.
      expect(bundle).toContain('x-xbl-contract-version');
    }
  });

  it('refuse a timeout at or above API Gateway’s 29 s integration limit', () => {
    const scratch = new Stack(new App({ context: NO_BUNDLING }), 'Scratch');
    expect(
      () =>
        new SessionFunction(scratch, 'TooSlow', {
          entry: 'lambda/functions/get-session.ts',
          timeout: Duration.seconds(29),
        }),
    ).toThrow(/below API Gateway's 29 s/);
  });
});

describe('permissions', () => {
  it('grants the GET function read access only', () => {
    const actions = tableActionsOf(stack.getSession);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem']));
    for (const write of TABLE_WRITE_ACTIONS) expect(actions).not.toContain(write);
  });

  it.each(['putSession', 'putSessionProperties', 'deleteSessionMember', 'deleteSessionServer'] as const)(
    'grants the %s function read and write access',
    (name) => {
      const actions = tableActionsOf(stack.functions[name]);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem']));
      expect(actions.some((action) => action === 'dynamodb:PutItem' || action === 'dynamodb:UpdateItem')).toBe(true);
    },
  );

  it('grants the handle functions that only read (query, GET by id, GET of the session) no write', () => {
    for (const name of ['queryHandles', 'getHandle', 'getHandleSession'] as const) {
      const actions = tableActionsOf(stack.functions[name]);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem']));
      for (const write of TABLE_WRITE_ACTIONS) expect(actions).not.toContain(write);
    }
    // The query reads activity pointers by key and the activity index (test/infra/least-privilege.test.ts).
    expect(tableActionsOf(stack.functions.queryHandles)).toEqual(
      expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:Query']),
    );
  });

  it('grants the session query function (the QA listing) a Query on the listing index and BatchGetItem, and no write', () => {
    const statements = statementsOf(stack.functions.querySessions).filter((s) =>
      JSON.stringify(s.Resource).includes(`"${tableLogicalId()}"`),
    );
    const actions = statements.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:BatchGetItem']));
    for (const write of TABLE_WRITE_ACTIONS) expect(actions).not.toContain(write);
    // The grant names the listing index, and no other (lib/constructs/table-grants.ts).
    const resources = JSON.stringify(statements.map((s) => s.Resource));
    expect(resources).toContain(`/index/${SESSION_LIST_INDEX.name}`);
    expect(resources).not.toContain('/index/*');
  });

  it('lets the finder (stream function) only BatchWriteItem on the table, reading the sessions stream with the taps’ settings', () => {
    const statements = statementsOf(stack.streamFunctions.sessionFinder);
    const onStream = (s: Json) => JSON.stringify(s.Resource).includes('StreamArn');
    const tableActions = statements
      .filter((s) => !onStream(s) && JSON.stringify(s.Resource).includes(`"${tableLogicalId()}"`))
      .flatMap(actionsOf);
    expect(tableActions).toEqual(['dynamodb:BatchWriteItem']);
    const streamActions = statements.filter(onStream).flatMap(actionsOf);
    expect(streamActions).toEqual(expect.arrayContaining(['dynamodb:GetRecords', 'dynamodb:GetShardIterator']));
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(stack.streamFunctions.sessionFinder) },
      StartingPosition: 'LATEST',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('grants the batch query and template functions read access only', () => {
    for (const name of ['batchQuerySessions', 'getSessionTemplates'] as const) {
      const actions = tableActionsOf(stack.functions[name]);
      for (const write of TABLE_WRITE_ACTIONS) expect(actions).not.toContain(write);
    }
  });

  it('lets every function read the token secret', () => {
    const secretId = secretLogicalId();
    for (const fn of Object.values(stack.functions)) {
      const secretActions = statementsOf(fn)
        .filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify({ Ref: secretId }))
        .flatMap(actionsOf);
      expect(secretActions).toContain('secretsmanager:GetSecretValue');
    }
  });
});

describe('HTTP API', () => {
  it('routes GET and PUT of the session and its sub-resources on both spellings of the sessiontemplates segment, the handle routes, GET /nonce, the session queries, the session explorer, and nothing else', () => {
    const routeKeys = httpRoutes().map((route) => (route.Properties as Json).RouteKey);
    const handleRoutes = [
      'POST /handles',
      'POST /handles/query',
      'GET /handles/{handleId}',
      'DELETE /handles/{handleId}',
      'GET /handles/{handleId}/session',
      'PUT /handles/{handleId}/session',
    ];
    expect(routeKeys.sort()).toEqual(
      [
        ...SESSION_PATHS.flatMap((p) => [
          `GET ${p}`,
          `PUT ${p}`,
          `PUT ${p}/properties`,
          `DELETE ${p}/members/me`,
          `DELETE ${p}/members/{index}`,
          `DELETE ${p}/servers/{serverName}`,
        ]),
        ...handleRoutes,
        'GET /nonce',
        'GET /serviceconfigs/{scid}/sessions',
        'POST /serviceconfigs/{scid}/batch',
        ...['sessiontemplates', 'sessionTemplates'].flatMap((segment) => [
          `GET /serviceconfigs/{scid}/${segment}/{sessionTemplateName}/sessions`,
          `POST /serviceconfigs/{scid}/${segment}/{sessionTemplateName}/batch`,
          `GET /serviceconfigs/{scid}/${segment}`,
          `GET /serviceconfigs/{scid}/${segment}/{sessionTemplateName}`,
        ]),
        'GET /explorer',
        'GET /explorer/{asset}',
      ].sort(),
    );
  });

  it('sends each handle route to its own function with payload format 2.0', () => {
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration') as Record<string, Json>;
    const routes = httpRoutes();
    for (const entry of ROUTES.filter((r) => r.resource === 'handle')) {
      const route = routes.find((r) => (r.Properties as Json).RouteKey === routeKeyOf(entry)) as Json;
      const integration = integrations[targetIntegrationId((route.Properties as Json).Target)]?.Properties as Json;
      expect(integration.PayloadFormatVersion).toBe('2.0');
      const fn = stack.functions[entry.function as FunctionName];
      expect(JSON.stringify(integration.IntegrationUri)).toContain(`"${logicalIdOf(fn)}"`);
    }
  });

  it('sends each route to the function the route table names, with payload format 2.0', () => {
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration') as Record<string, Json>;
    for (const resource of httpRoutes()) {
      const properties = resource.Properties as Json;
      const integrationId = targetIntegrationId(properties.Target);
      const integration = integrations[integrationId]?.Properties as Json;
      expect(integration.PayloadFormatVersion).toBe('2.0');
      const route = [...ROUTES, ...PAGE_ROUTES].find((r) => routeKeyOf(r) === properties.RouteKey);
      if (route === undefined) throw new Error(`no route ${String(properties.RouteKey)} in the route table`);
      const expected =
        route.function in PAGE_FUNCTIONS
          ? stack.pageFunctions[route.function as PageFunctionName]
          : stack.functions[route.function as FunctionName];
      expect(JSON.stringify(integration.IntegrationUri)).toContain(`"${logicalIdOf(expected)}"`);
    }
  });

  it('outputs its URL', () => {
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
  });

  it('throttles the default stage, so floods without a valid token are bounded before Lambda', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
    });
  });
});

describe('session explorer', () => {
  const page = () => stack.pageFunctions.explorerPage;

  it('bundles the page function with exactly the page’s files beside it, and no templates', () => {
    const code = (functionResource(page()).Properties as Json).Code as Json;
    const bundleDir = path.join(app.outdir, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`);
    expect(fs.readdirSync(bundleDir).sort()).toEqual(['explorer', 'index.mjs', 'index.mjs.map']);
    expect(fs.readdirSync(path.join(bundleDir, 'explorer')).sort()).toEqual(Object.keys(EXPLORER_FILES).sort());
  });

  it('tells the page function where its files are and the WebSocket API’s URL, and nothing else', () => {
    const environment = environmentOf(functionResource(page()));
    // Besides its own two, only what every function of the stage is given (Node's options, the Powertools settings).
    expect(Object.keys(environment).sort()).toEqual([
      'EXPLORER_ASSETS_DIR',
      'EXPLORER_REAL_TIME_URL',
      'NODE_OPTIONS',
      'POWERTOOLS_LOG_LEVEL',
      'POWERTOOLS_METRICS_NAMESPACE',
    ]);
    expect(environment.EXPLORER_ASSETS_DIR).toBe('/var/task/explorer');
    const webSocketApiId = stack.getLogicalId(stack.realTimeApi.webSocketApi.node.defaultChild as never);
    expect(JSON.stringify(environment.EXPLORER_REAL_TIME_URL)).toContain(`"${webSocketApiId}"`);
  });

  it('lets the page function touch no table and no secret: everything the page shows comes through the API', () => {
    const actions = statementsOf(page()).flatMap(actionsOf);
    expect(actions.filter((action) => /^(dynamodb|secretsmanager|kms):/.test(action))).toEqual([]);
  });

  it('has no development-token route: only the local server mints tokens for the page', () => {
    const routeKeys = httpRoutes().map((route) => String((route.Properties as Json).RouteKey));
    for (const local of LOCAL_ONLY_ROUTES) expect(routeKeys).not.toContain(routeKeyOf(local));
    expect(routeKeys.filter((key) => key.includes('development-token'))).toEqual([]);
    expect([...ROUTES, ...PAGE_ROUTES].map((route) => route.path)).not.toContain(EXPLORER_DEVELOPMENT_TOKEN_PATH);
  });

  it('outputs the page’s URL', () => {
    template.hasOutput('ExplorerUrl', { Value: Match.anyValue() });
  });
});

describe('context', () => {
  it('imports an existing token secret and passes issuer and audience when given', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:session-token-AbC123';
    const configured = Template.fromStack(
      new SessionDirectoryStack(new App({ context: NO_BUNDLING }), 'Configured', {
        tokenSecretArn: arn,
        tokenIssuer: 'https://issuer.example',
        tokenAudience: 'session-directory',
      }),
    );
    configured.resourceCountIs('AWS::SecretsManager::Secret', 0);
    for (const fn of tokenVerifying(configured)) {
      expect(environmentOf(fn)).toEqual(
        expect.objectContaining({
          TOKEN_SECRET_ARN: arn,
          TOKEN_ISSUER: 'https://issuer.example',
          TOKEN_AUDIENCE: 'session-directory',
        }),
      );
    }
    configured.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: 'secretsmanager:GetSecretValue', Resource: arn })]),
      },
    });
  });

  it('refuses a partial secret ARN, whose IAM policy would never match the secret', () => {
    expect(
      () =>
        new SessionDirectoryStack(new App({ context: NO_BUNDLING }), 'Partial', {
          tokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:session-token',
        }),
    ).toThrow(/complete ARN/);
  });
});

describe('fair-use counters table', () => {
  function countersLogicalId(): string {
    return stack.getLogicalId(stack.rateLimitTable.table.node.defaultChild as CfnTable);
  }

  it('is on demand, keyed by pk, expires counters by ttl, and goes with the stack', () => {
    const counters = template.findResources('AWS::DynamoDB::Table')[countersLogicalId()] as Json;
    expect(counters.DeletionPolicy).toBe('Delete');
    expect(counters.Properties).toEqual(
      expect.objectContaining({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: RATE_LIMIT_TABLE.partitionKey.name, KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: RATE_LIMIT_TABLE.timeToLiveAttribute, Enabled: true },
      }),
    );
  });

  it('is named to every function, which may update it', () => {
    const countersId = countersLogicalId();
    for (const fn of Object.values(stack.functions)) {
      expect(environmentOf(functionResource(fn)).RATE_LIMIT_TABLE_NAME).toEqual({ Ref: countersId });
      const actions = statementsOf(fn)
        .filter((statement) => JSON.stringify(statement.Resource).includes(`"${countersId}"`))
        .flatMap(actionsOf);
      expect(actions).toContain('dynamodb:UpdateItem');
    }
  });

  it('is the only table the GET function may write', () => {
    const countersId = countersLogicalId();
    const writes = statementsOf(stack.getSession).filter((statement) =>
      actionsOf(statement).some((action) => TABLE_WRITE_ACTIONS.includes(action)),
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const statement of writes) {
      const resources = JSON.stringify(statement.Resource);
      expect(resources).toContain(`"${countersId}"`);
      expect(resources).not.toContain(`"${tableLogicalId()}"`);
    }
  });

  it('can be switched off for load tests (RATE_LIMITS=off)', () => {
    const off = Template.fromStack(
      new SessionDirectoryStack(new App({ context: NO_BUNDLING }), 'RateLimitsOff', {
        settings: { ...defaultSettingsOf('dev'), rateLimits: 'off' },
      }),
    );
    for (const fn of sessionFunctions(off)) {
      expect(environmentOf(fn).RATE_LIMITS).toBe('off');
    }
    expect(environmentOf(functionResource(stack.getSession))).not.toHaveProperty('RATE_LIMITS');
  });
});

describe('JWKS tokens', () => {
  it('pass the JWKS URL, issuer and audience, with no token secret at all', () => {
    const jwks = Template.fromStack(
      new SessionDirectoryStack(new App({ context: NO_BUNDLING }), 'Jwks', {
        tokenJwksUrl: 'https://issuer.example/.well-known/jwks.json',
        tokenIssuer: 'https://issuer.example',
        tokenAudience: 'session-directory',
      }),
    );
    jwks.resourceCountIs('AWS::SecretsManager::Secret', 0);
    for (const fn of tokenVerifying(jwks)) {
      const environment = environmentOf(fn);
      expect(environment).toEqual(
        expect.objectContaining({
          TOKEN_JWKS_URL: 'https://issuer.example/.well-known/jwks.json',
          TOKEN_ISSUER: 'https://issuer.example',
          TOKEN_AUDIENCE: 'session-directory',
        }),
      );
      expect(environment).not.toHaveProperty('TOKEN_SECRET_ARN');
    }
  });

  it('are refused without an issuer and an audience to check', () => {
    expect(
      () =>
        new SessionDirectoryStack(new App({ context: NO_BUNDLING }), 'JwksAlone', {
          tokenJwksUrl: 'https://issuer.example/.well-known/jwks.json',
        }),
    ).toThrow(/tokenIssuer and tokenAudience/);
  });
});

/** The integration's logical ID from a route target, `integrations/<id>` built with Fn::Join. */
function targetIntegrationId(target: unknown): string {
  const parts = ((target as Json)['Fn::Join'] as [string, unknown[]])[1];
  const ref = parts.find((part): part is Json => typeof part === 'object' && part !== null && 'Ref' in part);
  return String(ref?.Ref);
}
