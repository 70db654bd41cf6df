import { type JsonObject, toNumber } from '../json';
import { MAX_MEMBERS_NORMAL } from '../limits';
import type { PropertyBag } from '../session-document';

// The documented defaults of `constants.system` (spec §2.3, §3) and the readers that apply them: every rule that
// needs a session's visibility, size or timeouts reads them here, so a default has this one home.

export const TIMEOUT_NAMES = [
  'reservedRemovalTimeout',
  'inactiveRemovalTimeout',
  'readyRemovalTimeout',
  'sessionEmptyTimeout',
] as const;
export type TimeoutName = (typeof TIMEOUT_NAMES)[number];

/** Who may see and join a session (spec §2.3): members only, readable but joinable by reservation, or open. */
export const VISIBILITIES = ['private', 'visible', 'open'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const DEFAULT_VISIBILITY: Visibility = 'open';
/** The documented default maxMembersCount; also the most a session without `large` may have (limits.ts). */
export const DEFAULT_MAX_MEMBERS_COUNT = MAX_MEMBERS_NORMAL;

/** The documented 107 defaults filled in for fields neither the template nor the creator set (spec §2.3, §3). */
export const DEFAULT_SYSTEM_CONSTANTS: JsonObject = {
  version: 1,
  maxMembersCount: DEFAULT_MAX_MEMBERS_COUNT,
  visibility: DEFAULT_VISIBILITY,
  reservedRemovalTimeout: 30000,
  inactiveRemovalTimeout: 0,
  readyRemovalTimeout: 180000,
  sessionEmptyTimeout: 0,
};

/** A session's visibility; stored lower-case at creation (constants.ts), so it compares exactly. */
export function visibilityOf(system: JsonObject): Visibility {
  const value = system.visibility;
  return typeof value === 'string' && (VISIBILITIES as readonly string[]).includes(value)
    ? (value as Visibility)
    : DEFAULT_VISIBILITY;
}

/** How many members a session may hold. */
export function maxMembersCountOf(system: JsonObject): number {
  return toNumber(system.maxMembersCount) ?? DEFAULT_MAX_MEMBERS_COUNT;
}

/** A timeout in ms from the session constants; null = never. */
export function timeoutOf(constants: PropertyBag, name: TimeoutName): number | null {
  const value = constants.system[name];
  return typeof value === 'number' ? value : null;
}
