/**
 * One load run from start to verdict: a first request to see the target answers and takes the tokens, the scenario
 * with a progress line, every request in flight awaited, the sessions read back, the invariants checked, the
 * thresholds applied; results.json and report.html written when asked.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HttpClient } from './http-client';
import { checkInvariants } from './invariants';
import { Ledger } from './ledger';
import type { LoadOptions, ScenarioName } from './options';
import { pathOf } from './player';
import { readBack } from './readback';
import { Recorder } from './recorder';
import { renderReport } from './report-html';
import { type LoadResults, thresholdFailures } from './results';
import { makeRunContext, runClock } from './run-context';
import { gamedayScenario } from './scenarios/gameday';
import { hotScenario } from './scenarios/hot';
import { lobbyScenario } from './scenarios/lobby';
import { readScenario } from './scenarios/read';
import { realtimeScenario } from './scenarios/realtime';
import type { Scenario } from './scenarios/scenario';
import type { ResolvedTarget } from './target';

const SCENARIO_RUNNERS: Record<ScenarioName, Scenario> = {
  lobby: lobbyScenario,
  hot: hotScenario,
  read: readScenario,
  realtime: realtimeScenario,
  gameday: gamedayScenario,
};

/** The target could not be used: nothing was loaded (exit status 2). */
export class TargetUnusable extends Error {}

/** Identities the read-back spreads its GETs over, so fair use (30 requests in 15 s per user) lets it through. */
const READERS = 100;
/** The read-back's players: the last indices of the run's block, which no scenario reaches. */
const FIRST_READER_INDEX = 9_999_000;

export interface RunIo {
  /** A line of the run's story (stderr in the CLI). */
  readonly log: (line: string) => void;
  /** The progress line, replaced in place on a terminal; absent: no progress. */
  readonly progress?: (line: string) => void;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function runLoad(options: LoadOptions, target: ResolvedTarget, io: RunIo): Promise<LoadResults> {
  const runId = randomBytes(4).toString('hex');
  const client = new HttpClient(target.baseUrl, options.connections, options.timeoutSeconds * 1000, runClock);
  try {
    const ledger = new Ledger();
    const probeStartedAt = runClock();
    const probe = makeRunContext({
      client,
      recorder: new Recorder(probeStartedAt),
      ledger,
      target,
      runId,
      startedAt: probeStartedAt,
      durationSeconds: options.durationSeconds,
      thinkMs: options.thinkMs,
    });
    await checkTarget(client, target, await probe.authorizationFor(probe.playerXuid(FIRST_READER_INDEX)), runId);

    const startedAt = runClock();
    const startedWall = new Date();
    const recorder = new Recorder(startedAt);
    const run = makeRunContext({
      client,
      recorder,
      ledger,
      target,
      runId,
      startedAt,
      durationSeconds: options.durationSeconds,
      thinkMs: options.thinkMs,
    });
    io.log(
      `${options.scenario}: ${target.baseUrl}, ${options.durationSeconds} s, ${options.players} players, ` +
        `${options.connections} connections, tokens from the ${target.secretSource}; sessions load-${runId}-*`,
    );
    const ticker = startProgress(recorder, startedAt, run.endsAt, io.progress);
    let outcome: Awaited<ReturnType<Scenario>>;
    try {
      outcome = await SCENARIO_RUNNERS[options.scenario](run, options);
    } finally {
      ticker.stop();
    }
    const endedAt = runClock();
    io.log(
      `load ended after ${round((run.endsAt - startedAt) / 1000, 1)} s; every player had stopped ` +
        `${round(Math.max(0, endedAt - run.endsAt) / 1000, 1)} s later (requests in flight answered or timed out` +
        `${options.scenario === 'realtime' ? ', taps drained' : ''}). Reading ${ledger.sessions().length} sessions back.`,
    );

    const sessions = ledger.sessions();
    const readers = new Map<number, Promise<string>>();
    const readbacks = await readBack(client, sessions, (n) => {
      const reader = n % READERS;
      let authorization = readers.get(reader);
      if (authorization === undefined) {
        authorization = run.authorizationFor(run.playerXuid(FIRST_READER_INDEX + reader));
        readers.set(reader, authorization);
      }
      return authorization;
    });
    await outcome.close?.();
    const invariants = checkInvariants({
      writes: ledger.writes(),
      readbacks,
      ...(outcome.taps === undefined ? {} : { taps: outcome.taps }),
      ...(outcome.serviceChanges === undefined ? {} : { serviceChanges: outcome.serviceChanges }),
    });

    const loadSeconds = options.durationSeconds;
    const { operations, timeline } = recorder.summarize(loadSeconds);
    const counted = recorder.totals();
    const totals = {
      requests: counted.requests,
      ratePerSecond: round(counted.requests / loadSeconds),
      failures: counted.failures,
      errorRate: counted.requests === 0 ? 0 : round(counted.failures / counted.requests, 4),
      throttled: counted.throttled,
    };
    const failures = thresholdFailures(operations, totals, options);
    return {
      scenario: options.scenario,
      target: target.baseUrl,
      secretSource: target.secretSource,
      startedAt: startedWall.toISOString(),
      durationSeconds: loadSeconds,
      elapsedSeconds: round((endedAt - startedAt) / 1000, 1),
      settings: settingsOf(options),
      totals,
      operations,
      timeline,
      figures: outcome.figures ?? {},
      readBack: {
        sessions: readbacks.length,
        present: readbacks.filter((r) => r.state === 'present').length,
        absent: readbacks.filter((r) => r.state === 'absent').length,
        unreadable: readbacks.filter((r) => r.state === 'unreadable').length,
      },
      invariants,
      thresholds: {
        ...(options.maxP99Ms === undefined ? {} : { maxP99Ms: options.maxP99Ms }),
        ...(options.maxErrorRate === undefined ? {} : { maxErrorRate: options.maxErrorRate }),
        failures,
      },
      passed: failures.length === 0 && invariants.every((check) => check.passed),
    };
  } finally {
    await client.close();
  }
}

/** The options a reader of the report needs to repeat the run. */
function settingsOf(options: LoadOptions): Record<string, number | string> {
  const settings: Record<string, number | string> = {
    players: options.players,
    connections: options.connections,
    think: options.thinkMs,
    timeout: options.timeoutSeconds,
  };
  if (options.scenario === 'lobby' || options.scenario === 'realtime' || options.scenario === 'gameday') {
    settings['lobby-size'] = options.lobbySize;
  }
  if (options.scenario === 'read' || options.scenario === 'gameday') settings.sessions = options.sessions;
  if (options.scenario === 'hot' || options.scenario === 'gameday') settings['max-members'] = options.maxMembers;
  if (options.scenario === 'gameday') {
    settings.rate = options.rate;
    settings.ramp = options.rampSeconds;
    settings.mix = `${options.mix.lobby},${options.mix.read},${options.mix.hot}`;
  }
  return settings;
}

/** One GET of a session that does not exist: 204 says the target is the service and takes the tokens. */
async function checkTarget(client: HttpClient, target: ResolvedTarget, authorization: string, runId: string) {
  const answer = await client.send({
    method: 'GET',
    path: pathOf({ template: 'lobby', name: `load-${runId}-probe` }),
    headers: { authorization, 'x-xbl-contract-version': '107' },
  });
  if (answer.status === 204) return;
  if (answer.status === 'error') {
    throw new TargetUnusable(
      `${target.baseUrl} does not answer (${answer.error}).${target.loopback ? ' Is `npm start` running?' : ''}`,
    );
  }
  if (answer.status === 401) {
    throw new TargetUnusable(
      `${target.baseUrl} refused the kit's token (401: ${answer.text}). ` +
        (target.loopback && target.secretSource === 'development secret'
          ? 'A local service accepts the development secret; is this the session directory?'
          : 'Is this the stage the secret belongs to (and --issuer/--audience as deployed)?'),
    );
  }
  throw new TargetUnusable(
    `${target.baseUrl} answered a GET of a new session with ${answer.status}, not 204: is it the session directory ` +
      `with the sample templates? ${answer.text.slice(0, 200)}`,
  );
}

/** The progress line, once a second: elapsed, requests, rate over the last second, failures, 429s, p99 so far. */
function startProgress(
  recorder: Recorder,
  startedAt: number,
  endsAt: number,
  show: ((line: string) => void) | undefined,
): { stop(): void } {
  if (show === undefined) return { stop() {} };
  let lastCount = 0;
  let lastAt = startedAt;
  const timer = setInterval(() => {
    const now = runClock();
    const p = recorder.progress();
    const rate = ((p.requests - lastCount) * 1000) / Math.max(1, now - lastAt);
    lastCount = p.requests;
    lastAt = now;
    const phase = now < endsAt ? '' : ' (awaiting answers in flight)';
    show(
      `[${((now - startedAt) / 1000).toFixed(0).padStart(4)} s] ${String(p.requests).padStart(7)} requests  ` +
        `${rate.toFixed(0).padStart(5)}/s  failed ${p.failures}  429 ${p.throttled}  p99 ${p.p99Ms} ms${phase}`,
    );
  }, 1000);
  return { stop: () => clearInterval(timer) };
}

/** Writes `<dir>/results.json` and `<dir>/report.html`; answers their paths. */
export async function writeResults(dir: string, results: LoadResults): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const json = path.join(dir, 'results.json');
  const html = path.join(dir, 'report.html');
  await writeFile(json, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(html, renderReport(results));
  return { json, html };
}
