import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { makeSessionHandlers, type SessionHandlers } from './wiring';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`The environment variable ${name} is not set.`);
  return value;
}

/** Fetches the token-signing secret from Secrets Manager: it is never in plain configuration. */
async function readTokenSecret(): Promise<string> {
  const secretId = required('TOKEN_SECRET_ARN');
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
  if (SecretString === undefined || SecretString === '') throw new Error(`The secret ${secretId} has no string value.`);
  return SecretString;
}

let handlers: Promise<SessionHandlers> | undefined;

/** Structured JSON logs for CloudWatch (Powertools); 5xx causes go here with the request id. */
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'session-directory' });

/** The handlers of a Lambda container, built on first use from its environment and kept for the container's life. */
export function lambdaHandlers(): Promise<SessionHandlers> {
  handlers ??= startHandlers();
  // A failed start (secret unreadable) must not be cached: the next invocation tries again.
  handlers.catch(() => {
    handlers = undefined;
  });
  return handlers;
}

function startHandlers(): Promise<SessionHandlers> {
  // With a JWKS URL the tokens are verified by the issuer's public keys: there is no secret to read.
  const jwksUrl = process.env.TOKEN_JWKS_URL || undefined;
  const rateLimits = process.env.RATE_LIMITS === 'off' ? 'off' : 'on';
  const secret = jwksUrl === undefined ? readTokenSecret() : Promise.resolve(undefined);
  return secret.then((tokenSecret) =>
    makeSessionHandlers({
      tableName: required('SESSION_TABLE_NAME'),
      region: required('AWS_REGION'),
      templatesDir: required('SESSION_TEMPLATES_DIR'),
      ...(tokenSecret === undefined ? {} : { tokenSecret }),
      ...(jwksUrl === undefined ? {} : { tokenJwksUrl: jwksUrl }),
      environment: 'deployed',
      // Fair-use counters (spec §1.6); RATE_LIMITS=off switches the limits off for load tests.
      rateLimits,
      ...(rateLimits === 'off' ? {} : { rateLimitTableName: required('RATE_LIMIT_TABLE_NAME') }),
      log: { error: (message, details) => logger.error(message, details) },
      ...(process.env.TOKEN_ISSUER ? { tokenIssuer: process.env.TOKEN_ISSUER } : {}),
      ...(process.env.TOKEN_AUDIENCE ? { tokenAudience: process.env.TOKEN_AUDIENCE } : {}),
    }),
  );
}
