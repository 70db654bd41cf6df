import {
  CONNECTION_ITEM_ATTRIBUTES,
  CONNECTION_TABLE,
  HANDLE_ITEM_ATTRIBUTES,
  HANDLE_KEY_PREFIXES,
  RATE_LIMIT_TABLE,
  SESSION_ITEM_ATTRIBUTES,
  SESSION_TABLE,
} from '../../lambda/store/table-schema';

// Everything else reads the schema from lambda/store/table-schema.ts; this is the one place its values are written
// out again, on purpose: a deployed sessions table is retained and its key cannot change in place, so a change here
// must be a deliberate migration, not a rename that slips through.
describe('the table schema', () => {
  it('keys sessions by the string pk and expires them by ttl, billed on demand, with both images on its stream and the sparse activity index', () => {
    expect(SESSION_TABLE).toEqual({
      partitionKey: { name: 'pk', type: 'S' },
      timeToLiveAttribute: 'ttl',
      billingMode: 'PAY_PER_REQUEST',
      stream: 'NEW_AND_OLD_IMAGES',
      globalSecondaryIndexes: [
        {
          indexName: 'activities-by-scid',
          partitionKey: { name: 'activityScid', type: 'S' },
          sortKey: { name: 'activityOwner', type: 'S' },
        },
      ],
    });
  });

  it('keeps handle keys apart from session keys, whose first part is a GUID', () => {
    // A session key begins with eight hex digits and a hyphen; a handle prefix has a non-hex letter before its '#'.
    for (const prefix of Object.values(HANDLE_KEY_PREFIXES)) {
      expect(prefix).toMatch(/^[a-z]*[g-z][a-z]*#$/);
    }
    expect(HANDLE_ITEM_ATTRIBUTES.key).toBe(SESSION_TABLE.partitionKey.name);
    expect(HANDLE_ITEM_ATTRIBUTES.ttl).toBe(SESSION_TABLE.timeToLiveAttribute);
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
    });
    expect(CONNECTION_ITEM_ATTRIBUTES.key).toBe(CONNECTION_TABLE.partitionKey.name);
    expect(CONNECTION_ITEM_ATTRIBUTES.ttl).toBe(CONNECTION_TABLE.timeToLiveAttribute);
    expect(new Set(Object.values(CONNECTION_ITEM_ATTRIBUTES)).size).toBe(
      Object.keys(CONNECTION_ITEM_ATTRIBUTES).length,
    );
  });
});
