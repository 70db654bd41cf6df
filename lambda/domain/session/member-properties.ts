import { createHash } from 'node:crypto';
import { invalidValue } from '../errors';
import { isGuid } from '../guid';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from '../json';
import { MAX_ARRAY_ITEMS } from '../limits';
import { capabilitiesOf, type PropertyBag, type StoredMember } from '../session-document';
import {
  expectBoolean,
  expectIntegerArray,
  expectKnownKeys,
  expectObject,
  expectString,
  expectStringArray,
  expectXuid,
  readCustomChange,
} from '../validate';
import { mergeSystem } from './properties';

/** The fields of a member's `constants.system` (spec §2.7.3). */
export const MEMBER_SYSTEM_CONSTANTS = ['xuid', 'initialize', 'matchmakingResult', 'team', 'index'] as const;
type MemberSystemConstant = (typeof MEMBER_SYSTEM_CONSTANTS)[number];
/** Checks one field of a member's `constants.system` and returns the value to store. */
type MemberConstantReader = (path: string, value: JsonValue) => JsonValue;

/** One reader per field: a field without a check does not compile. */
const MEMBER_SYSTEM_CONSTANT_READERS = {
  xuid: (path, value) => expectXuid(path, value),
  // One documented example sends the string "false"; XSAPI reads only booleans, so render a boolean.
  initialize: (path, value) =>
    typeof value === 'string' ? value.toLowerCase() === 'true' : expectBoolean(path, value),
  matchmakingResult: (path, value) => expectObject(path, value),
  team: (path, value) => expectString(path, value, 100),
  // Rendering always reports the member's own index here (render.ts), whatever was sent.
  index: (_path, value) => value,
} satisfies Record<MemberSystemConstant, MemberConstantReader>;

/** The fields of a member's `properties.system` (spec §2.7.4). */
export const MEMBER_SYSTEM_PROPERTIES = [
  'active',
  'ready',
  'connection',
  'secureDeviceAddress',
  'initializationGroup',
  'groups',
  'encounters',
  'measurements',
  'serverMeasurements',
  'subscription',
  'subscriptions',
  'arbitration',
  'RolePreference',
] as const;
type MemberSystemProperty = (typeof MEMBER_SYSTEM_PROPERTIES)[number];

/** What a field's check sees besides its value. */
interface MemberSystemContext {
  readonly capabilities: JsonObject;
  readonly large: boolean;
  /** The session's next member index: `initializationGroup` names members below it. */
  readonly nextIndex: number;
}
/** Checks one non-null field of `members.me.properties.system`; throws a 400 naming `path`. */
type MemberSystemCheck = (path: string, value: JsonValue, context: MemberSystemContext) => void;

/** Validates `members.<key>.constants` of a member being added; returns the normalised bag. */
export function readMemberConstants(path: string, value: JsonValue | undefined): PropertyBag {
  if (value === undefined || value === null) return { system: {}, custom: {} };
  const bag = expectObject(path, value);
  expectKnownKeys(path, bag, ['system', 'custom']);
  const system = bag.system === undefined ? {} : cloneJson(expectObject(`${path}.system`, bag.system));
  expectKnownKeys(`${path}.system`, system, MEMBER_SYSTEM_CONSTANTS);
  for (const [k, v] of Object.entries(system)) {
    system[k] = MEMBER_SYSTEM_CONSTANT_READERS[k as MemberSystemConstant](`${path}.system.${k}`, v);
  }
  return { system, custom: cloneJson(readCustomChange(`${path}.custom`, bag.custom) ?? {}) };
}

const checkBoolean: MemberSystemCheck = (path, value) => {
  expectBoolean(path, value);
};
const checkObject: MemberSystemCheck = (path, value) => {
  expectObject(path, value);
};
const checkStrings: MemberSystemCheck = (path, value) => {
  expectStringArray(path, value, MAX_ARRAY_ITEMS, 100);
};

/** One check per field: a field without a check does not compile. */
const MEMBER_SYSTEM_CHECKS = {
  active: checkBoolean,
  ready: checkBoolean,
  connection: (path, value) => {
    // go-xsapi decodes every member's connection as a UUID and fails the whole read otherwise (family spec §6.6).
    if (typeof value !== 'string' || !isGuid(value)) {
      throw invalidValue(
        path,
        'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx): the ConnectionId the real-time activity ' +
          'service answered to the subscription to https://sessiondirectory.xboxlive.com/connections/.',
      );
    }
  },
  secureDeviceAddress: (path, value, { capabilities }) => {
    expectString(path, value, 4096);
    if (value !== '' && capabilities.connectivity !== true) {
      throw invalidValue(path, 'needs the connectivity capability in the session constants.');
    }
  },
  initializationGroup: (path, value, { large, nextIndex }) => {
    if (large) throw invalidValue(path, 'is not available on large sessions.');
    expectIntegerArray(path, value, MAX_ARRAY_ITEMS, 0, Math.max(0, nextIndex - 1));
  },
  groups: checkStrings,
  encounters: checkStrings,
  measurements: checkObject,
  serverMeasurements: checkObject,
  subscription: (path, value) => {
    const sub = expectObject(path, value);
    expectKnownKeys(path, sub, ['id', 'changeTypes']);
    if (sub.id !== undefined) expectString(`${path}.id`, sub.id, 100);
    if (sub.changeTypes !== undefined) expectStringArray(`${path}.changeTypes`, sub.changeTypes, 32, 64);
  },
  subscriptions: (path, value, { large }) => {
    if (large) throw invalidValue(path, 'is not available on large sessions.');
    for (const [id, entry] of Object.entries(expectObject(path, value))) {
      if (entry !== null) expectObject(`${path}.${id}`, entry);
    }
  },
  arbitration: checkObject,
  RolePreference: checkObject,
} satisfies Record<MemberSystemProperty, MemberSystemCheck>;

function validateMemberSystemField(
  path: string,
  key: MemberSystemProperty,
  value: JsonValue,
  sessionConstants: PropertyBag,
  nextIndex: number,
) {
  if (value === null) return;
  const capabilities = capabilitiesOf(sessionConstants);
  MEMBER_SYSTEM_CHECKS[key](path, value, { capabilities, large: capabilities.large === true, nextIndex });
}

/** Validates `members.me.properties` (spec §2.7.4). */
export function readMemberPropertiesChange(
  path: string,
  value: JsonValue | undefined,
  sessionConstants: PropertyBag,
  nextIndex: number,
): { system: JsonObject; custom?: JsonObject } {
  if (value === undefined || value === null) return { system: {} };
  const bag = expectObject(path, value);
  expectKnownKeys(path, bag, ['system', 'custom']);
  const system = bag.system === undefined || bag.system === null ? {} : expectObject(`${path}.system`, bag.system);
  expectKnownKeys(`${path}.system`, system, MEMBER_SYSTEM_PROPERTIES);
  for (const [k, v] of Object.entries(system)) {
    validateMemberSystemField(`${path}.system.${k}`, k as MemberSystemProperty, v, sessionConstants, nextIndex);
  }
  const custom = readCustomChange(`${path}.custom`, bag.custom);
  return custom === undefined ? { system } : { system, custom };
}

/** Device token derived from a secure device address: short, stable, case-insensitive (< 40 bytes, spec §2.7.2). */
export function deviceTokenOf(secureDeviceAddress: string): string {
  return createHash('sha256').update(secureDeviceAddress).digest('hex').slice(0, 16);
}

/**
 * Merges a member's own system properties: fields replace whole, `null` deletes, `subscriptions` merges per id,
 * `encounters` is consumed and never stored (spec §2.7.4).
 */
export function mergeMemberSystem(member: StoredMember, change: JsonObject): void {
  const current = member.properties.system;
  const fields: JsonObject = {};
  for (const [key, value] of Object.entries(change)) {
    if (key === 'encounters') continue;
    fields[key] =
      key === 'subscriptions' && value !== null
        ? mergeSystem(isJsonObject(current.subscriptions) ? current.subscriptions : {}, value as JsonObject)
        : value;
  }
  const system = mergeSystem(current, fields);
  if (system.active === true && system.ready === true) {
    throw invalidValue('members.me.properties.system', 'cannot set both active and ready to true.');
  }
  const sda = system.secureDeviceAddress;
  if (typeof sda === 'string' && sda !== '') member.deviceToken = deviceTokenOf(sda);
  else delete member.deviceToken;
  // Measurements are to other devices: the member's own device token may not be among them (spec §2.7.4).
  const own = member.deviceToken;
  if (own !== undefined && isJsonObject(change.measurements)) {
    if (Object.keys(change.measurements).some((token) => token.toLowerCase() === own)) {
      throw invalidValue(
        'members.me.properties.system.measurements',
        `must not contain the member's own device token (${own}); measure the other members' devices.`,
      );
    }
  }
  member.properties.system = system;
}
