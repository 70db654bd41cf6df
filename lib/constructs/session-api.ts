import { type CfnStage, HttpApi, HttpMethod, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/**
 * The literal path segment before the template name, in every spelling real callers send. API Gateway matches paths
 * case-sensitively, but MPSD does not: the docs write `sessiontemplates` while XSAPI sends `sessionTemplates`
 * (spec/mpsd-session.md §1.1).
 */
export const SESSION_TEMPLATES_SEGMENTS = ['sessiontemplates', 'sessionTemplates'] as const;

/** The session resource path for one spelling of the template segment (spec/mpsd-session.md §1.1). */
export function toSessionPath(templatesSegment: string): string {
  return `/serviceconfigs/{scid}/${templatesSegment}/{sessionTemplateName}/sessions/{sessionName}`;
}

/** Properties of {@link SessionApi}. */
export interface SessionApiProps {
  /** Answers `GET` on the session resource. */
  readonly getSessionFunction: IFunction;

  /** Answers `PUT` on the session resource. */
  readonly putSessionFunction: IFunction;

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
}

/**
 * The public HTTP API: GET and PUT on the MPSD session resource, each method proxied to its own Lambda function with
 * payload format 2.0 (the event shape the handlers and the local server share).
 */
export class SessionApi extends Construct {
  /** The HTTP API. */
  public readonly httpApi: HttpApi;

  /** Base URL of the API's default stage, without a trailing slash; session paths are appended to it. */
  public readonly url: string;

  public constructor(scope: Construct, id: string, props: SessionApiProps) {
    super(scope, id);

    // No CORS: callers are game builds and QA tools, not browsers. No physical name, as for every resource here.
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Xbox Live MPSD-compatible session directory (staging)',
    });
    // The L2 default stage has no throttle setting, so it is set on the CloudFormation stage underneath.
    const stage = this.httpApi.defaultStage?.node.defaultChild as CfnStage | undefined;
    if (stage !== undefined) {
      stage.defaultRouteSettings = {
        throttlingRateLimit: props.throttlingRateLimit ?? 1000,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 2000,
      };
    }

    // One integration per function, shared by both spellings of the path, so each function has one invoke permission
    // per route and nothing more.
    const getIntegration = new HttpLambdaIntegration('GetSession', props.getSessionFunction, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    const putIntegration = new HttpLambdaIntegration('PutSession', props.putSessionFunction, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });

    for (const segment of SESSION_TEMPLATES_SEGMENTS) {
      const sessionPath = toSessionPath(segment);
      this.httpApi.addRoutes({ path: sessionPath, methods: [HttpMethod.GET], integration: getIntegration });
      this.httpApi.addRoutes({ path: sessionPath, methods: [HttpMethod.PUT], integration: putIntegration });
    }

    this.url = this.httpApi.apiEndpoint;
  }
}
