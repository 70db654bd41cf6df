// Plain data, importing nothing: the CDK app (lib/), the local table creation (local/) and the DynamoDB adapters
// (lambda/store/) all read the tables' shape from here, so they cannot disagree (DESIGN.md, "Layout").

/** A DynamoDB key attribute: its name and scalar type (`S` string, `N` number, `B` binary). */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

/** What the CDK stack and the local server both create: key, billing, the TTL attribute and the indexes. */
export interface TableSchema {
  readonly partitionKey: KeyAttribute;
  /** Numeric attribute (epoch seconds) DynamoDB's TTL deletes items by. */
  readonly timeToLiveAttribute: string;
  readonly billingMode: 'PAY_PER_REQUEST';
  /** The table's change stream, when it has one: what each stream record carries. */
  readonly stream?: 'NEW_AND_OLD_IMAGES';
  /**
   * Global secondary indexes, all sparse: only items carrying an index's key attributes appear in it (queries are a
   * Query on a key or an index, never a Scan: DESIGN.md).
   */
  readonly indexes?: readonly SecondaryIndex[];
}

/** A global secondary index: a partition key, a sort key and what it projects (only the keys, or every attribute). */
export interface SecondaryIndex {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly projection: 'KEYS_ONLY' | 'ALL';
}

/**
 * The activities by SCID (sessions table): an activity handle's pointer item (`activity#<scid>#<xuid>`) carries its
 * keys. It answers "every activity in a SCID" (`owners.people`, README "Handles").
 */
export const ACTIVITY_INDEX_SCHEMA = {
  name: 'activities-by-scid',
  partitionKey: { name: 'activityScid', type: 'S' },
  sortKey: { name: 'activityOwner', type: 'S' },
  projection: 'ALL',
} as const satisfies SecondaryIndex;

/**
 * The search handles of a session template (family spec §4; README "Handles"): a session's search pointer item
 * (`search#<session key>`, one per session: a second search handle replaces the first) carries `searchScope` =
 * `<scid>#<template>` (lower-cased) and `searchPosted` = the handle's createTime. Projection ALL, so a search reads
 * every handle's attributes from the index alone; the sessions are read (strongly consistent) only to confirm and
 * describe the matches. Kept in the handle's own write (the pointer is the item), so the index lags a POST or a
 * DELETE by DynamoDB's global-index delay only.
 */
export const SEARCH_INDEX_SCHEMA = {
  name: 'search-handles-by-template',
  partitionKey: { name: 'searchScope', type: 'S' },
  sortKey: { name: 'searchPosted', type: 'S' },
  projection: 'ALL',
} as const satisfies SecondaryIndex;

/**
 * The due-time index (sessions and connections tables): sparse, so an item is in it only while it has something
 * due (a session's next timer, a closed ConnectionId's disconnect check). The sweeper Queries each shard for items due
 * at or before now. Sharded by a hash of the item key rather than bucketed by time: nothing overdue can fall behind
 * a bucket the sweeper no longer reads, and no shard is hot when many timers fall due together.
 */
export const DUE_INDEX = {
  name: 'due',
  partitionKey: { name: 'dueShard', type: 'S' },
  sortKey: { name: 'dueAt', type: 'N' },
  projection: 'KEYS_ONLY',
} as const satisfies SecondaryIndex;

/** How many shards the due-time index has: one Query each per sweep. */
export const DUE_INDEX_SHARDS = 4;

/** The shard of an item key among `shards`: a stable hash (FNV-1a) of the key, modulo the shard count. */
export function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % shards;
}

/** The due-time index shard of an item key. */
export function dueShardOf(key: string): string {
  return String(shardOf(key, DUE_INDEX_SHARDS));
}

/**
 * The sessions of a SCID, newest first (the QA listing, README "Finding sessions"): every live session item carries
 * `listShard` = `<scid>#<shard>` and `listStart` = its `startTime` (ISO 8601, fixed width, so text order is time
 * order); a tombstone carries neither, so a deleted session leaves the index. KEYS_ONLY, and its keys change only
 * when a session is created, re-created or deleted: DynamoDB writes a global index only when an item's index keys or
 * projected attributes change, so an ordinary PUT (a join, a property) costs the index nothing, and the index's write
 * rate per SCID is the rate sessions are created and deleted, not the rate they are written.
 * Sharded by a hash of the session key (SESSION_LIST_SHARDS partitions per SCID), so a load run creating sessions in
 * one SCID spreads its index writes over several partitions (one index partition takes about 1,000 writes/s, and a
 * throttled index throttles the table's writes); the listing reads every shard and merges them.
 */
export const SESSION_LIST_INDEX = {
  name: 'sessions-by-scid',
  partitionKey: { name: 'listShard', type: 'S' },
  sortKey: { name: 'listStart', type: 'S' },
  projection: 'KEYS_ONLY',
} as const satisfies SecondaryIndex;

/** How many partitions of the listing index one SCID's sessions are spread over: one Query each per page. */
export const SESSION_LIST_SHARDS = 4;

/** The listing index partition of a session key (`<scid>#<template>#<name>`): `<scid>#<shard>`. */
export function listShardOf(sessionKey: string): string {
  const scid = sessionKey.slice(0, sessionKey.indexOf('#'));
  return listShardName(scid, shardOf(sessionKey, SESSION_LIST_SHARDS));
}

/**
 * The sessions of a user or of a keyword in a SCID (session queries by `xuid` and `keyword`, family spec §5.2): one
 * finder item per (session, member xuid) and per (session, lower-cased keyword), key `find#<session key>#<term>`, with
 * `finder` = `<scid>#<term>` and `finderStart` = the session's startTime. Kept from the sessions stream, never in the
 * session's own write (the PUT stays one read and one conditional write): stale by the stream's delay. KEYS_ONLY:
 * the query reads each candidate session itself (strongly consistent) and decides on it.
 */
export const SESSION_FINDER_INDEX = {
  name: 'sessions-by-xuid-or-keyword',
  partitionKey: { name: 'finder', type: 'S' },
  sortKey: { name: 'finderStart', type: 'S' },
  projection: 'KEYS_ONLY',
} as const satisfies SecondaryIndex;

/** Key prefix of finder items in the sessions table (no session key starts with it: a session key starts with a GUID). */
export const FINDER_KEY_PREFIX = 'find#';

/** Attribute names of finder items (besides the table's key). */
export const FINDER_ITEM_ATTRIBUTES = {
  key: 'pk',
  finder: SESSION_FINDER_INDEX.partitionKey.name,
  start: SESSION_FINDER_INDEX.sortKey.name,
} as const;

/** The listing index partition of one shard of a SCID (lower-cased, as in session keys). */
export function listShardName(scid: string, shard: number): string {
  return `${scid.toLowerCase()}#${shard}`;
}

/**
 * Shards of the connections table's due-time index that hold open sockets by when their next keepalive (or owed
 * resync) is due: apart from the disconnect checks' shards, so neither kind of work ever crowds out the other.
 */
export const KEEPALIVE_SHARD_PREFIX = 'keepalive#';

/**
 * The sessions table: one item per session, partition key `<scid>#<template>#<name>` (DESIGN.md, "Decisions").
 * TTL is only garbage collection; reads treat an expired item as absent, because deletion lags by up to days.
 * A deployed table is retained and its key cannot change in place: renaming `pk` means a new table.
 */
export const SESSION_TABLE = {
  partitionKey: { name: 'pk', type: 'S' },
  timeToLiveAttribute: 'ttl',
  billingMode: 'PAY_PER_REQUEST',
  // Every committed change is read back from the stream by the tap function (family spec §6.8), which diffs the old
  // and new documents into change types: both images are needed.
  stream: 'NEW_AND_OLD_IMAGES',
  // Handles live in this table under their own key prefixes (HANDLE_KEY_PREFIXES); the activity index is sparse:
  // only an activity's pointer item carries its keys, so sessions and other handles cost it nothing. The due-time
  // index holds the sessions with a pending timer, by when it is due (the sweeper, README "Timers that fire on their
  // own"). The listing index holds every live session by SCID and start time (the QA listing). The search index holds
  // each session's current search handle by template (search pointer items only).
  indexes: [ACTIVITY_INDEX_SCHEMA, DUE_INDEX, SESSION_LIST_INDEX, SESSION_FINDER_INDEX, SEARCH_INDEX_SCHEMA],
} as const satisfies TableSchema;

/**
 * Key prefixes of handle items in the sessions table; a session key starts with a GUID SCID, so none collides:
 * `handle#<id>` holds a handle, `activity#<scid>#<xuid>` points at a user's one activity in a SCID,
 * `search#<session key>` at a session's one search handle.
 */
export const HANDLE_KEY_PREFIXES = { handle: 'handle#', activity: 'activity#', search: 'search#' } as const;

/** Key prefixes of every item in the sessions table that is not a session (the stream's readers skip them). */
export const NON_SESSION_KEY_PREFIXES: readonly string[] = [...Object.values(HANDLE_KEY_PREFIXES), FINDER_KEY_PREFIX];

/** Attribute names of handle items (besides the table's key and TTL attribute). */
export const HANDLE_ITEM_ATTRIBUTES = {
  key: SESSION_TABLE.partitionKey.name,
  ttl: SESSION_TABLE.timeToLiveAttribute,
  handle: 'handle',
  handleId: 'handleId',
  activityScid: ACTIVITY_INDEX_SCHEMA.partitionKey.name,
  activityOwner: ACTIVITY_INDEX_SCHEMA.sortKey.name,
  searchScope: SEARCH_INDEX_SCHEMA.partitionKey.name,
  searchPosted: SEARCH_INDEX_SCHEMA.sortKey.name,
} as const;

/** The index of activities by SCID. */
export const ACTIVITY_INDEX = ACTIVITY_INDEX_SCHEMA.name;

/** The index of search handles by SCID and template. */
export const SEARCH_INDEX = SEARCH_INDEX_SCHEMA.name;

/** Attribute names of a session item (the item codec writes them; conditions name them through placeholders). */
export const SESSION_ITEM_ATTRIBUTES = {
  key: SESSION_TABLE.partitionKey.name,
  version: 'version',
  ttl: SESSION_TABLE.timeToLiveAttribute,
  document: 'doc',
  encoding: 'enc',
  deleted: 'deleted',
  correlationId: 'correlationId',
  /** A tombstone's change number: the one its deletion took (a re-creation continues after it). */
  changeNumber: 'changeNumber',
  recentWriteIds: 'writes',
  /** The due-time index shard (DUE_INDEX), present exactly when `dueAt` is. */
  dueShard: DUE_INDEX.partitionKey.name,
  /** Epoch ms of the session's next timer (nextTimerAt); absent when none is pending. */
  dueAt: DUE_INDEX.sortKey.name,
  /** The listing index partition (SESSION_LIST_INDEX), present exactly on a live session's item. */
  listShard: SESSION_LIST_INDEX.partitionKey.name,
  /** The session's startTime, the listing index's sort key. */
  listStart: SESSION_LIST_INDEX.sortKey.name,
  /** Epoch ms of the write that made this version (the QA listing's lastChange); absent on older items. */
  writtenAt: 'writtenAt',
} as const;

/**
 * The fair-use counters table (spec §1.6): partition key `<xuid>#<title>#<period>s#<windowStart>`, one item per
 * counter and window; a counter is garbage once its window has closed.
 */
export const RATE_LIMIT_TABLE = {
  partitionKey: { name: 'pk', type: 'S' },
  timeToLiveAttribute: 'ttl',
  billingMode: 'PAY_PER_REQUEST',
} as const satisfies TableSchema;

/**
 * The real-time activity connections table (family spec §6.5; README, "Real-time activity"): two kinds of item, both
 * garbage once their TTL passes.
 * - `socket#<socket id>`: one per open WebSocket (the API Gateway connection id): its user, its subscriptions by id,
 *   the next subscription id, the MPSD ConnectionId once one was issued on it, and when its next keepalive is due.
 * - `connection#<ConnectionId>`: one per MPSD ConnectionId: the socket it is bound to (absent once that socket
 *   closed), the user it was issued to, and the ids of the socket's subscriptions to the connections resource.
 * - `nonce#<SHA-256 of the nonce>`: one per nonce `GET /nonce` issued (§6.1), until it is used or expires: the user
 *   it was issued to and when it expires. Keyed by a hash, so the table never holds a usable nonce.
 * A table of its own rather than items in the sessions table, so connection writes never reach the sessions stream
 * (and the tap function), and each function is granted only the table it uses.
 */
export const CONNECTION_TABLE = {
  partitionKey: { name: 'pk', type: 'S' },
  timeToLiveAttribute: 'ttl',
  billingMode: 'PAY_PER_REQUEST',
  // Closed ConnectionIds whose disconnect check is pending, by when it is due (family spec §6.9); open sockets by when
  // their next keepalive is due, under shards of their own (KEEPALIVE_SHARD_PREFIX).
  indexes: [DUE_INDEX],
} as const satisfies TableSchema;

/** Attribute names of the connections table's items (see CONNECTION_TABLE). */
export const CONNECTION_ITEM_ATTRIBUTES = {
  key: CONNECTION_TABLE.partitionKey.name,
  ttl: CONNECTION_TABLE.timeToLiveAttribute,
  /** Both kinds: the xuid of the token the socket was opened with (`server` for a server token). */
  owner: 'owner',
  /** socket item: epoch ms the socket was opened. */
  openedAt: 'openedAt',
  /** socket item: the next subscription id to hand out (a counter; ids start at 0). */
  nextSubscriptionId: 'nextSub',
  /** socket item: subscription id (as a string) -> resource URI. */
  subscriptions: 'subs',
  /** socket item: the MPSD ConnectionId issued on this socket. */
  connectionId: 'cid',
  /** connection item: the socket id it is bound to; absent once that socket closed. */
  socket: 'socket',
  /** connection item: ids (number set) of the socket's live subscriptions to the connections resource. */
  connectionSubscriptions: 'mpsdSubs',
  /** connection item: keys (string set) of the sessions a member wrote this ConnectionId into (the tap function). */
  sessions: 'sessions',
  /** connection item: epoch ms its socket closed or its last connections subscription went; absent while live. */
  closedAt: 'closedAt',
  /**
   * connection item: the due-time index shard, present exactly while a disconnect check is pending; socket item: its
   * keepalive shard (KEEPALIVE_SHARD_PREFIX), present while the socket is open.
   */
  dueShard: DUE_INDEX.partitionKey.name,
  /**
   * connection item: epoch ms the disconnect check is due (closedAt + 30 s); socket item: epoch ms its next keepalive
   * (or an owed resync) is due.
   */
  dueAt: DUE_INDEX.sortKey.name,
  /** socket item: a delivery to it failed (a known loss): `[4]` is owed at its next keepalive (family spec §6.10). */
  resyncOwed: 'resyncOwed',
  /** socket item: epoch ms the last `[4]` was sent to it (at most one per 5 minutes). */
  resyncSentAt: 'resyncAt',
  /** nonce item: epoch ms after which it no longer opens a socket (TTL deletion lags, so it is checked on use). */
  nonceExpiresAt: 'expiresAt',
} as const;

/** Key prefix of the nonce items in the connections table (see CONNECTION_TABLE). */
export const NONCE_KEY_PREFIX = 'nonce#';
