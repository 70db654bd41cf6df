/**
 * What the kit reads from a rendered session (spec §2.2): its change, its members by xuid and their custom
 * properties, its capacity and timers. The service's own readers are not used: this is the document as a client
 * sees it on the wire, which is what the invariant check must judge.
 */
import { DEFAULT_MAX_MEMBERS_COUNT } from '../lambda/domain/session/constants-defaults';

/** A member as the check reads it from a rendered session. */
export interface ReadbackMember {
  readonly xuid: string;
  readonly custom: Readonly<Record<string, unknown>>;
}

export interface SessionView {
  readonly changeNumber: number;
  readonly branch: string;
  readonly maxMembersCount: number;
  readonly sessionEmptyTimeout: number;
  readonly members: readonly ReadbackMember[];
  readonly custom: Readonly<Record<string, unknown>>;
  readonly timerPending: boolean;
}

type Json = Record<string, unknown>;
const objectAt = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};

/** The view of a session answer's text, or undefined when it is not a session document. */
export function viewOfSession(text: string): SessionView | undefined {
  let document: Json;
  try {
    document = objectAt(JSON.parse(text));
  } catch {
    return undefined;
  }
  if (typeof document.changeNumber !== 'number' || typeof document.branch !== 'string') return undefined;
  const system = objectAt(objectAt(document.constants).system);
  const members = Object.values(objectAt(document.members)).map((entry) => {
    const member = objectAt(entry);
    return {
      xuid: String(objectAt(objectAt(member.constants).system).xuid ?? ''),
      custom: objectAt(objectAt(member.properties).custom),
    };
  });
  return {
    changeNumber: document.changeNumber,
    branch: document.branch,
    // The documented defaults when the constants leave them out (spec §2.3).
    maxMembersCount: typeof system.maxMembersCount === 'number' ? system.maxMembersCount : DEFAULT_MAX_MEMBERS_COUNT,
    sessionEmptyTimeout: typeof system.sessionEmptyTimeout === 'number' ? system.sessionEmptyTimeout : 0,
    members,
    custom: objectAt(objectAt(document.properties).custom),
    timerPending: typeof document.nextTimer === 'string',
  };
}
