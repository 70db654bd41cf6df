// The port of the due-time index (DUE_INDEX in table-schema.ts): which items have something due. The sweeper reads
// the sessions whose next timer is due through it; the DynamoDB adapter is dynamodb-due-index.ts.

/** Finds items whose due time has come, by a Query per shard of the index (never a Scan). */
export interface DueIndex {
  /**
   * Keys of items due at or before `now` (epoch ms), earliest first within each shard, at most `limit` in all. The
   * index is eventually consistent: an item just written may be missing (the next sweep finds it), and an item whose
   * timer was just committed by another write may still be listed (its write decides there is nothing due).
   */
  findDueKeys(now: number, limit: number): Promise<readonly string[]>;
}
