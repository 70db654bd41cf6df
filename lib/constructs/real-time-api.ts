import { Stack } from 'aws-cdk-lib';
import type { CfnApi, CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { ApiMapping, type IDomainName, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RealTimeFunctionDefinition } from '../../lambda/http/routes';
import { type AccessLogProps, accessLogGroup, WEBSOCKET_ACCESS_LOG_FORMAT } from './access-log';
import { acknowledgeFindings } from './acknowledge';

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

  /**
   * JSON access logs of the stage. Unlike an HTTP API, a WebSocket API writes them through API Gateway's
   * account-wide CloudWatch Logs role (one per account and Region, docs/operations.md), and a deployment fails where
   * none is set; so they are off unless asked for.
   *
   * @default - no access logs (the functions' own lines remain)
   */
  readonly accessLogs?: AccessLogProps;

  /**
   * A custom domain (lib/constructs/stable-hostnames.ts) the stage is mapped to, at its root: clients connect to
   * `wss://<domain>` and the tap function posts frames through `https://<domain>/@connections`.
   *
   * @default - only the execute-api URL
   */
  readonly domainName?: IDomainName;

  /**
   * Turn the execute-api endpoint off (clients and the tap function then use the custom domain only). Needs
   * `domainName`.
   *
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;
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

  /** The stage's access logs, when asked for. */
  public readonly accessLogs: LogGroup | undefined;

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
    if (props.domainName === undefined) {
      if (props.disableExecuteApiEndpoint === true) {
        throw new Error(`RealTimeApi ${id}: the execute-api endpoint can only be turned off with a custom domain`);
      }
      this.url = this.stage.url;
      this.callbackUrl = this.stage.callbackUrl;
    } else {
      new ApiMapping(this, 'DomainMapping', {
        api: this.webSocketApi,
        domainName: props.domainName,
        stage: this.stage,
      });
      (this.webSocketApi.node.defaultChild as CfnApi).disableExecuteApiEndpoint =
        props.disableExecuteApiEndpoint ?? false;
      this.url = `wss://${props.domainName.name}`;
      // The management API answers on the custom domain too, so frames still reach sockets with execute-api off.
      this.callbackUrl = `https://${props.domainName.name}`;
    }

    if (props.accessLogs === undefined) {
      this.accessLogs = undefined;
      acknowledgeFindings(
        this.stage,
        ['AwsSolutions::AwsSolutions-APIG1', 'Serverless::Serverless-APIGWAccessLogging'],
        'WebSocket access logs need API Gateway’s account-wide CloudWatch Logs role, which a stack should not own ' +
          '(two stages would fight over it); a stage turns them on with -c realTimeAccessLogs=true once the account ' +
          'has the role. The RTA functions log every connect, message and tap themselves.',
      );
    } else {
      this.accessLogs = accessLogGroup(this, 'AccessLogs', props.accessLogs);
      (this.stage.node.defaultChild as CfnStage).accessLogSettings = {
        destinationArn: this.accessLogs.logGroupArn,
        format: WEBSOCKET_ACCESS_LOG_FORMAT,
      };
    }
    acknowledgeFindings(
      this.webSocketApi,
      ['AwsSolutions::AwsSolutions-APIG4'],
      'RTA clients send `Authorization: XBL3.0 x=<userhash>;<token>` on the upgrade request, which no API Gateway ' +
        'authorizer parses; the $connect function verifies it and refuses the socket before anything is stored, ' +
        'and $default and $disconnect act only on connections $connect accepted.',
    );
  }

  /**
   * Lets `grantee` post frames to this stage's sockets: `execute-api:ManageConnections` on `POST @connections/*` of
   * this API's stage only (CDK's grantManagementApiAccess would also allow GET and DELETE of connections).
   */
  public grantManageConnections(grantee: IGrantable): Grant {
    const grant = Grant.addToPrincipal({
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
    const apiLogicalId = Stack.of(this).getLogicalId(this.webSocketApi.node.defaultChild as CfnApi);
    // The finding is on the grantee's role policy; a principal that is no construct (an imported one) has none here.
    const principal = grantee.grantPrincipal;
    if (!Construct.isConstruct(principal)) return grant;
    acknowledgeFindings(
      principal,
      [
        `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>/${this.stage.stageName}/POST/@connections/*]`,
      ],
      'Connection ids are made by API Gateway at run time, one per socket: the grant is already narrowed to this ' +
        'API, this stage and POST (sending a frame); nothing narrower can be named in advance.',
    );
    return grant;
  }
}
