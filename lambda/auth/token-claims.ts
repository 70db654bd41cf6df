import { isXuid, XUID_RULE } from '../domain/xuid';

/**
 * Claims of the service's tokens (a JWT in place of the XSTS token, which only Xbox Live can issue). A user token
 * carries `xuid` (and optionally `gamertag`, `titleId`, `deviceId`); a server token carries `server: true`.
 */
export interface TokenClaims {
  xuid?: string;
  gamertag?: string;
  titleId?: string;
  deviceId?: string;
  server?: boolean;
}

/** The string claims a principal is built from. */
export type IdentityClaim = 'xuid' | 'gamertag' | 'titleId' | 'deviceId';

/** A claim's rule: whether a value is acceptable, and what is allowed (for the 401 message). */
interface ClaimRule {
  readonly accepts: (value: string) => boolean;
  readonly allowed: string;
}

// Gamertags are rendered to clients whose buffers take under 48 bytes with the terminating NUL (spec §2.2).
const MAX_GAMERTAG_BYTES = 47;
const MAX_TITLE_ID = 2 ** 32 - 1;
const MAX_DEVICE_ID_CHARS = 100;
// Control characters end or garble a C string on the client.
const CONTROL_CHARACTER = /\p{Cc}/u;

/**
 * What each identity claim may hold: what clients accept where the value is rendered (the xuid and gamertag of a
 * member, its `activeTitleId`, spec §2.2, §2.7.2). The verifier answers 401 naming the claim otherwise, and the token
 * script refuses to mint such a token.
 */
export const CLAIM_RULES = {
  xuid: { accepts: isXuid, allowed: XUID_RULE },
  gamertag: {
    accepts: (v) => v.length > 0 && Buffer.byteLength(v, 'utf8') <= MAX_GAMERTAG_BYTES && !CONTROL_CHARACTER.test(v),
    allowed: `1 to ${MAX_GAMERTAG_BYTES} bytes of UTF-8 without control characters (clients' gamertag buffers hold 48 bytes)`,
  },
  titleId: {
    accepts: (v) => /^[1-9][0-9]{0,9}$/.test(v) && Number(v) <= MAX_TITLE_ID,
    allowed: `a decimal title id from 1 to ${MAX_TITLE_ID} without leading zeros (it is rendered as activeTitleId)`,
  },
  deviceId: {
    accepts: (v) => v.length > 0 && v.length <= MAX_DEVICE_ID_CHARS && !CONTROL_CHARACTER.test(v),
    allowed: `1 to ${MAX_DEVICE_ID_CHARS} characters without control characters`,
  },
} as const satisfies Record<IdentityClaim, ClaimRule>;

/** Why a claim's value is refused, or undefined when it is acceptable. */
export function claimProblem(name: IdentityClaim, value: string): string | undefined {
  const rule: ClaimRule = CLAIM_RULES[name];
  return rule.accepts(value) ? undefined : `The token's "${name}" claim must be ${rule.allowed}.`;
}
