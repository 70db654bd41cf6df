import { MpsdError } from '../errors';
import { isJsonInteger, isJsonObject, type JsonObject, type JsonValue } from '../json';
import type { Principal } from '../principal';
import { isoTime } from '../session/render';
import { capabilitiesOf, findMemberByXuid, memberStatus, type SessionDocument } from '../session-document';
import { parseSessionReference, type SessionReference } from '../session-reference';
import { decimalTextOf } from '../validate';
import { isXuid, XUID_RULE } from '../xuid';
import { parseSearchAttributes, type SearchAttributes } from './search-attributes';

// Handles (spec/mpsd-family.md §3): immutable pointers to a session, created by POST /handles, read and deleted by
// id. Pure rules only: what a request may say, what a handle looks like, when an activity is live.

/** The handle types this service creates (§3.1). */
export const HANDLE_TYPES = ['activity', 'invite', 'transfer', 'search'] as const;
export type HandleType = (typeof HANDLE_TYPES)[number];

/** `MULTIPLAYER_HANDLE_VERSION` (§3.1). */
export const HANDLE_VERSION = 1;

/** Invite handles expire after this long (§3.4, §7 item 7: undocumented, suggested 1 hour). */
export const INVITE_LIFETIME_SECONDS = 60 * 60;

/**
 * Activity and transfer handles are garbage once their session is gone, which reads check at once (§3.12); the
 * item itself is collected by TTL this long after its last POST (a re-post renews it).
 */
export const HANDLE_GARBAGE_AFTER_SECONDS = 30 * 24 * 60 * 60;

/** At most this many xuids in `owners.xuids` (§3.11, §7 item 16), and at most this many results. */
export const MAX_QUERY_OWNERS = 100;
export const MAX_QUERY_RESULTS = 100;

/** `inviteAttributes.context` at most 256 characters once URI-encoded (§3.4). */
export const MAX_INVITE_CONTEXT_CHARS = 256;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TITLE_ID = /^[1-9][0-9]{0,9}$/;
const MAX_TITLE_ID = 4294967295;

/** A handle as stored and answered (§3.1): the wire fields, plus who created it. */
export interface Handle {
  readonly id: string;
  readonly type: HandleType;
  readonly sessionRef: SessionReference;
  /** ISO 8601. */
  readonly createTime: string;
  /** Epoch ms of `createTime`: an activity binds the membership its owner had then (isHandleLive). */
  readonly createdAt: number;
  /** The creator: a user's xuid, or absent for a server principal. */
  readonly creatorXuid?: string;
  /** Activity: the owner's xuid and title. */
  readonly ownerXuid?: string;
  readonly titleId?: string;
  /** The session's `constants.system.inviteProtocol`, when set (§3.3, §3.4). */
  readonly inviteProtocol?: string;
  /** Invite fields (§3.4). */
  readonly invitedXuid?: string;
  readonly inviteAttributes?: JsonObject;
  readonly expiration?: string;
  /** Transfer: the session whose access the handle extends (§3.5). */
  readonly originSessionRef?: SessionReference;
  /** Search: the attributes a search filter reads (§3.6, §4.3). */
  readonly searchAttributes?: SearchAttributes;
  /** Epoch seconds after which the handle is gone (404) and DynamoDB's TTL may collect it. */
  readonly expiresAt: number;
}

/** A validated `POST /handles` body (§3.2-§3.5). */
export type HandleRequest =
  | { readonly type: 'activity'; readonly sessionRef: SessionReference }
  | {
      readonly type: 'invite';
      readonly sessionRef: SessionReference;
      readonly invitedXuid: string;
      readonly inviteAttributes: JsonObject;
    }
  | { readonly type: 'transfer'; readonly sessionRef: SessionReference; readonly originSessionRef: SessionReference }
  | { readonly type: 'search'; readonly sessionRef: SessionReference; readonly searchAttributes: SearchAttributes };

function invalid(message: string): MpsdError {
  return new MpsdError('InvalidValue', message);
}

/** A `sessionRef`-shaped field by the session URI's rules (400 InvalidSessionReference otherwise). */
function readSessionRef(field: string, value: JsonValue | undefined, newGuid: () => string): SessionReference {
  if (!isJsonObject(value)) {
    throw new MpsdError('InvalidRequest', `${field} must be an object {"scid","templateName","name"}.`);
  }
  for (const part of ['scid', 'templateName', 'name'] as const) {
    const v = value[part];
    if (v !== undefined && typeof v !== 'string') throw invalid(`${field}.${part} must be a string.`);
  }
  // The name is optional in the docs: MPSD then names the session with a new GUID (§3.2).
  const name = value.name === undefined ? newGuid() : (value.name as string);
  return parseSessionReference(value.scid as string | undefined, value.templateName as string | undefined, name);
}

function readTitleId(field: string, value: JsonValue | undefined): string {
  // Every client sends a decimal string; a JSON number is accepted too (§3.4).
  const text = decimalTextOf(value);
  if (text === undefined || !TITLE_ID.test(text) || Number(text) > MAX_TITLE_ID) {
    throw invalid(`${field} must be a title id: a decimal number from 1 to ${MAX_TITLE_ID}, such as "896928775".`);
  }
  return text;
}

function readInviteAttributes(value: JsonValue | undefined): JsonObject {
  if (!isJsonObject(value)) {
    throw new MpsdError('InvalidRequest', 'inviteAttributes must be an object with at least a titleId.');
  }
  const attributes: JsonObject = { titleId: readTitleId('inviteAttributes.titleId', value.titleId) };
  for (const key of ['context', 'contextString', 'senderString'] as const) {
    const v = value[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw invalid(`inviteAttributes.${key} must be a string.`);
    attributes[key] = v;
  }
  const context = attributes.context;
  if (typeof context === 'string' && encodeURIComponent(context).length > MAX_INVITE_CONTEXT_CHARS) {
    throw invalid(
      `inviteAttributes.context is ${encodeURIComponent(context).length} characters once URI-encoded; at most ${MAX_INVITE_CONTEXT_CHARS} are allowed.`,
    );
  }
  return attributes;
}

/**
 * Validates a `POST /handles` body (§3.2): `version` 1 (or absent), a known `type`, a `sessionRef` by the session
 * URI's rules, and the fields of the type. Other keys (a client-supplied `id`) are ignored (§3.4).
 */
export function parseHandleRequest(body: JsonValue, newGuid: () => string): HandleRequest {
  if (!isJsonObject(body)) throw new MpsdError('InvalidRequest', 'The request body must be a JSON object.');
  if (body.version !== undefined && !(isJsonInteger(body.version) && body.version === HANDLE_VERSION)) {
    throw invalid(`version must be ${HANDLE_VERSION}.`);
  }
  const type = body.type;
  if (type === undefined) {
    throw new MpsdError('InvalidRequest', `type is missing; it is one of ${HANDLE_TYPES.join(', ')}.`);
  }
  if (typeof type !== 'string' || !(HANDLE_TYPES as readonly string[]).includes(type)) {
    throw invalid(
      `type ${JSON.stringify(typeof type === 'string' ? type.slice(0, 50) : type)} is not supported; use one of ${HANDLE_TYPES.join(', ')}.`,
    );
  }
  if (body.sessionRef === undefined) throw new MpsdError('InvalidRequest', 'sessionRef is missing.');
  const sessionRef = readSessionRef('sessionRef', body.sessionRef, newGuid);
  switch (type as HandleType) {
    case 'activity':
      return { type: 'activity', sessionRef };
    case 'invite': {
      const invitedXuid = body.invitedXuid;
      if (typeof invitedXuid !== 'string' || !isXuid(invitedXuid)) {
        throw invalid(`invitedXuid must be a string holding one xuid: ${XUID_RULE}.`);
      }
      return { type: 'invite', sessionRef, invitedXuid, inviteAttributes: readInviteAttributes(body.inviteAttributes) };
    }
    case 'transfer': {
      if (body.originSessionRef === undefined) {
        throw new MpsdError(
          'InvalidRequest',
          'originSessionRef is missing: a transfer handle names its origin session.',
        );
      }
      const originSessionRef = readSessionRef('originSessionRef', body.originSessionRef, newGuid);
      if (originSessionRef.scid.toLowerCase() !== sessionRef.scid.toLowerCase()) {
        throw invalid('originSessionRef must be in the same service config (scid) as sessionRef.');
      }
      return { type: 'transfer', sessionRef, originSessionRef };
    }
    case 'search':
      return { type: 'search', sessionRef, searchAttributes: parseSearchAttributes(body.searchAttributes) };
  }
}

/** True for a handle id as the service issues them: a lower-case canonical GUID (§1.5). */
export function isHandleId(value: string | undefined): value is string {
  return value !== undefined && GUID.test(value);
}

/** The session's `inviteProtocol` constant, when it has one. */
function inviteProtocolOf(session: SessionDocument | undefined): string | undefined {
  const value = session?.constants.system.inviteProtocol;
  return typeof value === 'string' ? value : undefined;
}

/**
 * The membership check of an activity (§3.3, §3.12): its owner is an active member of the session as it is now,
 * and has been since the activity was posted. MPSD deletes the bound activity when its member leaves or becomes
 * inactive; a member who comes back (rejoins, or is active again) entered that state after the activity was
 * created, so the old activity stays dead and the client posts a new one, as the clients do.
 */
export function isActiveMember(session: SessionDocument | undefined, xuid: string | undefined, since: number): boolean {
  if (session === undefined || xuid === undefined) return false;
  const entry = findMemberByXuid(session, xuid);
  return entry !== undefined && memberStatus(entry.member) === 'active' && entry.member.stateSince <= since;
}

/**
 * Whether a handle is live at `now` (§3.12): not expired; an activity only while its owner is an active member of
 * its session; a transfer only while its target session exists. Invites live until they expire, session or not.
 */
export function isHandleLive(handle: Handle, session: SessionDocument | undefined, nowMs: number): boolean {
  if (handle.expiresAt * 1000 <= nowMs) return false;
  if (handle.type === 'activity') return isActiveMember(session, handle.ownerXuid, handle.createdAt);
  if (handle.type === 'transfer') return session !== undefined;
  // A search handle is live exactly while its session names it (§3.6, §4.6): the session's end, a newer search handle
  // or a DELETE ends it, whether or not its items are gone yet.
  if (handle.type === 'search') return session?.searchHandle === handle.id;
  return true;
}

/** What a new handle is made from besides the request. */
export interface NewHandleContext {
  readonly id: string;
  readonly principal: Principal;
  readonly nowMs: number;
  /** The target session as it is now (for `inviteProtocol`), when it exists. */
  readonly session: SessionDocument | undefined;
}

/**
 * Who may create a handle (§3.3-§3.5, §7 item 8), refused with 403: an activity is a user's own (a server has
 * none); an invite needs an existing session the caller is a member of (or a server), and on a `hasOwners` session
 * a non-owner needs `ownershipPolicies.allowNonOwnerInviteHandles`; a transfer needs its target session to exist
 * and the caller to be a member of the origin session (or a server).
 */
export function assertMayCreate(
  request: HandleRequest,
  principal: Principal,
  session: SessionDocument | undefined,
  origin: SessionDocument | undefined,
  isOwner: (session: SessionDocument, principal: Principal) => boolean,
  hasOwners: boolean,
): void {
  const user = principal.xuid;
  switch (request.type) {
    case 'activity':
      if (user === undefined) {
        throw new MpsdError('Forbidden', "An activity handle is a user's own: a server principal has no activity.");
      }
      return;
    case 'invite': {
      if (session === undefined) {
        throw new MpsdError('Forbidden', 'The session does not exist: invite handles need an existing session.');
      }
      if (principal.isServer) return;
      if (user === undefined || findMemberByXuid(session, user) === undefined) {
        throw new MpsdError('Forbidden', 'Only members of the session (or a server) may invite to it.');
      }
      const policies = session.constants.system.ownershipPolicies;
      const allowNonOwners = isJsonObject(policies) && policies.allowNonOwnerInviteHandles === true;
      if (hasOwners && !allowNonOwners && !isOwner(session, principal)) {
        throw new MpsdError(
          'OwnershipRequired',
          'Only an owner of this session may invite to it: its ownershipPolicies.allowNonOwnerInviteHandles is not true.',
        );
      }
      return;
    }
    case 'transfer':
      // MPM reads this 403 as "the game session is gone" (§3.5).
      if (session === undefined) {
        throw new MpsdError(
          'Forbidden',
          'The target session does not exist: a transfer handle needs an existing session.',
        );
      }
      if (principal.isServer) return;
      if (origin === undefined || user === undefined || findMemberByXuid(origin, user) === undefined) {
        throw new MpsdError(
          'Forbidden',
          'Only members of the origin session (or a server) may create a transfer handle.',
        );
      }
      return;
    case 'search': {
      // §3.6: an existing session with the searchable capability (403 otherwise, the spec's inferred code); created by
      // a member (an owner where hasOwners applies) or a server (§7 item 8).
      if (session === undefined) {
        throw new MpsdError('Forbidden', 'The session does not exist: a search handle needs an existing session.');
      }
      if (capabilitiesOf(session.constants).searchable !== true) {
        throw new MpsdError(
          'Forbidden',
          'This session is not searchable: search handles need the searchable capability in constants.system.capabilities.',
        );
      }
      if (principal.isServer) return;
      if (user === undefined || findMemberByXuid(session, user) === undefined) {
        throw new MpsdError('Forbidden', 'Only members of the session (or a server) may create its search handle.');
      }
      if (hasOwners && !isOwner(session, principal)) {
        throw new MpsdError('OwnershipRequired', 'Only an owner of this session may create its search handle.');
      }
      return;
    }
  }
}

/** A new handle for a validated request (§3.3-§3.5). */
export function newHandle(request: HandleRequest, context: NewHandleContext): Handle {
  const { id, principal, nowMs, session } = context;
  const nowSeconds = Math.floor(nowMs / 1000);
  const inviteProtocol = inviteProtocolOf(session);
  const base = {
    id,
    type: request.type,
    sessionRef: request.sessionRef,
    createTime: isoTime(nowMs),
    createdAt: nowMs,
    ...(principal.xuid === undefined ? {} : { creatorXuid: principal.xuid }),
    ...(inviteProtocol === undefined ? {} : { inviteProtocol }),
  };
  switch (request.type) {
    case 'activity':
      // The title comes from the token (§7 item 6), else "0".
      return {
        ...base,
        ownerXuid: principal.xuid as string,
        titleId: principal.titleId ?? '0',
        expiresAt: nowSeconds + HANDLE_GARBAGE_AFTER_SECONDS,
      };
    case 'invite':
      return {
        ...base,
        invitedXuid: request.invitedXuid,
        inviteAttributes: request.inviteAttributes,
        expiration: isoTime((nowSeconds + INVITE_LIFETIME_SECONDS) * 1000),
        expiresAt: nowSeconds + INVITE_LIFETIME_SECONDS,
      };
    case 'transfer':
      return {
        ...base,
        originSessionRef: request.originSessionRef,
        expiresAt: nowSeconds + HANDLE_GARBAGE_AFTER_SECONDS,
      };
    case 'search':
      return {
        ...base,
        searchAttributes: request.searchAttributes,
        expiresAt: nowSeconds + HANDLE_GARBAGE_AFTER_SECONDS,
      };
  }
}

function refJson(ref: SessionReference): JsonObject {
  return { scid: ref.scid, templateName: ref.templateName, name: ref.name };
}

/** The handle as answered (§3.1): `id`, `type`, `version`, `sessionRef`, `createTime` and its type's fields. */
export function renderHandle(handle: Handle): JsonObject {
  const out: JsonObject = {
    id: handle.id,
    type: handle.type,
    version: HANDLE_VERSION,
    sessionRef: refJson(handle.sessionRef),
    createTime: handle.createTime,
  };
  if (handle.ownerXuid !== undefined) out.ownerXuid = handle.ownerXuid;
  if (handle.titleId !== undefined) out.titleId = handle.titleId;
  if (handle.inviteProtocol !== undefined) out.inviteProtocol = handle.inviteProtocol;
  if (handle.invitedXuid !== undefined) {
    out.invitedXuid = handle.invitedXuid;
    out.senderXuid = handle.creatorXuid ?? '0';
  }
  if (handle.inviteAttributes !== undefined) out.inviteAttributes = handle.inviteAttributes;
  if (handle.expiration !== undefined) out.expiration = handle.expiration;
  if (handle.originSessionRef !== undefined) out.originSessionRef = refJson(handle.originSessionRef);
  if (handle.type === 'search') out.searchAttributes = searchAttributesJson(handle.searchAttributes ?? {});
  return out;
}

/** `searchAttributes` as sent (XSAPI omits empty kinds; it reads strings as strings and numbers as numbers, §4.5). */
function searchAttributesJson(attributes: SearchAttributes): JsonObject {
  const out: JsonObject = {};
  if (attributes.tags !== undefined) out.tags = [...attributes.tags];
  if (attributes.strings !== undefined) out.strings = { ...attributes.strings };
  if (attributes.numbers !== undefined) out.numbers = { ...attributes.numbers };
  return out;
}

/** True when two references name the same session (names compare case-insensitively, spec §1.1). */
export function sameSession(a: SessionReference, b: SessionReference): boolean {
  return (
    a.scid.toLowerCase() === b.scid.toLowerCase() &&
    a.templateName.toLowerCase() === b.templateName.toLowerCase() &&
    a.name.toLowerCase() === b.name.toLowerCase()
  );
}

/**
 * Whether a handle gives its caller extra access to its session (§3.10): an invite to its invitee; a transfer
 * handle to a member of its origin session (as the origin is now). Activities give none.
 */
export function grantsAccess(handle: Handle, principal: Principal, origin: SessionDocument | undefined): boolean {
  const user = principal.xuid;
  if (user === undefined) return false;
  if (handle.type === 'invite') return handle.invitedXuid === user;
  if (handle.type === 'transfer') return origin !== undefined && findMemberByXuid(origin, user) !== undefined;
  return false;
}

/**
 * Who may delete a handle (§3.8, §7 item 9), else 403: a server; an activity's owner; an invite's sender or
 * invitee; a transfer's creator; a search handle's creator or a member of its session (its session as it is now).
 */
export function assertMayDelete(handle: Handle, principal: Principal, session: SessionDocument | undefined): void {
  if (principal.isServer) return;
  const user = principal.xuid;
  const member =
    handle.type === 'search' &&
    user !== undefined &&
    session !== undefined &&
    findMemberByXuid(session, user) !== undefined;
  const allowed =
    user !== undefined &&
    (member || handle.creatorXuid === user || handle.ownerXuid === user || handle.invitedXuid === user);
  if (!allowed) {
    throw new MpsdError(
      'Forbidden',
      "Only the handle's owner, its sender or invitee, its creator, a member of a search handle's session, or a server may delete it.",
    );
  }
}
