import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { getSession } from '../../lambda/http/session-resource';
import { RUNTIME_VARIABLES } from '../../lambda/runtime/environment-variables';
import { lambdaHandler } from '../../lambda/runtime/lambda-runtime';
import { MissingEnvironmentError, readRuntimeConfig } from '../../lambda/runtime/runtime-config';
import { sessionResourceDeps } from '../../lambda/runtime/wiring';

// What a deployed function reads from its environment, and what it says when something is missing. Which variables
// the stack gives each function is test/infra/function-environment.test.ts.

const COMPLETE = {
  SESSION_TABLE_NAME: 'sessions',
  AWS_REGION: 'eu-west-1',
  SESSION_TEMPLATES_DIR: '/var/task/templates',
  TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-AbC123',
  RATE_LIMIT_TABLE_NAME: 'counters',
};

function missingOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    readRuntimeConfig(env);
  } catch (error) {
    if (error instanceof MissingEnvironmentError) return error.missing;
    throw error;
  }
  return [];
}

describe('readRuntimeConfig', () => {
  it('reads a complete environment, with the documented defaults for what is optional', () => {
    expect(readRuntimeConfig(COMPLETE)).toEqual({
      tableName: 'sessions',
      region: 'eu-west-1',
      templatesDir: '/var/task/templates',
      tokenSecretArn: COMPLETE.TOKEN_SECRET_ARN,
      rateLimits: 'on',
      rateLimitTableName: 'counters',
      serviceName: 'session-directory',
    });
  });

  it('names every missing variable at once, in one error', () => {
    expect(() => readRuntimeConfig({})).toThrow(
      'The environment variables SESSION_TABLE_NAME, AWS_REGION, SESSION_TEMPLATES_DIR, TOKEN_SECRET_ARN, ' +
        'RATE_LIMIT_TABLE_NAME are not set.',
    );
    expect(() => readRuntimeConfig({ ...COMPLETE, SESSION_TABLE_NAME: undefined })).toThrow(
      'The environment variable SESSION_TABLE_NAME is not set.',
    );
  });

  it('counts an empty value as missing', () => {
    expect(missingOf({ ...COMPLETE, SESSION_TEMPLATES_DIR: '', TOKEN_SECRET_ARN: '' })).toEqual([
      'SESSION_TEMPLATES_DIR',
      'TOKEN_SECRET_ARN',
    ]);
  });

  it('with a JWKS URL needs no secret, but an issuer and an audience', () => {
    const jwks = { ...COMPLETE, TOKEN_SECRET_ARN: undefined, TOKEN_JWKS_URL: 'https://issuer.example/jwks.json' };
    expect(missingOf(jwks)).toEqual(['TOKEN_ISSUER', 'TOKEN_AUDIENCE']);
    const settings = readRuntimeConfig({ ...jwks, TOKEN_ISSUER: 'https://issuer.example', TOKEN_AUDIENCE: 'sd' });
    expect(settings).toMatchObject({ tokenJwksUrl: jwks.TOKEN_JWKS_URL, tokenIssuer: 'https://issuer.example' });
    expect(settings).not.toHaveProperty('tokenSecretArn');
  });

  it('with RATE_LIMITS=off needs no counters table; any other value leaves the limits on', () => {
    const off = readRuntimeConfig({ ...COMPLETE, RATE_LIMIT_TABLE_NAME: undefined, RATE_LIMITS: 'off' });
    expect(off.rateLimits).toBe('off');
    expect(off).not.toHaveProperty('rateLimitTableName');
    expect(readRuntimeConfig({ ...COMPLETE, RATE_LIMITS: 'OFF' }).rateLimits).toBe('on');
    expect(missingOf({ ...COMPLETE, RATE_LIMIT_TABLE_NAME: undefined, RATE_LIMITS: 'no' })).toEqual([
      'RATE_LIMIT_TABLE_NAME',
    ]);
  });

  it('passes issuer, audience and service name on when given', () => {
    const settings = readRuntimeConfig({
      ...COMPLETE,
      TOKEN_ISSUER: 'https://issuer.example',
      TOKEN_AUDIENCE: 'sd',
      POWERTOOLS_SERVICE_NAME: 'staging-sessions',
    });
    expect(settings).toMatchObject({ tokenIssuer: 'https://issuer.example', tokenAudience: 'sd' });
    expect(settings.serviceName).toBe('staging-sessions');
  });

  it('reads only the variables named in RUNTIME_VARIABLES', () => {
    const read = new Set<string>();
    const recording = new Proxy({ ...COMPLETE } as Record<string, string | undefined>, {
      get: (target, key) => {
        if (typeof key === 'string') read.add(key);
        return target[key as string];
      },
    });
    readRuntimeConfig(recording);
    expect([...read].every((name) => (Object.values(RUNTIME_VARIABLES) as string[]).includes(name))).toBe(true);
  });
});

describe('a Lambda function whose environment is incomplete', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('fails each invocation naming every missing variable, and tries again on the next', async () => {
    for (const name of Object.values(RUNTIME_VARIABLES)) delete process.env[name];
    process.env.AWS_REGION = 'eu-west-1';
    process.env.SESSION_TEMPLATES_DIR = '/var/task/templates';
    const handler = lambdaHandler('getSession', getSession, sessionResourceDeps);
    const event = {} as APIGatewayProxyEventV2;
    const expected = 'SESSION_TABLE_NAME, TOKEN_SECRET_ARN, RATE_LIMIT_TABLE_NAME are not set';
    await expect(handler(event)).rejects.toThrow(expected);
    // Not cached: a container whose environment was fixed (or a start that failed for a passing reason) recovers.
    process.env.SESSION_TABLE_NAME = 'sessions';
    await expect(handler(event)).rejects.toThrow('TOKEN_SECRET_ARN, RATE_LIMIT_TABLE_NAME are not set');
  });
});
