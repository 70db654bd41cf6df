// MPSD's fine-grained rate limiting (spec §1.6, [D-FGRL]): per user per title, a burst limit and a sustained limit,
// each a number of requests in a period. Counted in fixed windows aligned to multiples of the period, so every
// Lambda instance names the same counter for the same moment without talking to the others.

/** One limit: at most `maxRequests` in any window of `periodInSeconds`. */
export interface FairUseLimit {
  readonly maxRequests: number;
  readonly periodInSeconds: number;
}

/** The limits of one service config (SCID). `enabled: false` switches them off (load tests of that title). */
export interface FairUsePolicy {
  readonly enabled: boolean;
  readonly limits: readonly FairUseLimit[];
}

/** MPSD's documented defaults: burst 30 requests / 15 s, sustain 300 / 300 s. */
export const DEFAULT_FAIR_USE_POLICY: FairUsePolicy = {
  enabled: true,
  limits: [
    { maxRequests: 30, periodInSeconds: 15 },
    { maxRequests: 300, periodInSeconds: 300 },
  ],
};

/**
 * Which limits a request counts against. Every request counts against its SCID's policy (`mpsd`); a search-handle
 * read (a search query) or write (a search handle's POST or DELETE) also counts against the search-handle limits
 * (spec §1.4, [D-FGRL]), in counters of its own.
 */
export type FairUseRule = 'mpsd' | 'search-read' | 'search-write';

/** Search handles' own limits (family spec §1.4): 1 read and 1 write per 15 s burst, 20 of each per 300 s sustained. */
export const SEARCH_FAIR_USE_LIMITS: readonly FairUseLimit[] = [
  { maxRequests: 1, periodInSeconds: 15 },
  { maxRequests: 20, periodInSeconds: 300 },
];

/**
 * The policy a rule applies under a SCID's policy: the SCID's own for `mpsd`; the search limits for the search rules,
 * switched off with the SCID's (a load test of a title switches off all of its limits).
 */
export function policyForRule(rule: FairUseRule, scidPolicy: FairUsePolicy): FairUsePolicy {
  return rule === 'mpsd' ? scidPolicy : { enabled: scidPolicy.enabled, limits: SEARCH_FAIR_USE_LIMITS };
}

/** The counted subject of a rule: the search rules count apart from each other and from MPSD's own limits. */
export function subjectForRule(rule: FairUseRule, subject: string): string {
  return rule === 'mpsd' ? subject : `${subject}#${rule}`;
}

/** Counters outlive their window by this much before DynamoDB's TTL may collect them (TTL deletion lags anyway). */
export const COUNTER_EXPIRY_SLACK_SECONDS = 60;

/** Largest period a limit may have (a day): longer windows would keep counters for too long to be useful. */
export const MAX_FAIR_USE_PERIOD_SECONDS = 24 * 60 * 60;

/**
 * One counter to increment for a request: the item that holds it, its attribute there, the limit it serves, and when
 * the item may be collected. All counters of a request live in one item (the longest window's), so one atomic update
 * counts a request against every limit.
 */
export interface FairUseCounter {
  readonly key: string;
  readonly attribute: string;
  readonly limit: FairUseLimit;
  /** Epoch seconds the window opened. */
  readonly windowStart: number;
  /** Epoch seconds for the TTL attribute. */
  readonly expiresAt: number;
}

/** The 429 answer's numbers (MPSD's body) and how long to wait. */
export interface FairUseExceeded {
  readonly currentRequests: number;
  readonly maxRequests: number;
  readonly periodInSeconds: number;
  /** Seconds until the window that is over its limit closes (at least 1). */
  readonly retryAfterSeconds: number;
}

/** Start (epoch seconds) of the fixed window of `periodInSeconds` that holds `nowMs`. */
export function windowStartOf(nowMs: number, periodInSeconds: number): number {
  const nowSeconds = Math.floor(nowMs / 1000);
  return nowSeconds - (nowSeconds % periodInSeconds);
}

/**
 * Who is counted: the user and the title (spec §1.6 "per user per title"). A token without a title id is counted
 * under the SCID it calls, the nearest stand-in for its title.
 */
export function fairUseSubject(xuid: string, titleId: string | undefined, scid: string): string {
  return `${xuid}#${titleId ?? `scid:${scid.toLowerCase()}`}`;
}

/**
 * The counters one request increments: one per limit, in the window that holds `nowMs`, all in the item of the
 * longest window. Every period divides the longest one (readFairUsePolicy checks), so each shorter window lies inside
 * exactly one longest window and its count is never split between two items.
 */
export function countersFor(subject: string, policy: FairUsePolicy, nowMs: number): FairUseCounter[] {
  const longest = Math.max(...policy.limits.map((l) => l.periodInSeconds));
  const itemWindowStart = windowStartOf(nowMs, longest);
  const key = `${subject}#${longest}s#${itemWindowStart}`;
  const expiresAt = itemWindowStart + longest + COUNTER_EXPIRY_SLACK_SECONDS;
  return policy.limits.map((limit) => {
    const windowStart = windowStartOf(nowMs, limit.periodInSeconds);
    return { key, attribute: `n${limit.periodInSeconds}s${windowStart}`, limit, windowStart, expiresAt };
  });
}

/**
 * Judges the counts after this request's increments (same order as the counters): undefined when every limit holds,
 * else the limit that is exceeded, preferring the one whose window closes last (the honest Retry-After).
 */
export function judgeCounts(
  counters: readonly FairUseCounter[],
  counts: readonly number[],
  nowMs: number,
): FairUseExceeded | undefined {
  let worst: FairUseExceeded | undefined;
  counters.forEach((counter, i) => {
    const count = counts[i] ?? 0;
    if (count <= counter.limit.maxRequests) return;
    const closesAt = counter.windowStart + counter.limit.periodInSeconds;
    const retryAfterSeconds = Math.max(1, Math.ceil(closesAt - nowMs / 1000));
    if (worst === undefined || retryAfterSeconds > worst.retryAfterSeconds) {
      worst = {
        currentRequests: count,
        maxRequests: counter.limit.maxRequests,
        periodInSeconds: counter.limit.periodInSeconds,
        retryAfterSeconds,
      };
    }
  });
  return worst;
}

/** MPSD's 429 body (spec §1.6). */
export function fairUseBody(exceeded: FairUseExceeded): {
  version: 1;
  currentRequests: number;
  maxRequests: number;
  periodInSeconds: number;
  limitType: 'rate';
} {
  return {
    version: 1,
    currentRequests: exceeded.currentRequests,
    maxRequests: exceeded.maxRequests,
    periodInSeconds: exceeded.periodInSeconds,
    limitType: 'rate',
  };
}

function positiveInteger(where: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`${where} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Reads a `fairUseLimits` configuration value: `{"enabled": false}` switches the limits off, and
 * `{"limits": [{"maxRequests": 30, "periodInSeconds": 15}, ...]}` replaces MPSD's defaults. Throws an Error naming
 * `where` for anything else, so a broken configuration stops start-up.
 */
export function readFairUsePolicy(where: string, value: unknown): FairUsePolicy {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where} must be an object such as {"limits":[{"maxRequests":30,"periodInSeconds":15}]}`);
  }
  const config = value as Record<string, unknown>;
  for (const key of Object.keys(config)) {
    if (key !== 'enabled' && key !== 'limits') throw new Error(`${where} has an unknown key "${key}"`);
  }
  if (config.enabled !== undefined && typeof config.enabled !== 'boolean') {
    throw new Error(`${where}.enabled must be true or false`);
  }
  const enabled = config.enabled !== false;
  if (config.limits === undefined) return { enabled, limits: DEFAULT_FAIR_USE_POLICY.limits };
  if (!Array.isArray(config.limits) || config.limits.length === 0 || config.limits.length > 4) {
    throw new Error(`${where}.limits must be an array of 1 to 4 limits`);
  }
  const limits = config.limits.map((entry: unknown, i) => {
    const at = `${where}.limits[${i}]`;
    if (typeof entry !== 'object' || entry === null) throw new Error(`${at} must be an object`);
    const limit = entry as Record<string, unknown>;
    return {
      maxRequests: positiveInteger(`${at}.maxRequests`, limit.maxRequests, 1_000_000),
      periodInSeconds: positiveInteger(`${at}.periodInSeconds`, limit.periodInSeconds, MAX_FAIR_USE_PERIOD_SECONDS),
    };
  });
  const longest = Math.max(...limits.map((l) => l.periodInSeconds));
  for (const limit of limits) {
    if (longest % limit.periodInSeconds !== 0) {
      throw new Error(
        `${where}: every periodInSeconds must divide the longest (${longest}); ${limit.periodInSeconds} does not`,
      );
    }
  }
  return { enabled, limits };
}
