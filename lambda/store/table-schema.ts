// Plain data, importing nothing: the CDK app (lib/), the local table creation (local/) and the DynamoDB adapters
// (lambda/store/) all read the tables' shape from here, so they cannot disagree (DESIGN.md, "Layout").

/** A DynamoDB key attribute: its name and scalar type (`S` string, `N` number, `B` binary). */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

/** What the CDK stack and the local server both create: key, billing and the TTL attribute. */
export interface TableSchema {
  readonly partitionKey: KeyAttribute;
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
} as const satisfies TableSchema;

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
