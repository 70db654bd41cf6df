import { MpsdError } from '../domain/errors';
import {
  assertMayCreate,
  assertMayDelete,
  grantsAccess,
  type Handle,
  type HandleRequest,
  isHandleId,
  isHandleLive,
  MAX_QUERY_RESULTS,
  newHandle,
  parseHandleRequest,
  renderHandle,
  sameSession,
} from '../domain/handles/handle';
import {
  type ActivityQuery,
  parseActivityQuery,
  type QueryInclude,
  relatedBlocks,
} from '../domain/handles/handle-query';
import { compareForOrder, matchesSearchFilter, type SearchView } from '../domain/handles/search-filter';
import {
  MAX_SEARCH_RESULTS,
  parseSearchQuery,
  searchRelatedBlocks,
  searchViewOf,
} from '../domain/handles/search-query';
import { isJsonObject, type JsonObject, type JsonValue } from '../domain/json';
import { type AccessGrant, assertCanRead } from '../domain/permissions';
import type { Principal } from '../domain/principal';
import { viewAt } from '../domain/session/live-view';
import { hasOwners, isOwner } from '../domain/session/ownership';
import type { SearchHandleAnswer, SearchHandleChange } from '../domain/session/search-handle-field';
import type { SessionDocument } from '../domain/session-document';
import { type SessionReference, sessionKey } from '../domain/session-reference';
import { resolveTemplate, type TemplateCatalogue } from '../domain/templates';
import type { HandleStore } from '../store/handle-store';
import type { SessionListing } from '../store/session-listing';
import type { SessionStore } from '../store/session-store';

// Handles over the store (spec/mpsd-family.md §3): creation, reads and deletes by id, activity queries. Liveness
// is decided at read time against the session as it is now (README "Handles"): an activity counts only while its
// owner is an active member of its existing session, so a session PUT never touches a handle, and the very next
// read after a member leaves or a session ends no longer sees the activity.

/** What the handle service is built from; wired once per container. */
export interface HandleServiceDeps {
  readonly handles: HandleStore;
  readonly sessions: SessionStore;
  readonly templates: TemplateCatalogue;
  /** Epoch ms. */
  readonly clock: () => number;
  readonly newGuid: () => string;
  /**
   * Writes the session's `searchHandle` through the session's conditional write (SessionService): the commit point
   * of a search handle's POST and DELETE.
   */
  readonly changeSearchHandle: (ref: SessionReference, change: SearchHandleChange) => Promise<SearchHandleAnswer>;
  /** Sessions read many at a time (BatchGetItem): what a search confirms its matches with. */
  readonly sessionsByKey?: Pick<SessionListing, 'readMany'>;
}

/** A created (201) or re-posted identical activity (200) handle, rendered. */
export interface HandleCreated {
  readonly status: 200 | 201;
  readonly handle: JsonObject;
}

/** How many times a user's own concurrent activity POSTs are reconciled before answering 503. */
const ACTIVITY_ATTEMPTS = 3;
/** The index query reads at most this many activities of a SCID (then the live ones are kept, at most 100). */
const PEOPLE_SCAN_LIMIT = 200;
/**
 * A search reads at most this many search handles of a template from the index (README "Handles": what a search
 * costs). Far above what a browse screen needs, and it bounds one query's read units.
 */
export const MAX_SEARCH_CANDIDATES = 10_000;
/** Sessions are read in batches of this many (BatchGetItem's limit). */
const SESSION_BATCH = 100;

const FULL_GRANT: AccessGrant = { waivesRestrictions: true };

function notFound(id: string): MpsdError {
  return new MpsdError('HandleNotFound', `No handle ${id} exists: it was never created, was deleted or has expired.`);
}

export class HandleService {
  constructor(private readonly deps: HandleServiceDeps) {}

  /** The session a reference names, as it is now (timers applied), or undefined when it does not exist. */
  private async sessionNow(ref: SessionReference): Promise<SessionDocument | undefined> {
    return viewAt(await this.deps.sessions.read(sessionKey(ref)), this.deps.clock()).session;
  }

  /** `POST /handles` (§3.2-§3.5). */
  async create(body: JsonValue, principal: Principal): Promise<HandleCreated> {
    const request = parseHandleRequest(body, this.deps.newGuid);
    resolveTemplate(this.deps.templates, request.sessionRef);
    if (request.type === 'transfer') resolveTemplate(this.deps.templates, request.originSessionRef);
    const session = await this.sessionNow(request.sessionRef);
    const origin = request.type === 'transfer' ? await this.sessionNow(request.originSessionRef) : undefined;
    assertMayCreate(
      request,
      principal,
      session,
      origin,
      isOwner,
      session !== undefined && hasOwners(session.constants),
    );
    if (request.type === 'activity') return this.createActivity(request, principal, session);
    if (request.type === 'search') return this.createSearch(request, principal, session);
    const handle = newHandle(request, { id: this.deps.newGuid(), principal, nowMs: this.deps.clock(), session });
    await this.deps.handles.put(handle);
    return { status: 201, handle: renderHandle(handle) };
  }

  /**
   * One activity per user per SCID (§3.3): the same session again while the activity is live is the same handle
   * (200); anything else replaces the current one atomically (201).
   */
  private async createActivity(
    request: HandleRequest,
    principal: Principal,
    session: SessionDocument | undefined,
  ): Promise<HandleCreated> {
    const xuid = principal.xuid as string;
    for (let attempt = 0; attempt < ACTIVITY_ATTEMPTS; attempt += 1) {
      const now = this.deps.clock();
      const current = await this.deps.handles.currentActivity(request.sessionRef.scid, xuid);
      if (
        current !== undefined &&
        sameSession(current.sessionRef, request.sessionRef) &&
        isHandleLive(current, session, now)
      ) {
        return { status: 200, handle: renderHandle(current) };
      }
      const handle = newHandle(request, { id: this.deps.newGuid(), principal, nowMs: now, session });
      if ((await this.deps.handles.replaceActivity(handle, current)) === 'written') {
        return { status: 201, handle: renderHandle(handle) };
      }
    }
    throw new MpsdError('ServiceUnavailable', 'Concurrent activity posts of this user kept racing; try again.', {
      retryAfterSeconds: 1,
    });
  }

  /**
   * One search handle per session (§3.6, §7 item 13). The handle item and the session's pointer (its index entry) are
   * written first, in one transaction that also deletes the pointer's previous handle; then the session's
   * `searchHandle` is set through the session's conditional write. That write is the commit point: a handle the
   * session does not name is not live (isHandleLive), so a POST that fails between the two (503) left nothing
   * visible, only items DynamoDB's TTL collects, and the client's retry replaces them.
   */
  private async createSearch(
    request: HandleRequest,
    principal: Principal,
    session: SessionDocument | undefined,
  ): Promise<HandleCreated> {
    const key = sessionKey(request.sessionRef);
    for (let attempt = 0; attempt < ACTIVITY_ATTEMPTS; attempt += 1) {
      const current = await this.deps.handles.currentSearch(key);
      const handle = newHandle(request, { id: this.deps.newGuid(), principal, nowMs: this.deps.clock(), session });
      if ((await this.deps.handles.replaceSearch(handle, current)) !== 'written') continue;
      const answer = await this.deps.changeSearchHandle(request.sessionRef, { set: handle.id });
      if (answer === 'gone') {
        throw new MpsdError('Forbidden', 'The session ended while its search handle was created; nothing was kept.');
      }
      const after = await this.sessionNow(request.sessionRef);
      return {
        status: 201,
        handle: {
          ...renderHandle(handle),
          ...searchRelatedBlocks(after ?? (session as SessionDocument), ALL_INCLUDES),
        },
      };
    }
    throw new MpsdError(
      'ServiceUnavailable',
      'Concurrent search handle posts for this session kept racing; try again.',
      {
        retryAfterSeconds: 1,
      },
    );
  }

  /**
   * The live handle with this id (404 otherwise: unknown, deleted, expired, or an activity whose owner left or whose
   * session ended), with its session as it is now.
   */
  async resolve(id: string | undefined): Promise<{ handle: Handle; session: SessionDocument | undefined }> {
    const normalized = id?.toLowerCase();
    if (!isHandleId(normalized)) {
      throw new MpsdError('HandleNotFound', `"${(id ?? '').slice(0, 64)}" is not a handle id (a GUID).`);
    }
    const handle = await this.deps.handles.get(normalized);
    if (handle === undefined) throw notFound(normalized);
    // An activity is its owner's one activity in the SCID only while the owner's pointer names it: an activity
    // replaced by a newer one is gone even if its own item were still there.
    if (handle.type === 'activity') {
      const current = await this.deps.handles.currentActivity(handle.sessionRef.scid, handle.ownerXuid as string);
      if (current?.id !== handle.id) throw notFound(normalized);
    }
    const session = await this.sessionNow(handle.sessionRef);
    if (!isHandleLive(handle, session, this.deps.clock())) throw notFound(normalized);
    return { handle, session };
  }

  /**
   * The session a live handle names, with the extra access the handle gives this caller (§3.10): what the by-handle
   * session GET and PUT run the session rules on.
   */
  async sessionTarget(
    id: string | undefined,
    principal: Principal,
  ): Promise<SessionReference & { grant?: AccessGrant }> {
    const { handle } = await this.resolve(id);
    const origin =
      handle.type === 'transfer' && handle.originSessionRef !== undefined
        ? await this.sessionNow(handle.originSessionRef)
        : undefined;
    return grantsAccess(handle, principal, origin) ? { ...handle.sessionRef, grant: FULL_GRANT } : handle.sessionRef;
  }

  /** `DELETE /handles/{id}` (§3.8): by its owner, sender, invitee or creator, or a server. */
  async delete(handle: Handle, principal: Principal, session: SessionDocument | undefined): Promise<void> {
    assertMayDelete(handle, principal, session);
    // The session forgets it first (the commit point, §3.8: a session change); the items go after. If their delete
    // fails, the handle is already not live, and TTL collects them.
    if (handle.type === 'search') await this.deps.changeSearchHandle(handle.sessionRef, { clear: handle.id });
    await this.deps.handles.delete(handle);
  }

  /** `POST /handles/query` (§3.11): live activities, never one whose session the caller may not read. */
  async query(body: JsonValue, includes: ReadonlySet<QueryInclude>, principal: Principal): Promise<JsonObject[]> {
    if (isJsonObject(body) && body.type === 'search') return this.search(body, includes, principal);
    const query: ActivityQuery = parseActivityQuery(body, principal);
    if (this.deps.templates.get(query.scid) === undefined) {
      throw new MpsdError(
        'ServiceConfigNotFound',
        `The requested service config ${query.scid} is either invalid or not configured for sessions.`,
      );
    }
    const candidates =
      'xuids' in query.owners
        ? await this.deps.handles.activitiesOf(query.scid, query.owners.xuids)
        : await this.deps.handles.activitiesIn(query.scid, PEOPLE_SCAN_LIMIT);
    const sessions = new Map<string, Promise<SessionDocument | undefined>>();
    const checked = await Promise.all(
      candidates.map(async (handle) => {
        const key = sessionKey(handle.sessionRef);
        let session = sessions.get(key);
        if (session === undefined) {
          session = this.sessionNow(handle.sessionRef);
          sessions.set(key, session);
        }
        return { handle, session: await session };
      }),
    );
    const results: JsonObject[] = [];
    for (const { handle, session } of checked) {
      if (session === undefined || !isHandleLive(handle, session, this.deps.clock())) continue;
      if (!mayRead(session, principal)) continue;
      results.push({ ...renderHandle(handle), ...relatedBlocks(session, includes) });
      if (results.length === MAX_QUERY_RESULTS) break;
    }
    return results;
  }

  /**
   * `POST /handles/query` with `type: "search"` (§4.2): the template's current search handles from the index (one
   * Query, paged), the filter and orderBy evaluated on them, and the first 100 matches whose session exists and the
   * caller may read. When neither the filter nor orderBy reads the session, only the ordered matches' sessions are
   * read, a batch at a time until 100 are confirmed; otherwise every candidate's session is read first.
   */
  private async search(
    body: JsonObject,
    includes: ReadonlySet<QueryInclude>,
    principal: Principal,
  ): Promise<JsonObject[]> {
    const query = parseSearchQuery(body, principal);
    resolveTemplate(this.deps.templates, { scid: query.scid, templateName: query.templateName });
    const candidates = await this.deps.handles.searchesIn(query.scid, query.templateName, MAX_SEARCH_CANDIDATES);
    const results: JsonObject[] = [];
    const keep = (handle: Handle, session: SessionDocument | undefined): void => {
      if (session === undefined || !isHandleLive(handle, session, this.deps.clock())) return;
      if (!mayRead(session, principal)) return;
      if (results.length < MAX_SEARCH_RESULTS) {
        results.push({ ...renderHandle(handle), ...searchRelatedBlocks(session, includes) });
      }
    };
    const matches = (view: SearchView) => query.filter === undefined || matchesSearchFilter(query.filter, view);
    const byOrder = (a: { view: SearchView }, b: { view: SearchView }) => compareForOrder(query.order, a.view, b.view);
    if (query.readsSession) {
      const sessions = await this.sessionsOf(candidates);
      const viewed = candidates
        .map((handle) => ({
          handle,
          session: sessions.get(handle.id),
          view: searchViewOf(handle, sessions.get(handle.id)),
        }))
        .filter(({ session, view }) => session !== undefined && matches(view))
        .sort(byOrder);
      for (const { handle, session } of viewed) keep(handle, session);
      return results;
    }
    const ordered = candidates
      .map((handle) => ({ handle, view: searchViewOf(handle, undefined) }))
      .filter(({ view }) => matches(view))
      .sort(byOrder);
    for (let start = 0; start < ordered.length && results.length < MAX_SEARCH_RESULTS; start += SESSION_BATCH) {
      const batch = ordered.slice(start, start + SESSION_BATCH).map(({ handle }) => handle);
      const sessions = await this.sessionsOf(batch);
      for (const handle of batch) keep(handle, sessions.get(handle.id));
    }
    return results;
  }

  /** The sessions of these handles as they are now (strongly consistent), by handle id; absent when gone. */
  private async sessionsOf(handles: readonly Handle[]): Promise<Map<string, SessionDocument>> {
    const out = new Map<string, SessionDocument>();
    const reader = this.deps.sessionsByKey;
    const now = this.deps.clock();
    for (let start = 0; start < handles.length; start += SESSION_BATCH) {
      const batch = handles.slice(start, start + SESSION_BATCH);
      const keys = batch.map((handle) => sessionKey(handle.sessionRef));
      if (reader === undefined) {
        // Without a batch reader (in-process tests), one read per session.
        const docs = await Promise.all(batch.map((handle) => this.sessionNow(handle.sessionRef)));
        batch.forEach((handle, i) => {
          const doc = docs[i];
          if (doc !== undefined) out.set(handle.id, doc);
        });
        continue;
      }
      const records = await reader.readMany(keys, { consistent: true });
      batch.forEach((handle, i) => {
        const doc = viewAt(records.get(keys[i] as string), now).session;
        if (doc !== undefined) out.set(handle.id, doc);
      });
    }
    return out;
  }
}

/** Every block a search-handle POST answers with (§3.6: the same representation as a result with all includes). */
const ALL_INCLUDES: ReadonlySet<QueryInclude> = new Set(['relatedInfo', 'customProperties', 'roleInfo']);

function mayRead(session: SessionDocument, principal: Principal): boolean {
  try {
    assertCanRead(session, principal);
    return true;
  } catch (error) {
    if (error instanceof MpsdError) return false;
    throw error;
  }
}
