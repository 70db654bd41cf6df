import { MpsdError } from '../errors';
import { isJsonObject, type JsonObject, type JsonValue } from '../json';
import type { Principal } from '../principal';
import { restrictionsOf } from '../session/properties';
import type { SessionDocument } from '../session-document';
import { isScidShaped } from '../session-reference';
import { isXuid, XUID_RULE } from '../xuid';
import { MAX_QUERY_OWNERS } from './handle';

// `POST /handles/query` for activities (spec/mpsd-family.md §3.11): the request's rules and the extra blocks a result
// carries on request. Which handles match is the handle service's (it reads them by key or index).

/** The `?include=` values the service knows; any other value is ignored (§3.11, §7 item 17). */
export const QUERY_INCLUDES = ['relatedInfo', 'customProperties', 'roleInfo'] as const;
export type QueryInclude = (typeof QUERY_INCLUDES)[number];

/** A validated activity query. */
export interface ActivityQuery {
  readonly scid: string;
  /** The owners asked for by xuid, or `people`: every user with a live activity in the SCID (README). */
  readonly owners: { readonly xuids: readonly string[] } | { readonly people: true };
}

function invalid(message: string): MpsdError {
  return new MpsdError('InvalidValue', message);
}

/**
 * Validates a handle query body (§3.11): `type` `activity`, a GUID `scid` (required here: README, decisions),
 * exactly one of `owners.xuids` (1-100 xuid strings) and `owners.people` (`monikerXuid` the caller's own xuid).
 */
export function parseActivityQuery(body: JsonValue, principal: Principal): ActivityQuery {
  if (!isJsonObject(body)) throw new MpsdError('InvalidRequest', 'The request body must be a JSON object.');
  if (body.type !== 'activity') {
    throw invalid(`type must be "activity" or "search"; got ${JSON.stringify(body.type ?? null)}.`);
  }
  const scid = body.scid;
  if (typeof scid !== 'string' || !isScidShaped(scid)) {
    throw invalid('scid must be the service config id (a GUID) whose activities are wanted.');
  }
  const owners = body.owners;
  if (!isJsonObject(owners)) {
    throw new MpsdError('InvalidRequest', 'owners must be an object with either xuids or people.');
  }
  const hasXuids = owners.xuids !== undefined;
  const hasPeople = owners.people !== undefined;
  if (hasXuids === hasPeople) {
    throw new MpsdError('InvalidRequest', 'owners must hold exactly one of xuids and people.');
  }
  if (hasXuids) {
    const xuids = owners.xuids;
    if (!Array.isArray(xuids) || xuids.length === 0 || xuids.length > MAX_QUERY_OWNERS) {
      throw invalid(`owners.xuids must be an array of 1 to ${MAX_QUERY_OWNERS} xuid strings.`);
    }
    for (const xuid of xuids) {
      if (typeof xuid !== 'string' || !isXuid(xuid))
        throw invalid(`owners.xuids holds a value that is not ${XUID_RULE}.`);
    }
    return { scid: scid.toLowerCase(), owners: { xuids: [...new Set(xuids as string[])] } };
  }
  const people = owners.people;
  if (!isJsonObject(people) || typeof people.moniker !== 'string' || typeof people.monikerXuid !== 'string') {
    throw invalid('owners.people must be {"moniker": string, "monikerXuid": xuid string}.');
  }
  if (!principal.isServer && people.monikerXuid !== principal.xuid) {
    throw new MpsdError('Forbidden', 'owners.people.monikerXuid must be your own xuid.');
  }
  return { scid: scid.toLowerCase(), owners: { people: true } };
}

/** The `?include=` list: known values, each once; unknown values ignored. */
export function parseIncludes(value: string | undefined): ReadonlySet<QueryInclude> {
  const wanted = new Set<QueryInclude>();
  for (const part of (value ?? '').split(',')) {
    const known = QUERY_INCLUDES.find((include) => include.toLowerCase() === part.trim().toLowerCase());
    if (known !== undefined) wanted.add(known);
  }
  return wanted;
}

function visibilityOf(session: SessionDocument): string {
  const v = session.constants.system.visibility;
  return typeof v === 'string' ? v : 'open';
}

function maxMembersOf(session: SessionDocument): number {
  const max = session.constants.system.maxMembersCount;
  return typeof max === 'number' ? max : 100;
}

/**
 * The blocks a result carries on request (§3.11): `relatedInfo` (`visibility` with `full` for an open session
 * without a free seat, `joinRestriction`, `closed`, `maxMembersCount`, `membersCount`), `customProperties` (the
 * session's `properties.custom`, `{}` when empty: XSAPI reads it on every entry) and `roleInfo` (the role types).
 */
export function relatedBlocks(session: SessionDocument, includes: ReadonlySet<QueryInclude>): JsonObject {
  const out: JsonObject = {};
  if (includes.has('relatedInfo')) {
    const membersCount = Object.keys(session.members).length;
    const maxMembersCount = maxMembersOf(session);
    const visibility = visibilityOf(session);
    out.relatedInfo = {
      visibility: visibility === 'open' && membersCount >= maxMembersCount ? 'full' : visibility,
      joinRestriction: restrictionsOf(session.properties.system, session.constants).join,
      closed: session.properties.system.closed === true,
      maxMembersCount,
      membersCount,
    };
  }
  if (includes.has('customProperties')) {
    out.customProperties = isJsonObject(session.properties.custom) ? session.properties.custom : {};
  }
  if (includes.has('roleInfo')) {
    out.roleInfo = { roleTypes: session.roleTypes ?? {} };
  }
  return out;
}
