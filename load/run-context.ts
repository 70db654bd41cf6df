/**
 * What every scenario and player of one run shares: the HTTP pool, the recorder, the ledger, the run's clock and
 * its end. Once the end has come no request is started; those in flight are awaited by the scenario's promises.
 */
import { performance } from 'node:perf_hooks';
import { mintToken } from '../lambda/auth/development-token';
import type { HttpClient } from './http-client';
import type { Ledger } from './ledger';
import type { Recorder } from './recorder';
import type { ResolvedTarget } from './target';

export interface RunContext {
  readonly client: HttpClient;
  readonly recorder: Recorder;
  readonly ledger: Ledger;
  readonly target: ResolvedTarget;
  /** A short random word naming this run's sessions and players, so runs never meet. */
  readonly runId: string;
  /** ms on the run's clock. */
  now(): number;
  /** When the load ends, ms on the run's clock. */
  readonly endsAt: number;
  readonly thinkMs: number;
  /** Still before the end: a new request may be started. */
  running(): boolean;
  /** Waits `ms`, or until the end if that comes first. */
  pause(ms: number): Promise<void>;
  /** A player's Authorization header value, signed with the target's secret. */
  authorizationFor(xuid: string): Promise<string>;
  /** The xuid of the run's player number `index` (0 up to 10 million): no other run's players share it. */
  playerXuid(index: number): string;
  /** A property value no other write of the run sends, so the check knows which write a stored value came from. */
  nextValue(): number;
}

/** The run's clock: monotonic ms since the process started (performance.now), never the wall clock. */
export const runClock = (): number => performance.now();

export function makeRunContext(parts: {
  client: HttpClient;
  recorder: Recorder;
  ledger: Ledger;
  target: ResolvedTarget;
  runId: string;
  startedAt: number;
  durationSeconds: number;
  thinkMs: number;
}): RunContext {
  const endsAt = parts.startedAt + parts.durationSeconds * 1000;
  // xuids are uint64 (README, "Tokens"): a block of 10 million per run, picked at random among 100 million blocks.
  const xuidBase = 2_600_000_000_000_000n + BigInt(Math.floor(Math.random() * 100_000_000)) * 10_000_000n;
  let lastValue = 0;
  return {
    client: parts.client,
    recorder: parts.recorder,
    ledger: parts.ledger,
    target: parts.target,
    runId: parts.runId,
    now: runClock,
    endsAt,
    thinkMs: parts.thinkMs,
    running: () => runClock() < endsAt,
    pause: (ms) =>
      new Promise((resolve) => {
        const wait = Math.max(0, Math.min(ms, endsAt - runClock()));
        setTimeout(resolve, wait);
      }),
    authorizationFor: (xuid) =>
      mintToken(
        { xuid },
        {
          secret: parts.target.secret,
          // Long enough for the longest run the options allow, plus the read-back.
          expiresInSeconds: parts.durationSeconds + 3600,
          ...(parts.target.issuer === undefined ? {} : { issuer: parts.target.issuer }),
          ...(parts.target.audience === undefined ? {} : { audience: parts.target.audience }),
        },
      ),
    playerXuid: (index) => String(xuidBase + BigInt(index)),
    nextValue: () => {
      lastValue += 1;
      return lastValue;
    },
  };
}
