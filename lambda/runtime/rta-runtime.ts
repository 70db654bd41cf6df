import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { RealTimeFunctionName } from '../http/routes';
import type { WebSocketHandler } from '../rta/websocket-types';
import { readSessionChange, type StreamRecordLike } from '../store/session-stream';
import { RUNTIME_VARIABLES as VARIABLES } from './environment-variables';
import { readTokenSecret } from './lambda-runtime';
import { makeManagementApiGateway } from './management-api-gateway';
import { type Environment, environmentReader } from './runtime-config';
import { makeRtaHandlersFor, makeTapHandlerFor, type RtaConfig } from './wiring';

// The Lambda side of real-time activity (family spec §6): what the three WebSocket route functions and the tap
// function read from their environment, and their handlers, built once per container like lambdaHandler's.

const DEFAULT_SERVICE_NAME = 'session-directory';

/** What an RTA WebSocket function's environment says. */
export interface RtaSettings {
  readonly connectionTableName: string;
  readonly region: string;
  readonly tokenSecretArn?: string;
  readonly tokenJwksUrl?: string;
  readonly tokenIssuer?: string;
  readonly tokenAudience?: string;
  readonly serviceName: string;
}

/** What the tap function's environment says. */
export interface TapSettings {
  readonly connectionTableName: string;
  readonly region: string;
  readonly callbackUrl: string;
  readonly serviceName: string;
}

/**
 * Reads an RTA WebSocket function's settings (the $connect, $disconnect and $default functions): the connections
 * table and the token settings, by the names of RUNTIME_VARIABLES, every missing one named at once.
 */
export function readRtaRuntimeConfig(env: Environment): RtaSettings {
  const { optional, required, done } = environmentReader(env);
  const connectionTableName = required(VARIABLES.connectionTableName);
  const region = required(VARIABLES.region);
  const tokenJwksUrl = optional(VARIABLES.tokenJwksUrl);
  const tokenSecretArn = tokenJwksUrl === undefined ? required(VARIABLES.tokenSecretArn) : undefined;
  const tokenIssuer = tokenJwksUrl === undefined ? optional(VARIABLES.tokenIssuer) : required(VARIABLES.tokenIssuer);
  const tokenAudience =
    tokenJwksUrl === undefined ? optional(VARIABLES.tokenAudience) : required(VARIABLES.tokenAudience);
  const serviceName = optional(VARIABLES.serviceName) ?? DEFAULT_SERVICE_NAME;
  done();
  return {
    connectionTableName,
    region,
    ...(tokenSecretArn === undefined ? {} : { tokenSecretArn }),
    ...(tokenJwksUrl === undefined ? {} : { tokenJwksUrl }),
    ...(tokenIssuer === undefined ? {} : { tokenIssuer }),
    ...(tokenAudience === undefined ? {} : { tokenAudience }),
    serviceName,
  };
}

/** Reads the tap function's settings: the connections table and the WebSocket API's management endpoint. */
export function readTapRuntimeConfig(env: Environment): TapSettings {
  const { optional, required, done } = environmentReader(env);
  const connectionTableName = required(VARIABLES.connectionTableName);
  const region = required(VARIABLES.region);
  const callbackUrl = required(VARIABLES.rtaCallbackUrl);
  const serviceName = optional(VARIABLES.serviceName) ?? DEFAULT_SERVICE_NAME;
  done();
  return { connectionTableName, region, callbackUrl, serviceName };
}

/** Which reader each real-time function's configuration comes from (test/infra/function-environment.test.ts). */
export const REAL_TIME_READERS = {
  rtaConnect: readRtaRuntimeConfig,
  rtaDisconnect: readRtaRuntimeConfig,
  rtaMessage: readRtaRuntimeConfig,
  sessionTaps: readTapRuntimeConfig,
} as const satisfies Record<RealTimeFunctionName, (env: Environment) => unknown>;

function loggerOf(serviceName: string): Pick<RtaConfig, 'log'> & { logger: Logger } {
  const logger = new Logger({ serviceName });
  // Degraded paths (an ignored frame, a gone socket) at WARN, failures at ERROR (DESIGN.md, "Logs").
  return {
    logger,
    log: {
      error: (message, details) => logger.error(message, details),
      warn: (message, details) => logger.warn(message, details),
    },
  };
}

/** Builds once per container, and again after a failed start. */
function once<T>(build: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => {
    if (started === undefined) {
      const starting = build();
      started = starting;
      starting.catch(() => {
        if (started === starting) started = undefined;
      });
    }
    return started;
  };
}

/** The Lambda handler of one WebSocket route function: `$connect`, `$disconnect` or `$default`. */
export function rtaLambdaHandler(name: 'rtaConnect' | 'rtaDisconnect' | 'rtaMessage'): WebSocketHandler {
  const handlers = once(async () => {
    const settings = readRtaRuntimeConfig(process.env);
    const tokenSecret =
      settings.tokenSecretArn === undefined ? undefined : await readTokenSecret(settings.tokenSecretArn);
    return makeRtaHandlersFor({
      region: settings.region,
      connectionTableName: settings.connectionTableName,
      ...(tokenSecret === undefined ? {} : { tokenSecret }),
      ...(settings.tokenJwksUrl === undefined ? {} : { tokenJwksUrl: settings.tokenJwksUrl }),
      ...(settings.tokenIssuer === undefined ? {} : { tokenIssuer: settings.tokenIssuer }),
      ...(settings.tokenAudience === undefined ? {} : { tokenAudience: settings.tokenAudience }),
      environment: 'deployed',
      log: loggerOf(settings.serviceName).log,
    });
  });
  return async (event) => (await handlers())[name](event);
}

/**
 * The tap function's handler on the sessions table's stream event source: reports the first change it could not
 * handle (ReportBatchItemFailures), so Lambda retries from there and never resends what was sent.
 */
export function tapLambdaHandler(): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  const handler = once(async () => {
    const settings = readTapRuntimeConfig(process.env);
    return makeTapHandlerFor(
      {
        region: settings.region,
        connectionTableName: settings.connectionTableName,
        environment: 'deployed',
        log: loggerOf(settings.serviceName).log,
      },
      makeManagementApiGateway(settings.callbackUrl, settings.region),
    );
  });
  return async (event) => {
    const tap = await handler();
    const now = Date.now();
    const changes = event.Records.flatMap((record) => {
      const change = readSessionChange(record as StreamRecordLike, now);
      return change === undefined ? [] : [change];
    });
    const result = await tap(changes);
    return {
      batchItemFailures:
        result.failedSequenceNumber === undefined ? [] : [{ itemIdentifier: result.failedSequenceNumber }],
    };
  };
}
