import {
  countersFor,
  DEFAULT_FAIR_USE_POLICY,
  type FairUseExceeded,
  type FairUsePolicy,
  type FairUseRule,
  fairUseSubject,
  judgeCounts,
  policyForRule,
  subjectForRule,
} from '../domain/fair-use';
import type { Principal } from '../domain/principal';
import { isScidShaped } from '../domain/session-reference';
import type { RateLimitStore } from '../store/rate-limit-store';

/**
 * Counts a request against its caller's fair-use limits of a rule (`mpsd` unless said: the pipeline's count of every
 * request; the handle routes count search reads and writes once they know the handle type); answers the exceeded
 * limit, or undefined to go on.
 */
export type FairUseGate = (
  principal: Principal,
  scid: string | undefined,
  rule?: FairUseRule,
) => Promise<FairUseExceeded | undefined>;

export interface FairUseGateDeps {
  readonly store: RateLimitStore;
  /** Policies by lower-cased SCID; SCIDs not listed get `defaultPolicy`. */
  readonly policies: ReadonlyMap<string, FairUsePolicy>;
  readonly defaultPolicy?: FairUsePolicy;
  /** Epoch ms. */
  readonly clock: () => number;
  /** Told when the counters cannot be read; the request is let in. */
  readonly warn: (message: string, details: Record<string, unknown>) => void;
  /** How long the counter update may take before the request is let in uncounted. */
  readonly timeoutMs?: number;
}

/** Counter updates take milliseconds; a slow store must not hold a session request up longer than one SDK call. */
export const DEFAULT_COUNTER_TIMEOUT_MS = 1000;

/**
 * The fair-use check of spec §1.6, run before any session work. Server principals without a xuid are not counted:
 * MPSD's limits are per user per title, and a server token is the studio's own back end.
 *
 * Fails open: when the counters table cannot answer (throttled, unreachable, slow), the request is served uncounted
 * and a warning is logged. The limits protect a staging service from runaway clients; refusing every request while
 * the counters are down would turn a counter fault into a full outage.
 */
export function makeFairUseGate(deps: FairUseGateDeps): FairUseGate {
  const fallback = deps.defaultPolicy ?? DEFAULT_FAIR_USE_POLICY;
  return async (principal, scid, rule = 'mpsd') => {
    if (principal.xuid === undefined) return undefined;
    // Only a GUID-shaped SCID goes into a key: an arbitrary path part could exceed DynamoDB's 2 KB key limit, fail
    // every counter update and so escape counting. Malformed SCIDs share one bucket (their requests get 400 anyway).
    const scidKey = isScidShaped(scid) ? scid.toLowerCase() : 'invalid';
    const policy = policyForRule(rule, deps.policies.get(scidKey) ?? fallback);
    if (!policy.enabled || policy.limits.length === 0) return undefined;
    const now = deps.clock();
    const subject = subjectForRule(rule, fairUseSubject(principal.xuid, principal.titleId, scidKey));
    const counters = countersFor(subject, policy, now);
    let counts: number[];
    try {
      counts = await deps.store.increment(counters, {
        abortSignal: AbortSignal.timeout(deps.timeoutMs ?? DEFAULT_COUNTER_TIMEOUT_MS),
      });
    } catch (error) {
      deps.warn('fair-use counters unavailable; request let in uncounted', { error });
      return undefined;
    }
    return judgeCounts(counters, counts, now);
  };
}
