import { LRUCache } from 'lru-cache';
import type { Principal } from '../domain/principal';
import type { TokenTimes } from './token-times';

/** What verifying a token established: who it names, and the time window it is valid in. */
export interface VerifiedToken extends TokenTimes {
  readonly principal: Principal;
}

/**
 * Tokens a container remembers as verified (issue 12): a game sends the same token with every request for as long as
 * it lives (an hour or a day), and its signature check (jose, HS256 through WebCrypto's thread pool) was the largest
 * fixed cost of a request after the store calls. Enough for every player a container serves at a time.
 */
export const VERIFIED_TOKENS_PER_CONTAINER = 4096;

/**
 * Characters of token text the cache may hold, whatever the tokens' length: a header may be up to 8 KB
 * (MAX_AUTHORIZATION_CHARS), ours are about 400 characters, so this bounds the memory to a few MB at worst.
 */
export const VERIFIED_TOKEN_CHARS_PER_CONTAINER = 4 * 1024 * 1024;

/**
 * A bounded map from the whole token string to its verification; the least recently used token goes first. Only
 * the verifier puts a token here, and only after its signature and every claim passed: the same string verified
 * with the same key always gives the same answer, except for its time claims, which the verifier checks on every
 * request (token-times.ts). Entries are frozen, since every request of the token shares them.
 */
export interface VerifiedTokenCache {
  /** The token's verification, when it is remembered. */
  get(token: string): VerifiedToken | undefined;
  /** Remembers a verified token; answers the (frozen) entry every later request of it will share. */
  remember(token: string, verified: VerifiedToken): VerifiedToken;
  /** Drops a token (one that has expired can never be valid again). */
  forget(token: string): void;
  /** Tokens remembered now. */
  readonly size: number;
}

/** A cache of at most `maxTokens` tokens and `maxChars` characters of token text (lru-cache evicts beyond either). */
export function makeVerifiedTokenCache(
  maxTokens = VERIFIED_TOKENS_PER_CONTAINER,
  maxChars = VERIFIED_TOKEN_CHARS_PER_CONTAINER,
): VerifiedTokenCache {
  const tokens = new LRUCache<string, VerifiedToken>({
    max: maxTokens,
    maxSize: maxChars,
    sizeCalculation: (_verified, token) => Math.max(1, token.length),
  });
  return {
    get: (token) => tokens.get(token),
    remember: (token, verified) => {
      const entry = Object.freeze({ ...verified, principal: Object.freeze({ ...verified.principal }) });
      tokens.set(token, entry);
      return entry;
    },
    forget: (token) => {
      tokens.delete(token);
    },
    get size() {
      return tokens.size;
    },
  };
}
