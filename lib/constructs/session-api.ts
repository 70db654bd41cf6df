import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  type IDomainName,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Route } from '../../lambda/http/routes';
import { type AccessLogProps, accessLogGroup, HTTP_ACCESS_LOG_FORMAT } from './access-log';
import { acknowledgeFindings } from './acknowledge';

/** Properties of {@link SessionApi}. */
export interface SessionApiProps {
  /** The route table (lambda/http/routes.ts `ROUTES`): each route becomes one API Gateway route. */
  readonly routes: readonly Route[];

  /** The function behind each function name the routes use. */
  readonly functions: Readonly<Record<string, IFunction>>;

  /**
   * Steady requests per second the stage accepts before API Gateway answers 429. The fair-use limits count only
   * authenticated callers; this bounds everyone else (floods without a valid token) before they reach Lambda.
   *
   * @default 1000
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests the stage accepts above the steady rate.
   *
   * @default 2000
   */
  readonly throttlingBurstLimit?: number;

  /**
   * How the stage's JSON access logs are kept.
   *
   * @default - a month, deleted with the stack
   */
  readonly accessLogs?: AccessLogProps;

  /**
   * A custom domain (lib/constructs/stable-hostnames.ts) the default stage is mapped to, at its root.
   *
   * @default - only the execute-api URL
   */
  readonly domainName?: IDomainName;

  /**
   * Turn the execute-api endpoint off, so callers can only use the custom domain. Needs `domainName`.
   *
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;
}

/**
 * The public HTTP API, built from the route table: each route proxied to its function with payload format 2.0 (the
 * event shape the handlers and the local server share). Anything unrouted gets API Gateway's own 404.
 */
export class SessionApi extends Construct {
  /** The HTTP API. */
  public readonly httpApi: HttpApi;

  /**
   * Base URL of the API's default stage, without a trailing slash; session paths are appended to it. The custom
   * domain's when there is one.
   */
  public readonly url: string;

  /** The stage's access logs: one JSON line per request (lib/constructs/access-log.ts). */
  public readonly accessLogs: LogGroup;

  public constructor(scope: Construct, id: string, props: SessionApiProps) {
    super(scope, id);

    // No CORS: callers are game builds and QA tools, not browsers. No physical name, as for every resource here.
    if (props.disableExecuteApiEndpoint === true && props.domainName === undefined) {
      throw new Error(`SessionApi ${id}: the execute-api endpoint can only be turned off with a custom domain`);
    }
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Xbox Live MPSD-compatible session directory (staging)',
      ...(props.domainName === undefined ? {} : { defaultDomainMapping: { domainName: props.domainName } }),
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint ?? false,
    });
    // The L2 default stage has no throttle setting, so it is set on the CloudFormation stage underneath.
    const stage = this.httpApi.defaultStage?.node.defaultChild as CfnStage | undefined;
    this.accessLogs = accessLogGroup(this, 'AccessLogs', props.accessLogs ?? { retention: RetentionDays.ONE_MONTH });
    if (stage !== undefined) {
      stage.defaultRouteSettings = {
        throttlingRateLimit: props.throttlingRateLimit ?? 1000,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 2000,
      };
      // HTTP APIs write access logs through a service-linked role: no account-wide API Gateway setting is needed.
      stage.accessLogSettings = { destinationArn: this.accessLogs.logGroupArn, format: HTTP_ACCESS_LOG_FORMAT };
    }

    // One integration per function, shared by all its routes, so each function has one invoke permission per route
    // and nothing more. Construct ids are the function names in PascalCase (GetSession, PutSession).
    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationOf = (functionName: string): HttpLambdaIntegration => {
      const existing = integrations.get(functionName);
      if (existing !== undefined) return existing;
      const handler = props.functions[functionName];
      if (handler === undefined) throw new Error(`SessionApi ${id}: no function named '${functionName}' for a route`);
      const integrationId = functionName.charAt(0).toUpperCase() + functionName.slice(1);
      const integration = new HttpLambdaIntegration(integrationId, handler, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      });
      integrations.set(functionName, integration);
      return integration;
    };

    for (const route of props.routes) {
      this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationOf(route.function),
      });
    }

    this.url = props.domainName === undefined ? this.httpApi.apiEndpoint : `https://${props.domainName.name}`;

    acknowledgeFindings(
      this.httpApi,
      ['AwsSolutions::AwsSolutions-APIG4'],
      'Callers authenticate as MPSD clients do, with `Authorization: XBL3.0 x=<userhash>;<token>`, which no API ' +
        'Gateway authorizer parses (a JWT authorizer wants a bare or Bearer token); the request pipeline verifies the ' +
        'token first on every route, before anything is read or written (lambda/http/pipeline.ts), and the stage ' +
        'throttle bounds callers without one.',
    );
  }
}
