// Plain data, importing nothing: the CDK app (lib/), the local table creation (local/) and the DynamoDB adapters
// (lambda/store/) all read the tables' shape from here, so they cannot disagree (DESIGN.md, "Layout").

/** A DynamoDB key attribute: its name and scalar type (`S` string, `N` number, `B` binary). */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

/** A global secondary index: its name, keys and the attributes it projects (all of them). */
export interface GlobalSecondaryIndex {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

/** What the CDK stack and the local server both create: key, billing, the TTL attribute and the indexes. */
export interface TableSchema {
  readonly partitionKey: KeyAttribute;
  /** Sparse indexes: only items carrying the index's key attributes appear in them. */
  readonly globalSecondaryIndexes?: readonly GlobalSecondaryIndex[];
  /** Numeric attribute (epoch seconds) DynamoDB's TTL deletes items by. */
  readonly timeToLiveAttribute: string;
  readonly billingMode: 'PAY_PER_REQUEST';
}

/**
 * The sessions table: one item per session, partition key `<scid>#<template>#<name>` (DESIGN.md, "Decisions").
 * TTL is only garbage collection; reads treat an expired item as absent, because deletion lags by up to days.
 * A deployed table is retained and its key cannot change in place: renaming `pk` means a new table.
 */
export const SESSION_TABLE = {
  partitionKey: { name: 'pk', type: 'S' },
  timeToLiveAttribute: 'ttl',
  billingMode: 'PAY_PER_REQUEST',
  // Handles live in this table under their own key prefixes (HANDLE_KEY_PREFIXES). The one index is sparse: only
  // an activity's pointer item (`activity#<scid>#<xuid>`) carries its keys, so sessions and other handles cost it
  // nothing. It answers "every activity in a SCID" (`owners.people`, README "Handles").
  globalSecondaryIndexes: [
    {
      indexName: 'activities-by-scid',
      partitionKey: { name: 'activityScid', type: 'S' },
      sortKey: { name: 'activityOwner', type: 'S' },
    },
  ],
} as const satisfies TableSchema;

/**
 * Key prefixes of handle items in the sessions table; a session key starts with a GUID SCID, so none collides:
 * `handle#<id>` holds a handle, `activity#<scid>#<xuid>` points at a user's one activity in a SCID.
 */
export const HANDLE_KEY_PREFIXES = { handle: 'handle#', activity: 'activity#' } as const;

/** Attribute names of handle items (besides the table's key and TTL attribute). */
export const HANDLE_ITEM_ATTRIBUTES = {
  key: SESSION_TABLE.partitionKey.name,
  ttl: SESSION_TABLE.timeToLiveAttribute,
  handle: 'handle',
  handleId: 'handleId',
  activityScid: SESSION_TABLE.globalSecondaryIndexes[0].partitionKey.name,
  activityOwner: SESSION_TABLE.globalSecondaryIndexes[0].sortKey.name,
} as const;

/** The index of activities by SCID. */
export const ACTIVITY_INDEX = SESSION_TABLE.globalSecondaryIndexes[0].indexName;

/** Attribute names of a session item (the item codec writes them; conditions name them through placeholders). */
export const SESSION_ITEM_ATTRIBUTES = {
  key: SESSION_TABLE.partitionKey.name,
  version: 'version',
  ttl: SESSION_TABLE.timeToLiveAttribute,
  document: 'doc',
  encoding: 'enc',
  deleted: 'deleted',
  correlationId: 'correlationId',
  recentWriteIds: 'writes',
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
