import type { Handle } from '../domain/handles/handle';

/** How a replacement of a user's activity went: written, or another POST of the same user got there first. */
export type ActivityReplacement = 'written' | 'raced';

/**
 * Handles, as items found by key (spec/mpsd-family.md §3.1; README "Handles"): a handle by its id, a user's one
 * activity in a SCID by (scid, xuid), and the activities of a SCID by an index. Reads by key are strongly
 * consistent; the index is not (its results are checked against the sessions by the service anyway).
 */
export interface HandleStore {
  /** The handle with this id, expired or not (the service decides what is live). */
  get(id: string): Promise<Handle | undefined>;
  /** Stores a new invite or transfer handle. */
  put(handle: Handle): Promise<void>;
  /** The user's current activity in a SCID, if any. */
  currentActivity(scid: string, xuid: string): Promise<Handle | undefined>;
  /**
   * Makes `handle` the user's one activity in its SCID, atomically deleting `previous` (the current one as read, or
   * undefined when there was none): `raced` when the current one is no longer `previous`.
   */
  replaceActivity(handle: Handle, previous: Handle | undefined): Promise<ActivityReplacement>;
  /** The session's current search handle, if any (`sessionKey` as sessionKey() makes it). */
  currentSearch(sessionKey: string): Promise<Handle | undefined>;
  /**
   * Makes `handle` its session's one search handle, atomically deleting `previous` (the current one as read, or
   * undefined when there was none): `raced` when the current one is no longer `previous`.
   */
  replaceSearch(handle: Handle, previous: Handle | undefined): Promise<ActivityReplacement>;
  /**
   * The current search handles of a session template (scid and template lower-cased), oldest first, at most `limit`
   * (by the index: Queries, never a Scan; eventually consistent).
   */
  searchesIn(scid: string, templateName: string, limit: number): Promise<Handle[]>;
  /** Deletes the handle (and, for an activity or a search handle, the pointer to it). */
  delete(handle: Handle): Promise<void>;
  /** The current activities of these users in a SCID. */
  activitiesOf(scid: string, xuids: readonly string[]): Promise<Handle[]>;
  /** The current activities in a SCID, at most `limit` (by the index: a Query, never a Scan). */
  activitiesIn(scid: string, limit: number): Promise<Handle[]>;
}
