import {
  readSweeperRuntimeConfig,
  runSweeps,
  SWEEP_INTERVAL_MS,
  SWEEPS_PER_INVOCATION,
} from '../../lambda/runtime/sweeper-runtime';
import type { SweepReport } from '../../lambda/service/timer-sweeper';

// The deployed sweeper's loop (README, "Timers that fire on their own"): EventBridge invokes it once a minute, and
// it sweeps every 10 s within that minute, so due work waits about one interval. Time is injected.

const EMPTY: SweepReport = { committed: 0, ended: 0, setInactive: 0, disconnectChecks: 0, failed: 0 };

/** A fake clock the loop's sleeps advance; each sweep takes `sweepMs`. */
function fakeTime(timeoutMs: number, sweepMs = 300) {
  let now = 0;
  const starts: number[] = [];
  return {
    starts,
    sweep: async () => {
      starts.push(now);
      now += sweepMs;
      return EMPTY;
    },
    deps: {
      sleep: async (ms: number) => {
        now += ms;
      },
      elapsedMs: () => now,
      remainingMs: () => timeoutMs - now,
    },
  };
}

it('one invocation sweeps six times, 10 s apart from start to start, covering its minute', async () => {
  const time = fakeTime(90_000);
  const sweeps = await runSweeps(time.sweep, time.deps, () => {});
  expect(sweeps).toBe(SWEEPS_PER_INVOCATION);
  expect(time.starts).toEqual(Array.from({ length: SWEEPS_PER_INVOCATION }, (_, i) => i * SWEEP_INTERVAL_MS));
  // The next minute's invocation starts its first sweep one interval after this one's last: no gap is longer.
  expect(60_000 - (time.starts.at(-1) ?? 0)).toBe(SWEEP_INTERVAL_MS);
});

it('stops early rather than be cut off when the invocation runs short of time', async () => {
  const time = fakeTime(40_000);
  const sweeps = await runSweeps(time.sweep, time.deps, () => {});
  expect(sweeps).toBeLessThan(SWEEPS_PER_INVOCATION);
  expect(time.starts.every((start) => start + SWEEP_INTERVAL_MS <= 40_000)).toBe(true);
});

it('a failed sweep is reported and the next one still runs', async () => {
  const time = fakeTime(90_000);
  let calls = 0;
  const seen: unknown[] = [];
  await runSweeps(
    async () => {
      calls += 1;
      if (calls === 1) throw new Error('throttled');
      return time.sweep();
    },
    time.deps,
    (result) => seen.push(result),
  );
  expect(seen[0]).toEqual({ error: expect.any(Error) });
  expect(seen.slice(1)).toEqual(Array(SWEEPS_PER_INVOCATION - 1).fill(EMPTY));
});

it('reads the sessions table, the templates, the connections table and the WebSocket management endpoint, naming every missing one', () => {
  expect(() => readSweeperRuntimeConfig({ AWS_REGION: 'eu-west-1' })).toThrow(
    'SESSION_TABLE_NAME, SESSION_TEMPLATES_DIR, CONNECTION_TABLE_NAME, RTA_CALLBACK_URL',
  );
  expect(
    readSweeperRuntimeConfig({
      AWS_REGION: 'eu-west-1',
      SESSION_TABLE_NAME: 's',
      SESSION_TEMPLATES_DIR: '/var/task/templates',
      CONNECTION_TABLE_NAME: 'c',
      RTA_CALLBACK_URL: 'https://abc.execute-api.eu-west-1.amazonaws.com/rta',
    }),
  ).toEqual({
    region: 'eu-west-1',
    tableName: 's',
    templatesDir: '/var/task/templates',
    connectionTableName: 'c',
    callbackUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/rta',
    serviceName: 'session-directory',
  });
});
