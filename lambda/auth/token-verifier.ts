import { webcrypto } from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { MpsdError, serviceUnavailable } from '../domain/errors';
import type { Principal } from '../domain/principal';
import { parseAuthorizationHeader } from './authorization-header';
import { CLAIM_RULES, claimProblem, type IdentityClaim } from './token-claims';
import {
  CLOCK_TOLERANCE_SECONDS,
  TOKEN_EXPIRED_MESSAGE,
  TOKEN_NOT_YET_VALID_MESSAGE,
  tokenTimeProblem,
} from './token-times';
import type { VerifiedToken, VerifiedTokenCache } from './verified-token-cache';

/** Turns an `Authorization` header value into the caller's principal, or throws 401. */
export type TokenVerifier = (authorizationHeader: string | undefined) => Promise<Principal>;

/** Claims every token must satisfy, whatever key verifies it. */
export interface TokenClaimChecks {
  /** Required `iss`; not checked when absent. */
  readonly issuer?: string;
  /** Required `aud`; not checked when absent. */
  readonly audience?: string;
}

export interface HmacVerifierOptions extends TokenClaimChecks {
  /** The HS256 signing secret. */
  readonly secret: string;
  /** Epoch-ms clock the time claims (`exp`, `nbf`) are checked against; Date.now when absent. */
  readonly clock?: () => number;
  /**
   * Where tokens verified once are remembered (verified-token-cache.ts), so a token sent again costs a lookup and
   * the time check instead of a signature check; without it every request's token is verified by jose. Only tokens
   * that passed every check go in; the time claims are checked on every request all the same.
   */
  readonly verifiedTokens?: VerifiedTokenCache;
}

export interface JwksVerifierOptions {
  /** URL of the issuer's JSON Web Key Set (RS256 or ES256 public keys). */
  readonly jwksUrl: string;
  /** Required `iss`: a key set is someone else's, so its tokens are only ours when issuer and audience say so. */
  readonly issuer: string;
  /** Required `aud`. */
  readonly audience: string;
}

/** Algorithms a JWKS-verified token may use; HS256 is refused there (no algorithm confusion with a public key). */
export const JWKS_ALGORITHMS = ['RS256', 'ES256'] as const;

/**
 * An identity claim as a string: a JSON string, or a safe integer (an id written as a number). Anything else, or a
 * value outside the claim's rule (CLAIM_RULES), is 401 naming the claim.
 */
function identityClaim(payload: Record<string, unknown>, name: IdentityClaim): string | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : Number.isSafeInteger(value) ? String(value) : undefined;
  const problem =
    text === undefined
      ? `The token's "${name}" claim must be a string: ${CLAIM_RULES[name].allowed}.`
      : claimProblem(name, text);
  if (problem !== undefined) throw new MpsdError('InvalidToken', problem);
  return text;
}

/** Maps verified claims to a principal; a token must name a user (xuid) or be a server token. */
export function principalFromClaims(payload: Record<string, unknown>): Principal {
  const xuid = identityClaim(payload, 'xuid');
  const isServer = payload.server === true;
  if (xuid === undefined && !isServer) {
    throw new MpsdError('InvalidToken', 'The token names neither a user ("xuid" claim) nor a server ("server": true).');
  }
  const gamertag = identityClaim(payload, 'gamertag');
  const titleId = identityClaim(payload, 'titleId');
  const deviceId = identityClaim(payload, 'deviceId');
  return {
    isServer,
    ...(xuid === undefined ? {} : { xuid }),
    ...(gamertag === undefined ? {} : { gamertag }),
    ...(titleId === undefined ? {} : { titleId }),
    ...(deviceId === undefined ? {} : { deviceId }),
  };
}

function describeJoseError(error: unknown, algorithms: readonly string[]): string {
  if (error instanceof errors.JWTExpired) return TOKEN_EXPIRED_MESSAGE;
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return TOKEN_NOT_YET_VALID_MESSAGE;
    if (error.claim === 'iss') return 'The token was issued by an issuer this service does not accept ("iss").';
    if (error.claim === 'aud') return 'The token is meant for another audience ("aud").';
    if (error.claim === 'exp' && error.reason === 'missing')
      return 'The token has no expiry ("exp"); every token must expire.';
    return `The token was refused: ${error.message}.`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return "The token's signature does not verify.";
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return `The token is not signed with an allowed algorithm (${algorithms.join(', ')}).`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) return "The token's key id is not in the issuer's key set.";
  return 'The token is not a valid signed JWT.';
}

/**
 * The key tokens are verified with: an HS256 secret imported once per verifier (jose would otherwise import raw
 * bytes through WebCrypto on every verification, issue 12), or an issuer's key set.
 */
type VerificationKey =
  | { readonly kind: 'secret'; readonly key: () => Promise<webcrypto.CryptoKey> }
  | { readonly kind: 'key-set'; readonly key: JWTVerifyGetKey };

/** A JWKS fetch that timed out, failed on the network, or answered something that is not a key set. */
function keySetUnavailable(error: unknown, key: VerificationKey): boolean {
  if (key.kind === 'secret') return false;
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  return !(error instanceof errors.JOSEError);
}

/** How a verifier keeps time and what it remembers. */
interface VerifierMemory {
  readonly clock: () => number;
  readonly verifiedTokens: VerifiedTokenCache | undefined;
}

function makeVerifier(
  key: VerificationKey,
  algorithms: readonly string[],
  checks: TokenClaimChecks,
  memory: VerifierMemory,
): TokenVerifier {
  const { clock, verifiedTokens } = memory;
  /** The token's principal if it is inside its time window at `now`; 401 (and forgotten) otherwise. */
  const admit = (token: string, verified: VerifiedToken, now: number): Principal => {
    const problem = tokenTimeProblem(verified, now);
    if (problem === undefined) return verified.principal;
    verifiedTokens?.forget(token);
    throw new MpsdError('InvalidToken', problem);
  };
  return async (header) => {
    const { token } = parseAuthorizationHeader(header);
    const now = clock();
    // Keyed by the whole token: another string, even with the same claims, is verified on its own.
    const remembered = verifiedTokens?.get(token);
    if (remembered !== undefined) return admit(token, remembered, now);
    let payload: Record<string, unknown>;
    try {
      // `exp` is required: a token without one would be valid forever. jose checks `nbf` whenever it is present.
      const options = {
        algorithms: [...algorithms],
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(now),
        ...(checks.issuer === undefined ? {} : { issuer: checks.issuer }),
        ...(checks.audience === undefined ? {} : { audience: checks.audience }),
      };
      ({ payload } =
        key.kind === 'secret'
          ? await jwtVerify(token, await key.key(), options)
          : await jwtVerify(token, key.key, options));
    } catch (error) {
      if (keySetUnavailable(error, key)) {
        // The issuer's key set cannot be read: the token may well be good, so this is an outage (503), not a 401
        // that would make clients throw their tokens away.
        throw serviceUnavailable("The token issuer's key set cannot be read right now; retry later.", error);
      }
      throw new MpsdError('InvalidToken', describeJoseError(error, algorithms), { cause: error });
    }
    // jose has checked that `exp` is a number (required) and `nbf` one when present (RFC 7519 NumericDate).
    const verified = {
      principal: principalFromClaims(payload),
      exp: payload.exp as number,
      ...(payload.nbf === undefined ? {} : { nbf: payload.nbf as number }),
    };
    return admit(token, verifiedTokens?.remember(token, verified) ?? verified, now);
  };
}

/** A verifier for HS256 tokens signed with a shared secret (the key is imported once, on first use, per container). */
export function makeHmacTokenVerifier(options: HmacVerifierOptions): TokenVerifier {
  const secret = new TextEncoder().encode(options.secret);
  let imported: Promise<webcrypto.CryptoKey> | undefined;
  const key = () => {
    imported ??= webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    return imported;
  };
  return makeVerifier({ kind: 'secret', key }, ['HS256'], options, {
    clock: options.clock ?? Date.now,
    verifiedTokens: options.verifiedTokens,
  });
}

/**
 * A verifier for RS256/ES256 tokens whose public keys an issuer publishes as a JWKS. The key set is fetched on first
 * use and cached for the container's life (jose refetches only for an unknown key id, at most every 30 s).
 */
export function makeJwksTokenVerifier(options: JwksVerifierOptions): TokenVerifier {
  if (options.issuer === '' || options.audience === '') {
    throw new Error('A JWKS token verifier needs both an issuer and an audience to check.');
  }
  const keySet = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 2000, cooldownDuration: 30_000 });
  // No verified-token cache here: an issuer may withdraw a key from its set, and jose's key set forgets it when it
  // next reads the set, whereas a remembered token would stay accepted until it expires.
  return makeVerifier({ kind: 'key-set', key: keySet }, JWKS_ALGORITHMS, options, {
    clock: Date.now,
    verifiedTokens: undefined,
  });
}
