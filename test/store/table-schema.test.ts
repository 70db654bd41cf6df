import {
  CONNECTION_ITEM_ATTRIBUTES,
  CONNECTION_TABLE,
  DUE_INDEX,
  DUE_INDEX_SHARDS,
  dueShardOf,
  FINDER_ITEM_ATTRIBUTES,
  HANDLE_ITEM_ATTRIBUTES,
  HANDLE_KEY_PREFIXES,
  listShardName,
  listShardOf,
  NON_SESSION_KEY_PREFIXES,
  RATE_LIMIT_TABLE,
  SESSION_FINDER_INDEX,
  SESSION_ITEM_ATTRIBUTES,
  SESSION_LIST_INDEX,
  SESSION_LIST_SHARDS,
  SESSION_TABLE,
} from '../../lambda/store/table-schema';

// Everything else reads the schema from lambda/store/table-schema.ts; this is the one place its values are written
// out again, on purpose: a deployed sessions table is retained and its key cannot change in place, so a change here
// must be a deliberate migration, not a rename that slips through.
describe('the table schema', () => {
  it('keys sessions by the string pk and expires them by ttl, billed on demand, with both images on its stream and its sparse indexes', () => {
    expect(SESSION_TABLE).toEqual({
      partitionKey: { name: 'pk', type: 'S' },
      timeToLiveAttribute: 'ttl',
      billingMode: 'PAY_PER_REQUEST',
      stream: 'NEW_AND_OLD_IMAGES',
      indexes: [
        {
          name: 'activities-by-scid',
          partitionKey: { name: 'activityScid', type: 'S' },
          sortKey: { name: 'activityOwner', type: 'S' },
          projection: 'ALL',
        },
        DUE_INDEX,
        SESSION_LIST_INDEX,
        SESSION_FINDER_INDEX,
        {
          name: 'search-handles-by-template',
          partitionKey: { name: 'searchScope', type: 'S' },
          sortKey: { name: 'searchPosted', type: 'S' },
          projection: 'ALL',
        },
      ],
    });
  });

  it('finds sessions by xuid or keyword through a KEYS_ONLY index of finder items, under a prefix no session key has', () => {
    expect(SESSION_FINDER_INDEX).toEqual({
      name: 'sessions-by-xuid-or-keyword',
      partitionKey: { name: 'finder', type: 'S' },
      sortKey: { name: 'finderStart', type: 'S' },
      projection: 'KEYS_ONLY',
    });
    expect(FINDER_ITEM_ATTRIBUTES).toEqual({ key: 'pk', finder: 'finder', start: 'finderStart' });
    expect(NON_SESSION_KEY_PREFIXES).toEqual(['handle#', 'activity#', 'search#', 'find#']);
    for (const prefix of NON_SESSION_KEY_PREFIXES) expect(prefix).toMatch(/^[a-z]*[g-z][a-z]*#$/);
  });

  it('lists sessions by a KEYS_ONLY index partitioned by SCID and shard, sorted by start time', () => {
    expect(SESSION_LIST_INDEX).toEqual({
      name: 'sessions-by-scid',
      partitionKey: { name: 'listShard', type: 'S' },
      sortKey: { name: 'listStart', type: 'S' },
      projection: 'KEYS_ONLY',
    });
    expect(SESSION_ITEM_ATTRIBUTES.listShard).toBe(SESSION_LIST_INDEX.partitionKey.name);
    expect(SESSION_ITEM_ATTRIBUTES.listStart).toBe(SESSION_LIST_INDEX.sortKey.name);
    // A session's shard is named by its SCID (lower-cased) and is stable; a SCID's sessions spread over every shard.
    const scid = '00000000-0000-0000-0000-00006C6F6361';
    const keys = Array.from({ length: 400 }, (_, i) => `${scid.toLowerCase()}#lobby#session-${i}`);
    expect(keys.map(listShardOf)).toEqual(keys.map(listShardOf));
    expect(new Set(keys.map(listShardOf))).toEqual(
      new Set(Array.from({ length: SESSION_LIST_SHARDS }, (_, shard) => listShardName(scid, shard))),
    );
  });

  it('keeps handle keys apart from session keys, whose first part is a GUID', () => {
    // A session key begins with eight hex digits and a hyphen; a handle prefix has a non-hex letter before its '#'.
    for (const prefix of Object.values(HANDLE_KEY_PREFIXES)) {
      expect(prefix).toMatch(/^[a-z]*[g-z][a-z]*#$/);
    }
    expect(HANDLE_ITEM_ATTRIBUTES.key).toBe(SESSION_TABLE.partitionKey.name);
    expect(HANDLE_ITEM_ATTRIBUTES.ttl).toBe(SESSION_TABLE.timeToLiveAttribute);
    expect(HANDLE_KEY_PREFIXES.search).toBe('search#');
    expect([HANDLE_ITEM_ATTRIBUTES.searchScope, HANDLE_ITEM_ATTRIBUTES.searchPosted]).toEqual([
      'searchScope',
      'searchPosted',
    ]);
  });

  it('finds due items by a sparse index sharded by a hash of the key, projecting only keys', () => {
    expect(DUE_INDEX).toEqual({
      name: 'due',
      partitionKey: { name: 'dueShard', type: 'S' },
      sortKey: { name: 'dueAt', type: 'N' },
      projection: 'KEYS_ONLY',
    });
    expect(SESSION_ITEM_ATTRIBUTES.dueShard).toBe(DUE_INDEX.partitionKey.name);
    expect(SESSION_ITEM_ATTRIBUTES.dueAt).toBe(DUE_INDEX.sortKey.name);
    // Stable (a key never moves shard) and spread over every shard.
    const keys = Array.from({ length: 400 }, (_, i) => `scid#template#session-${i}`);
    expect(keys.map(dueShardOf)).toEqual(keys.map(dueShardOf));
    expect(new Set(keys.map(dueShardOf))).toEqual(
      new Set(Array.from({ length: DUE_INDEX_SHARDS }, (_, shard) => String(shard))),
    );
  });

  it('names the key and TTL attribute of a session item after the table', () => {
    expect(SESSION_ITEM_ATTRIBUTES.key).toBe(SESSION_TABLE.partitionKey.name);
    expect(SESSION_ITEM_ATTRIBUTES.ttl).toBe(SESSION_TABLE.timeToLiveAttribute);
    expect(new Set(Object.values(SESSION_ITEM_ATTRIBUTES)).size).toBe(Object.keys(SESSION_ITEM_ATTRIBUTES).length);
  });

  it('keys fair-use counters by the string pk and expires them by ttl, billed on demand', () => {
    expect(RATE_LIMIT_TABLE).toEqual({
      partitionKey: { name: 'pk', type: 'S' },
      timeToLiveAttribute: 'ttl',
      billingMode: 'PAY_PER_REQUEST',
    });
  });

  it('keys real-time activity connections by the string pk and expires them by ttl, billed on demand', () => {
    expect(CONNECTION_TABLE).toEqual({
      partitionKey: { name: 'pk', type: 'S' },
      timeToLiveAttribute: 'ttl',
      billingMode: 'PAY_PER_REQUEST',
      indexes: [DUE_INDEX],
    });
    expect(CONNECTION_ITEM_ATTRIBUTES.key).toBe(CONNECTION_TABLE.partitionKey.name);
    expect(CONNECTION_ITEM_ATTRIBUTES.ttl).toBe(CONNECTION_TABLE.timeToLiveAttribute);
    expect(new Set(Object.values(CONNECTION_ITEM_ATTRIBUTES)).size).toBe(
      Object.keys(CONNECTION_ITEM_ATTRIBUTES).length,
    );
  });
});
