import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ApiHandler } from '../http/api-types';
import type { HttpHandler, PipelineDeps } from '../http/pipeline';
import type { FunctionName } from '../http/routes';
import { makeEmfRequestMetrics } from './emf-request-metrics';
import { type RuntimeConfig, type RuntimeSettings, readRuntimeConfig } from './runtime-config';
import { type DepsBuilder, makeFunctionHandler } from './wiring';

/** Fetches the token-signing secret from Secrets Manager: it is never in plain configuration. */
export async function readTokenSecret(secretId: string): Promise<string> {
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
  if (SecretString === undefined || SecretString === '') throw new Error(`The secret ${secretId} has no string value.`);
  return SecretString;
}

/**
 * The container's metrics: Powertools reads its namespace from POWERTOOLS_METRICS_NAMESPACE (set by the stack,
 * lib/constructs/session-function.ts) and writes EMF lines to stdout, which Lambda sends to the function's log group
 * and CloudWatch turns into metrics: no API call, no extra permission.
 */
const metrics = new Metrics();

/**
 * The RuntimeConfig of a deployed function: its settings, the secret they name, and Powertools for the logs (level
 * from POWERTOOLS_LOG_LEVEL, per stage) and the metrics.
 */
async function deployedConfig(settings: RuntimeSettings): Promise<RuntimeConfig> {
  const tokenSecret =
    settings.tokenSecretArn === undefined ? undefined : await readTokenSecret(settings.tokenSecretArn);
  // Structured JSON logs for CloudWatch (Powertools): the request pipeline gives it each invocation's Lambda context
  // and writes one line per request, 5xx with their cause and the request id.
  const logger = new Logger({ serviceName: settings.serviceName });
  return {
    tableName: settings.tableName,
    region: settings.region,
    templatesDir: settings.templatesDir,
    ...(tokenSecret === undefined ? {} : { tokenSecret }),
    ...(settings.tokenJwksUrl === undefined ? {} : { tokenJwksUrl: settings.tokenJwksUrl }),
    ...(settings.tokenIssuer === undefined ? {} : { tokenIssuer: settings.tokenIssuer }),
    ...(settings.tokenAudience === undefined ? {} : { tokenAudience: settings.tokenAudience }),
    environment: 'deployed',
    rateLimits: settings.rateLimits,
    ...(settings.rateLimitTableName === undefined ? {} : { rateLimitTableName: settings.rateLimitTableName }),
    ...(settings.connectionTableName === undefined ? {} : { connectionTableName: settings.connectionTableName }),
    log: logger,
    metrics: makeEmfRequestMetrics(metrics),
  };
}

/**
 * The Lambda handler of one function (its entry names its handler and the builder of what that handler runs on,
 * lambda/runtime/wiring.ts, so its bundle holds nothing else): on first use it reads the container's environment (every missing variable
 * named at once), fetches the token secret and builds that function's handler only, then keeps it for the
 * container's life. A failed start is not kept: the next invocation tries again.
 */
export function lambdaHandler<Deps>(
  name: FunctionName,
  handler: HttpHandler<Deps, unknown>,
  deps: DepsBuilder<PipelineDeps & Deps>,
): ApiHandler {
  let started: Promise<ApiHandler> | undefined;
  return async (event, context) => {
    if (started === undefined) {
      // Once per container: a ColdStart count with the function's name (Powertools keeps it to the first call).
      metrics.captureColdStartMetric(context?.functionName);
      const starting = Promise.resolve()
        .then(() => deployedConfig(readRuntimeConfig(process.env)))
        .then((config) => makeFunctionHandler(name, handler, deps, config));
      started = starting;
      starting.catch(() => {
        if (started === starting) started = undefined;
      });
    }
    return (await started)(event, context);
  };
}
