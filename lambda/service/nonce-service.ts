import { createHash } from 'node:crypto';
import { MpsdError, serviceUnavailable } from '../domain/errors';
import type { NonceStore } from '../store/nonce-store';
import { StoreUnavailableError } from '../store/versioned-store';

// The one home of the nonce rules (family spec §6.1 and §7 item 20): xbox-rta (bedrock-portal) asks
// `GET /nonce` with its token, then opens the socket with `?nonce=<value>` and no Authorization header. A nonce is
// opaque and URL-safe, opens one socket only, within 60 s, as the user it was issued to; anything else is a 401.

/** How long a nonce opens a socket after it was issued (undocumented; the spec's suggested 60 s). */
export const NONCE_LIFETIME_MS = 60_000;

/** How long a nonce item stays after it expired before DynamoDB's TTL may remove it (it is refused either way). */
const NONCE_TTL_SLACK_SECONDS = 60 * 60;

/** What the nonce rules are built from. */
export interface NonceServiceDeps {
  readonly store: NonceStore;
  /** Epoch ms. */
  readonly clock: () => number;
  /** A new unguessable URL-safe value (128 random bits, base64url: 22 characters, like the spec's example). */
  readonly newNonce: () => string;
}

/** Issues and redeems nonces. */
export interface NonceService {
  /** A new nonce for `owner` (a xuid, or `server`), stored before it is answered. */
  issue(owner: string): Promise<string>;
  /** The owner of the nonce, which is used up by this call; 401 InvalidNonce when it is unknown, used or expired. */
  redeem(nonce: string): Promise<string>;
}

/** The key a nonce is stored under: its SHA-256 in hex, so the table never holds a usable nonce. */
function keyOf(nonce: string): string {
  return createHash('sha256').update(nonce, 'utf8').digest('hex');
}

/** A store fault a later attempt may not meet is a 503 with Retry-After; nothing was half done (one item, one call). */
async function orUnavailable<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof StoreUnavailableError) {
      throw serviceUnavailable('The real-time activity nonces are unavailable for now; try again shortly.', error);
    }
    throw error;
  }
}

/** The nonce rules over a store. */
export function makeNonceService(deps: NonceServiceDeps): NonceService {
  return {
    async issue(owner) {
      const nonce = deps.newNonce();
      const expiresAt = deps.clock() + NONCE_LIFETIME_MS;
      await orUnavailable(() =>
        deps.store.put({
          key: keyOf(nonce),
          owner,
          expiresAt,
          ttl: Math.ceil(expiresAt / 1000) + NONCE_TTL_SLACK_SECONDS,
        }),
      );
      return nonce;
    },
    async redeem(nonce) {
      const owner = nonce === '' ? undefined : await orUnavailable(() => deps.store.take(keyOf(nonce), deps.clock()));
      if (owner === undefined) {
        throw new MpsdError(
          'InvalidNonce',
          `The nonce is unknown, already used or expired: a nonce from GET /nonce opens one socket, within ${NONCE_LIFETIME_MS / 1000} s of being issued. Ask for a new one, or connect with an Authorization header.`,
        );
      }
      return owner;
    },
  };
}
