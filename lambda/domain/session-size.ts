import { MpsdError } from './errors';
import { isJsonObject, type JsonObject, type JsonValue, jsonEquals, stringifyExactJson, toNumber } from './json';
import {
  DEFAULT_LARGE_SESSION_BUDGET_BYTES,
  DEFAULT_SESSION_BUDGET_BYTES,
  ENVELOPE_RESERVE_BYTES,
  MAX_MEMBERS_LARGE,
  MAX_SESSION_DOCUMENT_BYTES,
  MIN_LARGE_MEMBER_BUDGET_BYTES,
  MIN_MEMBER_BUDGET_BYTES,
  MIN_SESSION_BUDGET_BYTES,
} from './limits';
import type { Principal } from './principal';
import { maxMembersCountOf } from './session/constants-defaults';
import { type StoredSessionText, storedSessionText } from './session/session-text';
import { capabilitiesOf, type PropertyBag, type SessionDocument, type StoredMember } from './session-document';

// Every size here is measured one way: the bytes of the exact JSON text the service stores (spec §7.3 leaves sizes
// open). One session is one DynamoDB item, so its members and its own data share MAX_SESSION_DOCUMENT_BYTES; each
// gets a budget, and the budgets add up to less than that, so nobody can take another's room.

/** A template's optional `sizeBudgets` (bytes of JSON): a bigger or smaller session budget, a smaller member one. */
export interface TemplateSizeBudgets {
  readonly sessionBytes?: number;
  readonly memberBytes?: number;
}

/** The budgets of one session, from its constants and its template. */
export interface SizeBudgets {
  /** The session's own data: constants, properties, roleTypes and servers. */
  readonly sessionBytes: number;
  /** One member's entry: its constants, properties and roles, and what the service keeps for it. */
  readonly memberBytes: number;
  /** A reservation as its reserver writes it: half a member's budget, so the reserved user's own join still fits. */
  readonly reservationBytes: number;
  /** What each of `maxMembersCount` members gets once the envelope and the session's budget are set aside. */
  readonly memberShare: number;
  /** The smallest member budget that holds an ordinary join (MIN_MEMBER_BUDGET_BYTES, or the large one). */
  readonly minimumMemberBytes: number;
  readonly maxMembersCount: number;
}

/**
 * A session's budgets: the session gets `sessionBytes` (the template's, else DEFAULT_SESSION_BUDGET_BYTES or, for a
 * large session, DEFAULT_LARGE_SESSION_BUDGET_BYTES); each
 * of `maxMembersCount` members gets an equal share of the rest of the document, or the template's smaller
 * `memberBytes`. So maxMembersCount × memberBytes + sessionBytes + ENVELOPE_RESERVE_BYTES ≤ MAX_SESSION_DOCUMENT_BYTES.
 */
export function sizeBudgetsOf(constants: PropertyBag, template: TemplateSizeBudgets = {}): SizeBudgets {
  const maxMembersCount = maxMembersCountOf(constants.system);
  const large = capabilitiesOf(constants).large === true;
  const sessionBytes =
    template.sessionBytes ?? (large ? DEFAULT_LARGE_SESSION_BUDGET_BYTES : DEFAULT_SESSION_BUDGET_BYTES);
  const memberShare = Math.floor(
    (MAX_SESSION_DOCUMENT_BYTES - ENVELOPE_RESERVE_BYTES - sessionBytes) / Math.max(1, maxMembersCount),
  );
  const memberBytes = Math.min(template.memberBytes ?? memberShare, memberShare);
  return {
    sessionBytes,
    memberBytes,
    reservationBytes: Math.floor(memberBytes / 2),
    memberShare,
    minimumMemberBytes: large ? MIN_LARGE_MEMBER_BUDGET_BYTES : MIN_MEMBER_BUDGET_BYTES,
    maxMembersCount,
  };
}

/** The most members whose budget would still hold an ordinary join. */
function mostMembersThatFit(budgets: SizeBudgets): number {
  return Math.floor(
    (MAX_SESSION_DOCUMENT_BYTES - ENVELOPE_RESERVE_BYTES - budgets.sessionBytes) / budgets.minimumMemberBytes,
  );
}

function bytesOf(value: unknown): number {
  return Buffer.byteLength(stringifyExactJson(value as JsonValue));
}

/** The session's own data as JSON: what `sessionBytes` bounds. */
export function sessionDataBytes(session: Pick<SessionDocument, 'constants' | 'properties' | 'roleTypes' | 'servers'>) {
  const { constants, properties, roleTypes, servers } = session;
  return bytesOf({ constants, properties, ...(roleTypes === undefined ? {} : { roleTypes }), servers });
}

/** One member's entry in the document (`"<index>":{...},`): what `memberBytes` bounds. */
export function memberEntryBytes(index: string, member: StoredMember): number {
  return Buffer.byteLength(JSON.stringify(index)) + 1 + bytesOf(member) + 1;
}

function memberLabel(index: string, member: StoredMember, principal: Principal): string {
  const xuid = member.constants.system.xuid;
  if (principal.xuid !== undefined && xuid === principal.xuid) return `members.me (member ${index})`;
  if (member.reserved === true) return `The reservation for xuid ${String(xuid)} (member ${index})`;
  return `Member ${index}`;
}

/**
 * Refuses a change that takes a member or the session past its budget (400 SizeBudgetExceeded), so that no member,
 * nor any group of members, can make a free seat unjoinable or another member's writes fail. `before` is the
 * session this change was merged onto (its due timers applied), undefined when creating. Only what this change made
 * bigger is held to a budget: a member whose entry is unchanged, or that shrinks, is never refused (a session stored
 * before the budgets, or a byte a fired timer added, blames nobody).
 */
export function checkSizeBudgets(
  before: SessionDocument | undefined,
  after: SessionDocument,
  template: TemplateSizeBudgets,
  principal: Principal,
): void {
  const budgets = sizeBudgetsOf(after.constants, template);
  if (before === undefined && budgets.memberShare < budgets.minimumMemberBytes) {
    throw new MpsdError(
      'InvalidValue',
      `constants.system.maxMembersCount (${budgets.maxMembersCount}) is more members than one session holds: each would get ${budgets.memberShare} bytes of JSON beside the session's own ${budgets.sessionBytes} (sessionBytes), and a member needs at least ${budgets.minimumMemberBytes}. At most ${mostMembersThatFit(budgets)} members fit.`,
    );
  }
  const sessionBytes = sessionDataBytes(after);
  if (sessionBytes > budgets.sessionBytes && (before === undefined || sessionBytes > sessionDataBytes(before))) {
    throw new MpsdError(
      'SizeBudgetExceeded',
      `The session's own data (constants, properties, roleTypes, servers) would be ${sessionBytes} bytes of JSON; its budget (sessionBytes) is ${budgets.sessionBytes} bytes: the rest of the session is kept for its members. Store less in the session's custom properties or servers.`,
    );
  }
  for (const [index, member] of Object.entries(after.members)) {
    const previous = before?.members[index];
    if (previous !== undefined && jsonEquals(previous as unknown as JsonValue, member as unknown as JsonValue))
      continue;
    const bytes = memberEntryBytes(index, member);
    const reservation = member.reserved === true;
    const budget = reservation ? budgets.reservationBytes : budgets.memberBytes;
    if (bytes <= budget || (previous !== undefined && bytes <= memberEntryBytes(index, previous))) continue;
    const label = memberLabel(index, member, principal);
    throw new MpsdError(
      'SizeBudgetExceeded',
      reservation
        ? `${label} would be ${bytes} bytes of JSON; its budget (reservationBytes, half of a member's ${budgets.memberBytes}) is ${budget} bytes, so the reserved user's own join always fits. Put less in its constants.`
        : `${label} would be ${bytes} bytes of JSON (its constants, properties and roles, and what the service keeps for it); its budget (memberBytes) is ${budget} bytes, so that ${budgets.maxMembersCount} members and the session's own ${budgets.sessionBytes} bytes fit one session. Store less in its custom properties.`,
    );
  }
}

/**
 * Refuses a change that would make the session larger than one DynamoDB item can hold (spec §7.3 leaves sizes
 * open). The budgets keep every ordinary session well inside it; this is the backstop for sessions stored before
 * them. Checked before the write, so the session stays writable. Answers the text it measured: it is what is stored.
 */
export function checkSessionSize(session: SessionDocument): StoredSessionText {
  const stored = storedSessionText(session);
  const bytes = stored.jsonBytes;
  if (bytes > MAX_SESSION_DOCUMENT_BYTES) {
    throw new MpsdError(
      'SessionTooLarge',
      `This change would make the session ${bytes} bytes of JSON; a session holds at most ${MAX_SESSION_DOCUMENT_BYTES}. Store less in custom properties.`,
    );
  }
  return stored;
}

/**
 * Reads a template's optional `sizeBudgets` (`{ "sessionBytes": n, "memberBytes": n }`, both optional integers) and
 * checks the template's budgets (its own or the defaults) against it: its own constants and role types must leave room in `sessionBytes`, and when it
 * fixes `maxMembersCount`, each member must still get at least an ordinary join's budget. Throws an Error naming
 * the file, the template and the rule: a broken file must stop start-up.
 */
export function readTemplateSizeBudgets(
  where: string,
  value: JsonValue | undefined,
  template: { readonly constants: PropertyBag; readonly roleTypes?: JsonValue },
): TemplateSizeBudgets | undefined {
  const fail = (rule: string): never => {
    throw new Error(`${where}: sizeBudgets${rule.startsWith('.') ? '' : ' '}${rule}`);
  };
  if (value !== undefined && !isJsonObject(value)) fail('must be an object with sessionBytes and/or memberBytes.');
  const budgets: { sessionBytes?: number; memberBytes?: number } = {};
  const maxSession = MAX_SESSION_DOCUMENT_BYTES - ENVELOPE_RESERVE_BYTES - MIN_MEMBER_BUDGET_BYTES;
  for (const [key, raw] of Object.entries(isJsonObject(value) ? value : {})) {
    const n = toNumber(raw);
    if (key === 'sessionBytes') {
      if (n === undefined || !Number.isInteger(n) || n < MIN_SESSION_BUDGET_BYTES || n > maxSession) {
        fail(`.sessionBytes must be an integer from ${MIN_SESSION_BUDGET_BYTES} to ${maxSession}.`);
      }
      budgets.sessionBytes = n;
    } else if (key === 'memberBytes') {
      if (n === undefined || !Number.isInteger(n) || n < MIN_LARGE_MEMBER_BUDGET_BYTES) {
        fail(`.memberBytes must be an integer of at least ${MIN_LARGE_MEMBER_BUDGET_BYTES}.`);
      }
      budgets.memberBytes = n;
    } else {
      fail(`has an unknown field "${key}"; only sessionBytes and memberBytes are allowed.`);
    }
  }
  const effective = sizeBudgetsOf(template.constants, budgets);
  if (budgets.memberBytes !== undefined && budgets.memberBytes < effective.minimumMemberBytes) {
    fail(`.memberBytes (${budgets.memberBytes}) is below an ordinary join's ${effective.minimumMemberBytes} bytes.`);
  }
  // A maxMembersCount outside 1..1,000 is the constants rules' to refuse, with their own message.
  const fixedMax = toNumber(template.constants.system.maxMembersCount);
  const checkable = fixedMax !== undefined && fixedMax >= 1 && fixedMax <= MAX_MEMBERS_LARGE;
  if (checkable && effective.memberShare < effective.minimumMemberBytes) {
    fail(
      `leave each of maxMembersCount ${effective.maxMembersCount} members ${effective.memberShare} bytes; a member needs at least ${effective.minimumMemberBytes}.`,
    );
  }
  const own = sessionDataBytes({
    constants: template.constants,
    properties: { system: {}, custom: {} },
    ...(isJsonObject(template.roleTypes) ? { roleTypes: template.roleTypes } : {}),
    servers: {},
  });
  if (own + MIN_SESSION_BUDGET_BYTES / 2 > effective.sessionBytes) {
    fail(
      `.sessionBytes (${effective.sessionBytes}) leaves too little room: the template's constants and role types are ${own} bytes, and the session needs ${MIN_SESSION_BUDGET_BYTES / 2} more for defaults and properties.`,
    );
  }
  return value === undefined ? undefined : budgets;
}

/**
 * The `sizeBudgets` of one template body in a per-SCID file, checked as readTemplateSizeBudgets does, ready to spread
 * into the SessionTemplate. Checked on the body as written (a 104/105 template's constants before their upgrade:
 * `maxMembersCount` and `capabilities` are the same there).
 */
export function sizeBudgetsField(where: string, body: JsonObject): { sizeBudgets?: TemplateSizeBudgets } {
  const written = isJsonObject(body.constants) ? body.constants : {};
  const constants = { system: isJsonObject(written.system) ? written.system : {}, custom: written.custom ?? {} };
  const roleTypes = isJsonObject(body.roleTypes) ? { roleTypes: body.roleTypes } : {};
  const sizeBudgets = readTemplateSizeBudgets(where, body.sizeBudgets, { constants, ...roleTypes });
  return sizeBudgets === undefined ? {} : { sizeBudgets };
}
