/**
 * The load-test kit's command line: `npm run loadtest -- <scenario> [options]`. Parsing and every bound are here,
 * pure, so a mistake is reported before anything is sent (exit status 2 with the usage).
 */
import { parseArgs } from 'node:util';

/** The scenarios QA runs before every milestone (README, "The load-test kit"). */
export const SCENARIOS = ['lobby', 'hot', 'read', 'realtime', 'gameday'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** The local service `npm start` serves: the only target used without asking. */
export const DEFAULT_TARGET = 'http://127.0.0.1:8080';

export interface LoadOptions {
  readonly scenario: ScenarioName;
  /** Base URL without a trailing slash. */
  readonly target: string;
  /** HS256 secret for a deployed stage (`--secret`); locally the development secret. */
  readonly secret?: string;
  /** CloudFormation stack whose outputs name the secret and the RTA URL (read with the AWS CLI). */
  readonly stack?: string;
  readonly region?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** The RTA WebSocket URL; by default derived from the target (local) or the stack's `RealTimeUrl`. */
  readonly rtaUrl?: string;
  readonly durationSeconds: number;
  readonly players: number;
  readonly connections: number;
  readonly lobbySize: number;
  /** lobby: nobody leaves, so every lobby played stays (what a run leaves behind, for the QA listing and explorer). */
  readonly keep: boolean;
  readonly sessions: number;
  readonly maxMembers: number;
  /** gameday: arrivals per second at full rate, and the seconds to reach it. */
  readonly rate: number;
  readonly rampSeconds: number;
  readonly mix: Readonly<Record<GamedayUnit, number>>;
  readonly thinkMs: number;
  readonly timeoutSeconds: number;
  readonly out?: string;
  readonly maxP99Ms?: number;
  readonly maxErrorRate?: number;
  readonly progress: boolean;
}

/** What arrives at a gameday: a party playing one lobby through, a poller, or a player of the one hot session. */
export const GAMEDAY_UNITS = ['lobby', 'read', 'hot'] as const;
export type GamedayUnit = (typeof GAMEDAY_UNITS)[number];

/** Each scenario's own defaults (players = virtual players; gameday: the most units active at once). */
const SCENARIO_DEFAULTS: Record<ScenarioName, { players: number; maxMembers: number; thinkMs: number }> = {
  lobby: { players: 64, maxMembers: 100, thinkMs: 0 },
  hot: { players: 300, maxMembers: 100, thinkMs: 0 },
  read: { players: 200, maxMembers: 100, thinkMs: 0 },
  // A tap is timed from the write that caused it: writes spaced out so the figure is delivery, not a queue.
  realtime: { players: 32, maxMembers: 100, thinkMs: 500 },
  gameday: { players: 400, maxMembers: 100, thinkMs: 0 },
};

export const USAGE = `Usage: npm run loadtest -- <scenario> [options]

Scenarios:
  lobby      parties create a lobby, the others join by members.me, write member and session custom properties,
             poll with If-None-Match, post activity handles and leave; the last leaver deletes it; again until time
  hot        hundreds of players join one session at once (more than it holds), update it, leave and join again
  read       many pollers on few sessions: GET with If-None-Match, mostly 304, while one writer per session changes it
  realtime   players open RTA sockets, subscribe, join with their ConnectionId and write; shoulder taps are counted
             and timed from the write that caused them
  gameday    a mix of the above arriving at --rate per second, ramping up over --ramp seconds, for --duration

Target (loopback unless told otherwise):
  --target <url>          base URL (default ${DEFAULT_TARGET}); a host other than this machine needs https:// and
                          the stage's token secret (--secret or --stack)
  --secret <secret>       the stage's HS256 token secret (default locally: the development secret)
  --stack <name>          read TokenSecretArn and RealTimeUrl from this CloudFormation stack with the AWS CLI
  --region <region>       for --stack (default: the AWS CLI's)
  --issuer <iss>          iss claim, for a stage deployed with tokenIssuer
  --audience <aud>        aud claim, for a stage deployed with tokenAudience
  --rta-url <url>         RTA WebSocket URL (default: <target>/connect locally, the stack's RealTimeUrl)

Load:
  --duration <s>          seconds of load, 1..3600 (default 20); then no new request is sent and those in flight
                          are awaited
  --players <n>           virtual players, 1..5000 (lobby 64, hot 300, read 200, realtime 32; gameday: most units
                          active at once, 400)
  --connections <n>       HTTP connections to the target, 1..1024 (default 64)
  --lobby-size <n>        players per lobby, 2..8 (default 4)
  --keep                  lobby: nobody leaves, so every lobby played stays behind (for the QA listing and the
                          session explorer)
  --sessions <n>          sessions polled in read and gameday, 1..100 (default 5)
  --max-members <n>       maxMembersCount of the hot session, 2..100 (default 100)
  --rate <n>              gameday arrivals per second at full rate, 0.1..1000 (default 5)
  --ramp <s>              gameday seconds to reach --rate (default 10)
  --mix <l,r,h>           gameday weights of lobby parties, pollers and hot players (default 60,30,10)
  --think <ms>            pause between one player's requests, 0..60000 (default 0; realtime 500)
  --timeout <s>           a request without an answer after this is given up (default 30); its outcome is unknown

Results:
  --out <dir>             write <dir>/results.json and <dir>/report.html (one self-contained file)
  --max-p99 <ms>          fail (exit 1) when an operation's p99 latency is above this (shoulder taps excluded)
  --max-error-rate <f>    fail (exit 1) when more than this fraction of requests failed (0..1): no answer, a 5xx,
                          or a 4xx the scenario does not expect; a 429 is counted but is not a failure
  --no-progress           no progress line
  --help                  this text

Exit status: 0 passed, 1 an invariant or a threshold failed, 2 a usage mistake or the run could not start.`;

/** A mistake in the command line: reported with the usage, exit status 2. */
export class UsageError extends Error {}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      secret: { type: 'string' },
      stack: { type: 'string' },
      region: { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      'rta-url': { type: 'string' },
      duration: { type: 'string' },
      players: { type: 'string' },
      connections: { type: 'string' },
      'lobby-size': { type: 'string' },
      keep: { type: 'boolean' },
      sessions: { type: 'string' },
      'max-members': { type: 'string' },
      rate: { type: 'string' },
      ramp: { type: 'string' },
      mix: { type: 'string' },
      think: { type: 'string' },
      timeout: { type: 'string' },
      out: { type: 'string' },
      'max-p99': { type: 'string' },
      'max-error-rate': { type: 'string' },
      'no-progress': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
}

/** A number option within its bounds, or the default; `whole` asks for an integer. */
function numberOption(
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  bounds: { min: number; max: number; whole: boolean },
): number {
  const text = values[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  const kind = bounds.whole ? 'a whole number' : 'a number';
  if (
    typeof text !== 'string' ||
    text.trim() === '' ||
    !Number.isFinite(value) ||
    (bounds.whole && !Number.isInteger(value))
  ) {
    throw new UsageError(`--${name} must be ${kind} from ${bounds.min} to ${bounds.max}, not "${String(text)}".`);
  }
  if (value < bounds.min || value > bounds.max) {
    throw new UsageError(`--${name} must be ${kind} from ${bounds.min} to ${bounds.max}, not ${value}.`);
  }
  return value;
}

function optionalNumber(
  values: Record<string, unknown>,
  name: string,
  bounds: { min: number; max: number; whole: boolean },
): number | undefined {
  return values[name] === undefined ? undefined : numberOption(values, name, 0, bounds);
}

function parseMix(text: string | undefined): Record<GamedayUnit, number> {
  if (text === undefined) return { lobby: 60, read: 30, hot: 10 };
  const parts = text.split(',');
  const weights = parts.map(Number);
  if (parts.length !== GAMEDAY_UNITS.length || weights.some((w) => !Number.isFinite(w) || w < 0)) {
    throw new UsageError(`--mix is three weights, lobby,read,hot (e.g. 60,30,10), not "${text}".`);
  }
  if (weights.every((w) => w === 0)) throw new UsageError('--mix needs at least one weight above 0.');
  return { lobby: weights[0] ?? 0, read: weights[1] ?? 0, hot: weights[2] ?? 0 };
}

/** Parses the command line (without `node` and the script); `'help'` when help was asked for. */
export function parseLoadOptions(args: string[]): LoadOptions | 'help' {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new UsageError(`Name one scenario: ${SCENARIOS.join(', ')}.`);
  }
  const scenario = positionals[0] as ScenarioName;
  if (!SCENARIOS.includes(scenario)) {
    throw new UsageError(`Unknown scenario "${positionals[0]}": the scenarios are ${SCENARIOS.join(', ')}.`);
  }
  const defaults = SCENARIO_DEFAULTS[scenario];
  const whole = (min: number, max: number) => ({ min, max, whole: true });
  const maxP99Ms = optionalNumber(values, 'max-p99', { min: 0, max: 3_600_000, whole: false });
  const maxErrorRate = optionalNumber(values, 'max-error-rate', { min: 0, max: 1, whole: false });
  return {
    scenario,
    target: (values.target ?? DEFAULT_TARGET).replace(/\/+$/, ''),
    ...(values.secret === undefined ? {} : { secret: values.secret }),
    ...(values.stack === undefined ? {} : { stack: values.stack }),
    ...(values.region === undefined ? {} : { region: values.region }),
    ...(values.issuer === undefined ? {} : { issuer: values.issuer }),
    ...(values.audience === undefined ? {} : { audience: values.audience }),
    ...(values['rta-url'] === undefined ? {} : { rtaUrl: values['rta-url'] }),
    durationSeconds: numberOption(values, 'duration', 20, whole(1, 3600)),
    players: numberOption(values, 'players', defaults.players, whole(1, 5000)),
    connections: numberOption(values, 'connections', 64, whole(1, 1024)),
    lobbySize: numberOption(values, 'lobby-size', 4, whole(2, 8)),
    keep: values.keep === true,
    sessions: numberOption(values, 'sessions', 5, whole(1, 100)),
    maxMembers: numberOption(values, 'max-members', defaults.maxMembers, whole(2, 100)),
    rate: numberOption(values, 'rate', 5, { min: 0.1, max: 1000, whole: false }),
    rampSeconds: numberOption(values, 'ramp', 10, whole(0, 3600)),
    mix: parseMix(values.mix),
    thinkMs: numberOption(values, 'think', defaults.thinkMs, whole(0, 60_000)),
    timeoutSeconds: numberOption(values, 'timeout', 30, whole(1, 300)),
    ...(values.out === undefined ? {} : { out: values.out }),
    ...(maxP99Ms === undefined ? {} : { maxP99Ms }),
    ...(maxErrorRate === undefined ? {} : { maxErrorRate }),
    progress: values['no-progress'] !== true,
  };
}
