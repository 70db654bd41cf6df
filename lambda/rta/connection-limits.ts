// The real-time activity connection's timing rules (family spec §6.4, §6.10), in one place: pure, imports nothing.

/**
 * A connection lives 2 hours (§6.4): API Gateway ends WebSocket connections then by itself; the local endpoint drops
 * the TCP connection at that age (clients see 1006 and reconnect), and never closes a healthy one earlier.
 */
export const CONNECTION_LIFETIME_MS = 2 * 60 * 60_000;

/**
 * Every open socket gets server traffic at least this often: half API Gateway's 10-minute idle timeout, leaving room
 * for the sweep that sends it (every 10 s, a minute at worst when an invocation is missed).
 */
export const KEEPALIVE_INTERVAL_MS = 5 * 60_000;

/** At most one `[4]` per socket in this time (§6.10). */
export const RESYNC_MIN_INTERVAL_MS = 5 * 60_000;

/**
 * Sessions a title may subscribe to per connection (§6.4, the docs' FAQ). Counted, and logged when exceeded; never
 * enforced: the refusal is undocumented and no known client comes near it (§7 item 23).
 */
export const MAX_SESSIONS_PER_CONNECTION = 10;
