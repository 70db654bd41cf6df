import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { ScheduledFunctionName } from '../http/routes';
import type { SweepReport, TimerSweeper } from '../service/timer-sweeper';
import { RUNTIME_VARIABLES as VARIABLES } from './environment-variables';
import { makeManagementApiGateway } from './management-api-gateway';
import { type Environment, environmentReader } from './runtime-config';
import { makeKeepalivePassFor, makeTimerSweeperFor } from './wiring';

// The Lambda side of the timer sweeper (README, "Timers that fire on their own"): an EventBridge rule invokes it
// once a minute (EventBridge's finest rate), and each invocation sweeps every SWEEP_INTERVAL_MS for that minute, so
// due work waits about one interval, not a minute. Each sweep also runs the real-time keepalive pass.

/** Time between two sweeps of one invocation; also `npm start`'s interval (local/sweeper.ts). */
export const SWEEP_INTERVAL_MS = 10_000;

/** Sweeps per invocation: one minute's worth, so consecutive invocations meet without a gap of more than one interval. */
export const SWEEPS_PER_INVOCATION = 6;

/** Time an invocation keeps in hand after its last sweep starts: it stops sweeping rather than be cut off. */
const SWEEP_TIME_RESERVE_MS = 15_000;

const DEFAULT_SERVICE_NAME = 'session-directory';

/** What the sweeper function's environment says. */
export interface SweeperSettings {
  readonly tableName: string;
  readonly templatesDir: string;
  readonly connectionTableName: string;
  /** The WebSocket API stage's management endpoint: the keepalive pass posts there. */
  readonly callbackUrl: string;
  readonly region: string;
  readonly serviceName: string;
}

/**
 * Reads the sweeper's settings: the sessions table (due timers), the templates (a commit checks the size budgets
 * as a PUT does), the connections table (disconnect checks, keepalives) and the WebSocket API's management endpoint
 * (keepalives), by the names of RUNTIME_VARIABLES.
 */
export function readSweeperRuntimeConfig(env: Environment): SweeperSettings {
  const { optional, required, done } = environmentReader(env);
  const tableName = required(VARIABLES.sessionTableName);
  const templatesDir = required(VARIABLES.templatesDir);
  const connectionTableName = required(VARIABLES.connectionTableName);
  const callbackUrl = required(VARIABLES.rtaCallbackUrl);
  const region = required(VARIABLES.region);
  const serviceName = optional(VARIABLES.serviceName) ?? DEFAULT_SERVICE_NAME;
  done();
  return { tableName, templatesDir, connectionTableName, callbackUrl, region, serviceName };
}

/** Which reader each scheduled function's configuration comes from (test/infra/function-environment.test.ts). */
export const SCHEDULED_READERS = {
  timerSweeper: readSweeperRuntimeConfig,
} as const satisfies Record<ScheduledFunctionName, (env: Environment) => unknown>;

/** What the loop of one invocation needs besides the sweeper: waiting and the time left (injected in tests). */
export interface SweepLoopDeps {
  readonly sleep: (ms: number) => Promise<void>;
  /** Monotonic ms. */
  readonly elapsedMs: () => number;
  readonly remainingMs: () => number;
}

/**
 * One invocation's sweeps: SWEEPS_PER_INVOCATION of them SWEEP_INTERVAL_MS apart (start to start), stopping early when
 * the invocation would run out of time. A failed sweep is reported and the next one runs (what was due stays in the
 * index).
 */
export async function runSweeps(
  sweep: TimerSweeper,
  deps: SweepLoopDeps,
  onSweep: (report: SweepReport | { error: unknown }) => void,
): Promise<number> {
  let sweeps = 0;
  for (let i = 0; i < SWEEPS_PER_INVOCATION; i += 1) {
    if (i > 0 && deps.remainingMs() < SWEEP_INTERVAL_MS + SWEEP_TIME_RESERVE_MS) break;
    const started = deps.elapsedMs();
    try {
      onSweep(await sweep());
    } catch (error) {
      onSweep({ error });
    }
    sweeps += 1;
    if (i < SWEEPS_PER_INVOCATION - 1) await deps.sleep(Math.max(0, started + SWEEP_INTERVAL_MS - deps.elapsedMs()));
  }
  return sweeps;
}

/** The sweeper function's handler, built once per container. */
export function sweeperLambdaHandler(): (event: unknown, context: Context) => Promise<{ sweeps: number }> {
  let built: { sweep: TimerSweeper; logger: Logger } | undefined;
  return async (_event, context) => {
    if (built === undefined) {
      const settings = readSweeperRuntimeConfig(process.env);
      const logger = new Logger({ serviceName: settings.serviceName });
      const config = {
        tableName: settings.tableName,
        templatesDir: settings.templatesDir,
        connectionTableName: settings.connectionTableName,
        region: settings.region,
        environment: 'deployed',
        log: { error: (message: string, details: Record<string, unknown>) => logger.error(message, details) },
      } as const;
      const timers = makeTimerSweeperFor(config);
      const keepalive = makeKeepalivePassFor(config, makeManagementApiGateway(settings.callbackUrl, settings.region));
      // Each sweep also sends the keepalives and owed resyncs that are due (family spec §6.4, §6.10); a failed pass
      // loses nothing (what was due stays due) and does not hide the sweep's own report.
      const sweep: TimerSweeper = async () => {
        const report = await timers();
        try {
          return { ...report, ...(await keepalive()) };
        } catch (error) {
          logger.error('keepalive pass failed', { error });
          return report;
        }
      };
      built = { sweep, logger };
    }
    const { sweep, logger } = built;
    const sweeps = await runSweeps(
      sweep,
      {
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        elapsedMs: () => performance.now(),
        remainingMs: () => context.getRemainingTimeInMillis(),
      },
      (result) => {
        if ('error' in result) logger.error('sweep failed', { error: result.error });
        else logger.info('sweep', { ...result });
      },
    );
    return { sweeps };
  };
}
