import {
  COUNTER_EXPIRY_SLACK_SECONDS,
  countersFor,
  DEFAULT_FAIR_USE_POLICY,
  fairUseBody,
  fairUseSubject,
  judgeCounts,
  policyForRule,
  readFairUsePolicy,
  subjectForRule,
  windowStartOf,
} from '../../lambda/domain/fair-use';

// 2026-11-24T21:00:07Z: 7 s into a 15 s window, 7 s into a 300 s window.
const NOW_MS = Date.UTC(2026, 10, 24, 21, 0, 7, 400);
const NOW_S = Math.floor(NOW_MS / 1000);

describe('fixed windows', () => {
  it('starts a window at the last multiple of its period', () => {
    expect(windowStartOf(NOW_MS, 15)).toBe(NOW_S - 7);
    expect(windowStartOf(NOW_MS, 300)).toBe(NOW_S - 7);
    expect(windowStartOf(NOW_MS + 8_000, 15)).toBe(NOW_S + 8);
  });

  it('names one counter per limit, all in the item of the longest window, expiring after it', () => {
    const counters = countersFor('2533274790395904#1234', DEFAULT_FAIR_USE_POLICY, NOW_MS);
    const item = `2533274790395904#1234#300s#${NOW_S - 7}`;
    expect(counters.map((c) => [c.key, c.attribute])).toEqual([
      [item, `n15s${NOW_S - 7}`],
      [item, `n300s${NOW_S - 7}`],
    ]);
    expect(counters.map((c) => c.expiresAt)).toEqual([
      NOW_S - 7 + 300 + COUNTER_EXPIRY_SLACK_SECONDS,
      NOW_S - 7 + 300 + COUNTER_EXPIRY_SLACK_SECONDS,
    ]);
    // 8 s later the burst window is a new one, in the same item.
    const later = countersFor('s', DEFAULT_FAIR_USE_POLICY, NOW_MS + 8_000);
    expect(later[0]?.attribute).toBe(`n15s${NOW_S + 8}`);
    expect(later[0]?.key).toBe(`s#300s#${NOW_S - 7}`);
  });

  it('counts per user per title, and under the SCID when the token has no title id', () => {
    expect(fairUseSubject('1', '99', 'ABC')).toBe('1#99');
    expect(fairUseSubject('1', undefined, 'ABC')).toBe('1#scid:abc');
  });
});

describe('judging counts', () => {
  const counters = countersFor('s', DEFAULT_FAIR_USE_POLICY, NOW_MS);

  it('lets a request in while every count is at or under its limit', () => {
    expect(judgeCounts(counters, [30, 300], NOW_MS)).toBeUndefined();
  });

  it('reports the burst limit with the seconds left in its window', () => {
    expect(judgeCounts(counters, [31, 31], NOW_MS)).toEqual({
      currentRequests: 31,
      maxRequests: 30,
      periodInSeconds: 15,
      retryAfterSeconds: 8,
    });
  });

  it('prefers the limit whose window closes last when both are exceeded', () => {
    expect(judgeCounts(counters, [40, 301], NOW_MS)).toMatchObject({ maxRequests: 300, retryAfterSeconds: 293 });
  });

  it("renders MPSD's 429 body", () => {
    expect(fairUseBody({ currentRequests: 31, maxRequests: 30, periodInSeconds: 15, retryAfterSeconds: 3 })).toEqual({
      version: 1,
      currentRequests: 31,
      maxRequests: 30,
      periodInSeconds: 15,
      limitType: 'rate',
    });
  });
});

describe('fairUseLimits configuration', () => {
  it("keeps MPSD's defaults when only enabled is given", () => {
    expect(readFairUsePolicy('x', { enabled: false })).toEqual({
      enabled: false,
      limits: DEFAULT_FAIR_USE_POLICY.limits,
    });
  });

  it('reads custom limits', () => {
    expect(readFairUsePolicy('x', { limits: [{ maxRequests: 3, periodInSeconds: 60 }] })).toEqual({
      enabled: true,
      limits: [{ maxRequests: 3, periodInSeconds: 60 }],
    });
  });

  it.each([
    [null],
    [{ limit: [] }],
    [{ limits: [] }],
    [{ limits: [{ maxRequests: 0, periodInSeconds: 15 }] }],
    [{ limits: [{ maxRequests: 3, periodInSeconds: 1.5 }] }],
    [{ enabled: 'no' }],
    [
      {
        limits: [
          { maxRequests: 3, periodInSeconds: 40 },
          { maxRequests: 9, periodInSeconds: 300 },
        ],
      },
    ],
  ])('refuses %j, naming where', (value) => {
    expect(() => readFairUsePolicy('file.json: fairUseLimits', value)).toThrow(/file\.json: fairUseLimits/);
  });
});

describe('the search-handle rules (family spec §1.4)', () => {
  const scidPolicy = { enabled: true, limits: [{ maxRequests: 30, periodInSeconds: 15 }] };
  it('applies the SCID policy to every request and the search limits (1 / 15 s, 20 / 300 s) to search reads and writes', () => {
    expect(policyForRule('mpsd', scidPolicy)).toBe(scidPolicy);
    for (const rule of ['search-read', 'search-write'] as const) {
      expect(policyForRule(rule, scidPolicy)).toEqual({
        enabled: true,
        limits: [
          { maxRequests: 1, periodInSeconds: 15 },
          { maxRequests: 20, periodInSeconds: 300 },
        ],
      });
    }
  });

  it('switches the search limits off with the SCID policy', () => {
    expect(policyForRule('search-read', { ...scidPolicy, enabled: false }).enabled).toBe(false);
  });

  it('counts search reads, search writes and other requests apart, in counters of their own', () => {
    const subject = fairUseSubject('2533274790395904', '1234', 'scid');
    const keys = (['mpsd', 'search-read', 'search-write'] as const).map(
      (rule) => countersFor(subjectForRule(rule, subject), policyForRule(rule, scidPolicy), 0)[0]?.key,
    );
    expect(new Set(keys).size).toBe(3);
  });
});
