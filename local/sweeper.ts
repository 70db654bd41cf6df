import type { SweepReport, TimerSweeper } from '../lambda/service/timer-sweeper';
import { oneAtATime } from './one-at-a-time';

/** The sweeper on a timer, as `npm start` runs it; `sweepNow` for the tests, which move their own clock. */
export interface LocalSweeper {
  /** One sweep now (a sweep already running is awaited first: sweeps never overlap here). */
  sweepNow(): Promise<SweepReport>;
  /** Stops the timer and waits for a running sweep. */
  stop(): Promise<void>;
}

/**
 * Runs `sweep` every `intervalMs` (never two at once), or only on `sweepNow` when `intervalMs` is undefined. A failed
 * sweep is logged; the next one tries again (what was due stays in the index).
 */
export function startLocalSweeper(
  sweep: TimerSweeper,
  options: { readonly intervalMs?: number; readonly log?: (line: string) => void } = {},
): LocalSweeper {
  const sweepNow = oneAtATime(sweep);
  const timer =
    options.intervalMs === undefined
      ? undefined
      : setInterval(() => {
          sweepNow().then(
            (report) => {
              const changed = report.committed + report.ended + report.setInactive + report.failed;
              if (changed > 0) options.log?.(`sweeper: ${JSON.stringify(report)}`);
            },
            (error: unknown) => options.log?.(`sweeper failed: ${String(error)}`),
          );
        }, options.intervalMs);
  timer?.unref();
  return {
    sweepNow,
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await sweepNow.settled();
    },
  };
}
