import { MpsdError } from '../errors';
import { isJsonObject, type JsonObject, type JsonValue } from '../json';
import type { Principal } from '../principal';
import { ownersOf } from '../session/ownership';
import type { SessionDocument } from '../session-document';
import { checkTemplateName, isScidShaped } from '../session-reference';
import type { Handle } from './handle';
import { type QueryInclude, relatedBlocks } from './handle-query';
import {
  DEFAULT_SEARCH_ORDER,
  parseSearchFilter,
  parseSearchOrder,
  type SearchFilter,
  type SearchOrder,
  type SearchView,
} from './search-filter';

// `POST /handles/query` with `type: "search"` (spec/mpsd-family.md §4.2, §4.5): the request's rules, what a filter
// sees of one handle, and a result entry. Which handles are read is the handle service's (an index Query).

/** At most this many results: the first matches only, no paging (§4.2, [D-BROWSE]). */
export const MAX_SEARCH_RESULTS = 100;

/** A validated search query. */
export interface SearchQuery {
  /** Lower-cased, as in session keys. */
  readonly scid: string;
  /** Lower-cased, as in session keys. */
  readonly templateName: string;
  readonly filter: SearchFilter | undefined;
  readonly order: SearchOrder;
  /**
   * Whether the filter or orderBy may read the session (`session/…` paths): then every candidate's session is read
   * before filtering; otherwise only the matches' sessions are (README "Handles", what a search costs).
   */
  readonly readsSession: boolean;
}

function invalid(message: string): MpsdError {
  return new MpsdError('InvalidValue', message);
}

/** Conservative: any `session/` in the text (a literal included) counts; a false positive only costs reads. */
const SESSION_PATH = /session\s*\//i;

/**
 * Validates a search query body (§4.2): `type` `search`, a GUID `scid` and a `templateName` (both required: XSAPI
 * never sends one without them), an optional `filter` (§4.3) and `orderBy` (§4.4), each 400 naming the offending
 * token. `global` is read as true whatever it says (§7 item 15); `sessionMembers` is refused (no social graph here).
 */
export function parseSearchQuery(body: JsonObject, principal: Principal): SearchQuery {
  const scid = body.scid;
  if (typeof scid !== 'string' || !isScidShaped(scid)) {
    throw invalid('scid must be the service config id (a GUID) whose search handles are searched.');
  }
  const templateName = body.templateName;
  if (typeof templateName !== 'string') throw invalid('templateName must be the session template to search.');
  checkTemplateName(templateName);
  if (body.global !== undefined && typeof body.global !== 'boolean') throw invalid('global must be true or false.');
  if (body.sessionMembers !== undefined) {
    readSessionMembers(body.sessionMembers, principal);
  }
  const filterText = readText('filter', body.filter);
  const orderText = readText('orderBy', body.orderBy);
  return {
    scid: scid.toLowerCase(),
    templateName: templateName.toLowerCase(),
    filter: filterText === undefined ? undefined : parseSearchFilter(filterText),
    order: orderText === undefined ? DEFAULT_SEARCH_ORDER : parseSearchOrder(orderText),
    readsSession: SESSION_PATH.test(filterText ?? '') || SESSION_PATH.test(orderText ?? ''),
  };
}

function readText(field: string, value: JsonValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`${field} must be a string.`);
  return value;
}

/**
 * `sessionMembers.people` asks for sessions with a member of the caller's social group (§4.2). This staging service
 * has no social graph; the same default as activity queries (§7 item 16) would make it filter nothing, so it is
 * checked (`monikerXuid` the caller's own, 403 otherwise) and then reads as "every session".
 */
function readSessionMembers(value: JsonValue, principal: Principal): void {
  const people = isJsonObject(value) ? value.people : undefined;
  if (!isJsonObject(people) || typeof people.moniker !== 'string' || typeof people.monikerXuid !== 'string') {
    throw invalid('sessionMembers must be {"people": {"moniker": string, "monikerXuid": xuid string}}.');
  }
  if (!principal.isServer && people.monikerXuid !== principal.xuid) {
    throw new MpsdError('Forbidden', 'sessionMembers.people.monikerXuid must be your own xuid.');
  }
}

function lowerKeys<T>(record: Readonly<Record<string, T>> | undefined): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [name, value] of Object.entries(record ?? {})) out[name.toLowerCase()] = value;
  return out;
}

function ownerXuidsOf(session: SessionDocument): string[] {
  return ownersOf(session)
    .map((index) => session.members[String(index)]?.constants.system.xuid)
    .filter((xuid): xuid is string => typeof xuid === 'string');
}

/** Empty session facts: what a filter sees of a handle whose session was not read (the filter reads none of it). */
const NO_SESSION = {
  memberXuids: [],
  ownerXuids: [],
  keywords: [],
  membersCount: 0,
  maxMembersCount: 0,
} as const;

/** What a filter and orderBy read of one search handle and its session as it is now (§4.3). */
export function searchViewOf(handle: Handle, session: SessionDocument | undefined): SearchView {
  const attributes = handle.searchAttributes ?? {};
  const base = {
    tags: attributes.tags ?? [],
    strings: lowerKeys(attributes.strings),
    numbers: lowerKeys(attributes.numbers),
    scid: handle.sessionRef.scid,
    templateName: handle.sessionRef.templateName,
    postedAt: handle.createdAt,
  };
  if (session === undefined) return { ...base, ...NO_SESSION };
  const keywords = session.properties.system.keywords;
  const max = session.constants.system.maxMembersCount;
  return {
    ...base,
    memberXuids: Object.values(session.members)
      .map((member) => member.constants.system.xuid)
      .filter((xuid): xuid is string => typeof xuid === 'string'),
    ownerXuids: ownerXuidsOf(session),
    keywords: Array.isArray(keywords) ? keywords.filter((k): k is string => typeof k === 'string') : [],
    membersCount: Object.keys(session.members).length,
    maxMembersCount: typeof max === 'number' ? max : 100,
  };
}

/**
 * The blocks a search result carries on request (§4.5): those of an activity result, with `sessionOwners` (owner
 * xuids as strings) in `relatedInfo`.
 */
export function searchRelatedBlocks(session: SessionDocument, includes: ReadonlySet<QueryInclude>): JsonObject {
  const blocks = relatedBlocks(session, includes);
  if (isJsonObject(blocks.relatedInfo))
    blocks.relatedInfo = { ...blocks.relatedInfo, sessionOwners: ownerXuidsOf(session) };
  return blocks;
}
