import type { TapRecord } from '../invariants';
import type { LoadOptions } from '../options';
import type { RunContext } from '../run-context';

/** What a scenario reports beside the recorder and the ledger. */
export interface ScenarioOutcome {
  /** Counts worth printing (arrivals, sockets, taps...), by name. */
  readonly figures?: Readonly<Record<string, number>>;
  /** realtime: every tap received, for the order check. */
  readonly taps?: readonly TapRecord[];
  /** Changes the service may make on its own per session (a dropped socket's members become inactive). */
  readonly serviceChanges?: ReadonlyMap<string, number>;
  /** Called after the read-back: closes what the scenario kept open for it (sockets). */
  readonly close?: () => Promise<void>;
}

/**
 * A scenario plays its players until the run's end and resolves once every one of them has stopped, so every
 * request still in flight at the end has been answered or has timed out before the sessions are read back.
 */
export type Scenario = (run: RunContext, options: LoadOptions) => Promise<ScenarioOutcome>;
