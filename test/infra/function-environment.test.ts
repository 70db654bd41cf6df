import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import {
  FUNCTIONS,
  type PageFunctionName,
  type RealTimeFunctionName,
  type ScheduledFunctionName,
  type StreamFunctionName,
} from '../../lambda/http/routes';
import {
  LAMBDA_SET_VARIABLES,
  LIBRARY_VARIABLES,
  NODE_OPTIONS_VARIABLE,
  RUNTIME_VARIABLES,
} from '../../lambda/runtime/environment-variables';
import { STREAM_READERS } from '../../lambda/runtime/finder-runtime';
import { PAGE_READERS } from '../../lambda/runtime/page-runtime';
import { REAL_TIME_READERS } from '../../lambda/runtime/rta-runtime';
import { readRuntimeConfig } from '../../lambda/runtime/runtime-config';
import { SCHEDULED_READERS } from '../../lambda/runtime/sweeper-runtime';
import { SessionDirectoryStack, type SessionDirectoryStackProps } from '../../lib/session-directory-stack';
import { defaultSettingsOf } from '../../lib/stage-settings';
import { type Json, NO_BUNDLING } from './stack-fixtures';

// Each synthesized function is given exactly the environment its config reader reads: no variable it needs is
// missing (the reader would refuse to start) and none is set that nothing reads. The reader of every HTTP function
// is readRuntimeConfig (lambda/functions/* -> lambdaHandler -> readRuntimeConfig); the real-time functions' readers
// are REAL_TIME_READERS (lambda/runtime/rta-runtime.ts), the sweeper's SCHEDULED_READERS
// (lambda/runtime/sweeper-runtime.ts), the explorer page's PAGE_READERS (lambda/runtime/page-runtime.ts). Each is run on the environment of the synthesized function
// through a proxy that records every variable it asks for.

type AnyFunctionName =
  | keyof typeof FUNCTIONS
  | PageFunctionName
  | RealTimeFunctionName
  | ScheduledFunctionName
  | StreamFunctionName;
type Reader = (env: Record<string, string | undefined>) => unknown;

/** Which reader each function's settings come from. */
const READERS: Record<AnyFunctionName, Reader> = {
  ...(Object.fromEntries(Object.keys(FUNCTIONS).map((name) => [name, readRuntimeConfig])) as Record<
    keyof typeof FUNCTIONS,
    Reader
  >),
  ...PAGE_READERS,
  ...REAL_TIME_READERS,
  ...SCHEDULED_READERS,
  ...STREAM_READERS,
};
const ALL_FUNCTIONS = Object.keys(READERS) as AnyFunctionName[];

/** Read by Node and Powertools themselves, not by the service's readers. */
const READ_BY_LIBRARIES: readonly string[] = [NODE_OPTIONS_VARIABLE, ...Object.values(LIBRARY_VARIABLES)];

const CONFIGURATIONS: Record<string, SessionDirectoryStackProps> = {
  'the defaults': {},
  'an imported secret with issuer and audience': {
    tokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:session-token-AbC123',
    tokenIssuer: 'https://issuer.example',
    tokenAudience: 'session-directory',
  },
  'JWKS tokens': {
    tokenJwksUrl: 'https://issuer.example/.well-known/jwks.json',
    tokenIssuer: 'https://issuer.example',
    tokenAudience: 'session-directory',
  },
  'fair-use limits off': { settings: { ...defaultSettingsOf('dev'), rateLimits: 'off' } },
};

/** Each function's environment variables in the synthesized template, values flattened to strings. */
function synthesizedEnvironments(props: SessionDirectoryStackProps): Record<AnyFunctionName, Record<string, string>> {
  const stack = new SessionDirectoryStack(new App({ context: NO_BUNDLING }), 'Environment', props);
  const resources = Template.fromStack(stack).findResources('AWS::Lambda::Function') as Record<string, Json>;
  const result = {} as Record<AnyFunctionName, Record<string, string>>;
  const constructs = {
    ...stack.functions,
    ...stack.pageFunctions,
    ...stack.realTimeFunctions,
    ...stack.scheduledFunctions,
    ...stack.streamFunctions,
  };
  for (const name of ALL_FUNCTIONS) {
    const logicalId = stack.getLogicalId(constructs[name].function.node.defaultChild as CfnFunction);
    const properties = resources[logicalId]?.Properties as Json;
    const variables = ((properties.Environment as Json | undefined)?.Variables ?? {}) as Record<string, unknown>;
    result[name] = Object.fromEntries(
      Object.entries(variables).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
    );
  }
  return result;
}

/** Runs the reader on an environment, recording every variable it asks for; enumerating the environment fails. */
function readsOf(env: Record<string, string>, reader: Reader): { read: Set<string>; error?: unknown } {
  const read = new Set<string>();
  const recording = new Proxy(env, {
    get: (target, key) => {
      if (typeof key === 'string') read.add(key);
      return typeof key === 'string' ? target[key] : undefined;
    },
    ownKeys: () => {
      throw new Error('the reader must ask for variables by name, so what it reads can be recorded');
    },
  });
  try {
    reader(recording);
    return { read };
  } catch (error) {
    return { read, error };
  }
}

/** What Lambda itself adds to every function's environment. */
const LAMBDA_SET = Object.fromEntries(LAMBDA_SET_VARIABLES.map((name) => [name, 'set-by-lambda']));

describe.each(Object.entries(CONFIGURATIONS))('with %s', (_name, props) => {
  const environments = synthesizedEnvironments(props);

  it.each(ALL_FUNCTIONS)('the %s function is given every variable its reader reads, and no other', (name) => {
    const env = { ...environments[name], ...LAMBDA_SET };
    const { read, error } = readsOf(env, READERS[name]);
    expect(error).toBeUndefined();
    // Node reads NODE_OPTIONS and Powertools its own settings; every other variable the stack sets is one the reader
    // asked for. What Lambda sets in every function (AWS_REGION) is there whether a reader needs it or not (the
    // explorer's page does not).
    const given = Object.keys(env).filter((key) => !READ_BY_LIBRARIES.includes(key) && !(key in LAMBDA_SET));
    expect([...read].filter((key) => key in env && !(key in LAMBDA_SET)).sort()).toEqual(given.sort());
  });
});

it('every variable the reader can read is set by some configuration of the stack, and only those', () => {
  const read = new Set<string>();
  const set = new Set<string>(LAMBDA_SET_VARIABLES);
  for (const props of Object.values(CONFIGURATIONS)) {
    for (const [name, env] of Object.entries(synthesizedEnvironments(props)) as [
      AnyFunctionName,
      Record<string, string>,
    ][]) {
      for (const key of readsOf({ ...env, ...LAMBDA_SET }, READERS[name]).read) read.add(key);
      for (const key of Object.keys(env)) if (!READ_BY_LIBRARIES.includes(key)) set.add(key);
    }
  }
  expect([...read].sort()).toEqual([...set].sort());
  expect([...set].sort()).toEqual(Object.values(RUNTIME_VARIABLES).sort());
});
