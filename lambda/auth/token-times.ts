/** Clock skew allowed on `exp` and `nbf` between the token issuer and the service. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** The 401 messages of a token outside its time window (jose's refusals and the cache's use the same words). */
export const TOKEN_EXPIRED_MESSAGE = 'The token has expired; get a new one.';
export const TOKEN_NOT_YET_VALID_MESSAGE = 'The token is not valid yet (its "nbf" is in the future).';

/** The time claims of a verified token, in NumericDate seconds (RFC 7519 §2). */
export interface TokenTimes {
  readonly exp: number;
  readonly nbf?: number;
}

/**
 * Why a token whose signature and claims were verified is refused at `nowMs` (epoch ms), or undefined while it is
 * inside its window. The same rule jose applies when it verifies a token (RFC 7519 §4.1.4, §4.1.5, with
 * CLOCK_TOLERANCE_SECONDS either way; `now` in whole seconds as jose counts it), so a token a cached verification
 * answers for is refused exactly when a fresh verification at the same instant would refuse it.
 */
export function tokenTimeProblem(times: TokenTimes, nowMs: number): string | undefined {
  const now = Math.floor(nowMs / 1000);
  if (times.nbf !== undefined && times.nbf > now + CLOCK_TOLERANCE_SECONDS) return TOKEN_NOT_YET_VALID_MESSAGE;
  if (times.exp <= now - CLOCK_TOLERANCE_SECONDS) return TOKEN_EXPIRED_MESSAGE;
  return undefined;
}
