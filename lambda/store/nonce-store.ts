// The port of the real-time activity nonces (family spec §6.1): `GET /nonce` stores one, the `$connect` of a socket
// opened with `?nonce=` takes it. The DynamoDB adapter is dynamodb-nonce-store.ts; its items live in the connections
// table (CONNECTION_TABLE, `nonce#<hash>`).

/** A nonce as it is stored: under a key derived from it (never the nonce itself), for one user, until it expires. */
export interface StoredNonce {
  /** What the nonce is stored under: a one-way hash of it, so a read of the table yields no usable nonce. */
  readonly key: string;
  /** The xuid of the token it was issued for; `server` for a server token (as a socket's owner). */
  readonly owner: string;
  /** Epoch ms after which it opens no socket. */
  readonly expiresAt: number;
  /** Epoch seconds after which the item is garbage (DynamoDB TTL). */
  readonly ttl: number;
}

export interface NonceStore {
  /** Stores a new nonce. */
  put(nonce: StoredNonce): Promise<void>;
  /**
   * Takes the nonce stored under `key` if it has not expired at `now`: deletes it and answers its owner, in one
   * conditional delete, so two upgrades racing with one nonce cannot both succeed. Undefined when it is unknown,
   * already taken or expired.
   */
  take(key: string, now: number): Promise<string | undefined>;
}
