import { Stack } from 'aws-cdk-lib';
import { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { RealTimeFunctionDefinition } from '../../lambda/http/routes';

/** Properties of {@link RealTimeApi}. */
export interface RealTimeApiProps {
  /** The real-time functions (lambda/http/routes.ts `REAL_TIME_FUNCTIONS`): those with a route key get a route. */
  readonly functions: Readonly<Record<string, RealTimeFunctionDefinition>>;

  /** The function behind each function name. */
  readonly handlers: Readonly<Record<string, IFunction>>;

  /**
   * Steady messages per second the stage accepts.
   *
   * @default 1000
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of messages the stage accepts above the steady rate.
   *
   * @default 2000
   */
  readonly throttlingBurstLimit?: number;
}

/**
 * The real-time activity (RTA) WebSocket API (family spec §6.1): `$connect`, `$disconnect` and `$default` proxied
 * to their functions, `$default` as a two-way route (its result body is the reply frame), on one auto-deployed stage.
 * Clients connect to `<url>` (the local server's `ws://127.0.0.1:<port>/connect`).
 */
export class RealTimeApi extends Construct {
  /** The WebSocket API. */
  public readonly webSocketApi: WebSocketApi;

  /** The stage clients connect to. */
  public readonly stage: WebSocketStage;

  /** `wss://<api>.execute-api.<region>.amazonaws.com/<stage>`: what clients connect to. */
  public readonly url: string;

  /** `https://<api>.execute-api.<region>.amazonaws.com/<stage>`: where PostToConnection is called. */
  public readonly callbackUrl: string;

  public constructor(scope: Construct, id: string, props: RealTimeApiProps) {
    super(scope, id);

    this.webSocketApi = new WebSocketApi(this, 'WebSocketApi', {
      description: 'Xbox Live RTA-compatible real-time activity for the session directory (staging)',
    });
    for (const [name, definition] of Object.entries(props.functions)) {
      if (definition.routeKey === undefined) continue;
      const handler = props.handlers[name];
      if (handler === undefined) throw new Error(`RealTimeApi ${id}: no function named '${name}'`);
      const integrationId = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
      this.webSocketApi.addRoute(definition.routeKey, {
        integration: new WebSocketLambdaIntegration(integrationId, handler),
        ...(definition.returnsResponse === true ? { returnResponse: true } : {}),
      });
    }
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.webSocketApi,
      stageName: 'rta',
      autoDeploy: true,
      throttle: { rateLimit: props.throttlingRateLimit ?? 1000, burstLimit: props.throttlingBurstLimit ?? 2000 },
    });
    this.url = this.stage.url;
    this.callbackUrl = this.stage.callbackUrl;
  }

  /**
   * Lets `grantee` post frames to this stage's sockets: `execute-api:ManageConnections` on `POST @connections/*` of
   * this API's stage only (CDK's grantManagementApiAccess would also allow GET and DELETE of connections).
   */
  public grantManageConnections(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:ManageConnections'],
      resourceArns: [
        Stack.of(this).formatArn({
          service: 'execute-api',
          resource: this.webSocketApi.apiId,
          resourceName: `${this.stage.stageName}/POST/@connections/*`,
        }),
      ],
    });
  }
}
