import type { StoredRecord } from './session-store';

/** Which page of a SCID's sessions to list, newest first (the QA listing, README "Finding sessions"). */
export interface ListingRequest {
  readonly scid: string;
  /** Only this template's sessions (any letter case); every template's when absent. */
  readonly templateName?: string;
  /** At most this many session keys (1-100). */
  readonly take: number;
  /** Where the previous page ended, as that page's `continuationToken` said; the first page when absent. */
  readonly continuationToken?: string;
}

/** One page: session keys newest first, and a token for the next page while more may remain. */
export type ListingPage =
  | { readonly kind: 'page'; readonly keys: readonly string[]; readonly continuationToken?: string }
  /** The token is not one this listing handed out for this SCID and template: why, for the 400. */
  | { readonly kind: 'invalid-token'; readonly reason: string };

/**
 * The sessions of a SCID by an index (a Query, never a Scan), and their items read by key. The index is eventually
 * consistent: a session created a moment ago may be missing from it and a deleted one still in it, so the reader
 * checks every listed key against its item.
 */
export interface SessionListing {
  newestFirst(request: ListingRequest): Promise<ListingPage>;
  /** The items of these keys (at most 100) that exist, by key. Eventually consistent. */
  readMany(keys: readonly string[]): Promise<ReadonlyMap<string, StoredRecord>>;
}
