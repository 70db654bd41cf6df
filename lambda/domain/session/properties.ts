import { invalidValue } from '../errors';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from '../json';
import { MAX_ARRAY_ITEMS, MAX_INT32 } from '../limits';
import { capabilitiesOf, type PropertyBag } from '../session-document';
import {
  expectBoolean,
  expectEnum,
  expectInteger,
  expectIntegerArray,
  expectKnownKeys,
  expectObject,
  expectString,
  expectStringArray,
  readCustomChange,
} from '../validate';
import { visibilityOf } from './constants-defaults';

export const RESTRICTIONS = ['none', 'local', 'followed'] as const;
export type Restriction = (typeof RESTRICTIONS)[number];

// From most to least permissive; readRestriction may not be stricter than joinRestriction (spec §2.6).
const RESTRICTION_RANK: Record<Restriction, number> = { none: 0, followed: 1, local: 2 };

/** The fields of a session's `properties.system` (spec §2.6). */
export const SESSION_SYSTEM_PROPERTIES = [
  'keywords',
  'turn',
  'joinRestriction',
  'readRestriction',
  'closed',
  'locked',
  'host',
  'initializationSucceeded',
  'serverConnectionStringCandidates',
  'matchmaking',
  'matchmakingResubmit',
  'allocateCloudCompute',
  'owners',
] as const;
type SessionSystemProperty = (typeof SESSION_SYSTEM_PROPERTIES)[number];

/** What a field's check sees besides its value: the session's constants and capabilities. */
interface SessionSystemContext {
  readonly constants: PropertyBag;
  readonly capabilities: JsonObject;
  readonly large: boolean;
}
/** Checks one non-null field of a request's `properties.system`; throws a 400 naming `path`. */
type SessionSystemCheck = (path: string, value: JsonValue, context: SessionSystemContext) => void;

const CLIENT_RESULT_STATUSES = ['searching', 'expired', 'found', 'failed', 'canceled'] as const;

function validateSessionReferenceObject(path: string, value: JsonValue): void {
  const ref = expectObject(path, value);
  expectKnownKeys(path, ref, ['scid', 'templateName', 'name']);
  for (const [k, v] of Object.entries(ref)) expectString(`${path}.${k}`, v, 100);
}

function validateMatchmaking(path: string, value: JsonValue, capabilities: JsonObject): void {
  const mm = expectObject(path, value);
  expectKnownKeys(path, mm, ['targetSessionConstants', 'serverConnectionString', 'clientResult', 'resubmit']);
  for (const [k, v] of Object.entries(mm)) {
    const p = `${path}.${k}`;
    if (k === 'targetSessionConstants') expectObject(p, v);
    else if (k === 'serverConnectionString') expectString(p, v);
    else if (k === 'resubmit') expectBoolean(p, v);
    else {
      if (capabilities.clientMatchmaking !== true) throw invalidValue(p, 'needs the clientMatchmaking capability.');
      const result = expectObject(p, v);
      expectKnownKeys(p, result, ['status', 'statusDetails', 'typicalWait', 'targetSessionRef']);
      for (const [rk, rv] of Object.entries(result)) {
        if (rk === 'status') expectEnum(`${p}.status`, rv, CLIENT_RESULT_STATUSES);
        else if (rk === 'statusDetails') expectString(`${p}.statusDetails`, rv);
        else if (rk === 'typicalWait') expectInteger(`${p}.typicalWait`, rv, 0, MAX_INT32);
        else validateSessionReferenceObject(`${p}.targetSessionRef`, rv);
      }
    }
  }
}

const checkBoolean: SessionSystemCheck = (path, value) => {
  expectBoolean(path, value);
};

/** One check per field: a field without a check does not compile. */
const SESSION_SYSTEM_CHECKS = {
  keywords: (path, value, { constants }) => {
    expectStringArray(path, value, MAX_ARRAY_ITEMS, 256);
    if (visibilityOf(constants.system) === 'private') throw invalidValue(path, 'cannot be set on a private session.');
  },
  turn: (path, value, { large }) => {
    if (large) throw invalidValue(path, 'is not available on large sessions.');
    expectIntegerArray(path, value, MAX_ARRAY_ITEMS, 0, MAX_INT32);
  },
  joinRestriction: (path, value, { large }) => {
    expectEnum(path, value, RESTRICTIONS);
    if (large && String(value).toLowerCase() !== 'none') throw invalidValue(path, 'must be "none" on large sessions.');
  },
  readRestriction: (path, value) => {
    expectEnum(path, value, RESTRICTIONS);
  },
  closed: checkBoolean,
  locked: checkBoolean,
  host: (path, value, { large }) => {
    if (large) throw invalidValue(path, 'is not available on large sessions.');
    expectString(path, value, 39);
  },
  initializationSucceeded: checkBoolean,
  serverConnectionStringCandidates: (path, value) => {
    expectStringArray(path, value, MAX_ARRAY_ITEMS, 256);
  },
  matchmaking: (path, value, { capabilities }) => {
    validateMatchmaking(path, value, capabilities);
  },
  matchmakingResubmit: checkBoolean,
  allocateCloudCompute: checkBoolean,
  owners: (path, value) => {
    expectIntegerArray(path, value, MAX_ARRAY_ITEMS, 0, MAX_INT32);
  },
} satisfies Record<SessionSystemProperty, SessionSystemCheck>;

/** Checks one `properties.system` field sent in a request (spec §2.6); null (delete) is always allowed. */
function validateSessionSystemField(key: SessionSystemProperty, value: JsonValue, constants: PropertyBag): void {
  if (value === null) return;
  const capabilities = capabilitiesOf(constants);
  SESSION_SYSTEM_CHECKS[key](`properties.system.${key}`, value, {
    constants,
    capabilities,
    large: capabilities.large === true,
  });
}

/**
 * The first-level merge of every `system` and `custom` object (spec §2.1): each named field is replaced whole, a
 * `null` value deletes it, anything below that level is stored verbatim. Keys keep their place; new ones are
 * appended in the request's order.
 */
export function mergeSystem(current: JsonObject, change: JsonObject): JsonObject {
  const merged: JsonObject = { ...current };
  for (const [key, value] of Object.entries(change)) {
    if (value === null) delete merged[key];
    else merged[key] = cloneJson(value);
  }
  return merged;
}

/** Merges the custom part of a bag by the same rule; a change is always an object (readCustomChange). */
export function mergeCustom(current: JsonValue, change: JsonObject | undefined): JsonValue {
  if (change === undefined) return current;
  return mergeSystem(isJsonObject(current) ? current : {}, change);
}

/** Validates and normalises a request's `properties` bag for a session. */
export function readPropertiesChange(
  value: JsonValue,
  constants: PropertyBag,
): { system: JsonObject; custom?: JsonObject } {
  const bag = expectObject('properties', value);
  expectKnownKeys('properties', bag, ['system', 'custom']);
  const system = bag.system === undefined || bag.system === null ? {} : expectObject('properties.system', bag.system);
  expectKnownKeys('properties.system', system, SESSION_SYSTEM_PROPERTIES);
  for (const [key, v] of Object.entries(system)) validateSessionSystemField(key as SessionSystemProperty, v, constants);
  const custom = readCustomChange('properties.custom', bag.custom);
  return custom === undefined ? { system } : { system, custom };
}

/** Rules that span fields, checked on the merged result (spec §2.6). Enum values are stored lower-case. */
export function finishSessionProperties(system: JsonObject, constants: PropertyBag): void {
  for (const key of ['joinRestriction', 'readRestriction'] as const) {
    const value = system[key];
    if (typeof value === 'string') system[key] = value.toLowerCase();
  }
  const { join, read } = restrictionsOf(system, constants);
  if (RESTRICTION_RANK[read] > RESTRICTION_RANK[join]) {
    throw invalidValue(
      'properties.system.readRestriction',
      `("${read}") must be at least as permissive as joinRestriction ("${join}"): none, then followed, then local.`,
    );
  }
  if (system.locked === true && system.closed !== true) {
    throw invalidValue('properties.system.locked', 'can be true only while closed is true.');
  }
  // Write-only: acted on and removed at once (spec §2.6). Member initialization episodes are not run here.
  delete system.initializationSucceeded;
}

/**
 * The effective join and read restrictions of a `properties.system` object, with their documented defaults: `local`
 * with userAuthorizationStyle, else `none` (spec §2.6).
 */
export function restrictionsOf(system: JsonObject, constants: PropertyBag): { join: Restriction; read: Restriction } {
  const fallback: Restriction = capabilitiesOf(constants).userAuthorizationStyle === true ? 'local' : 'none';
  return {
    join: (system.joinRestriction as Restriction | undefined) ?? fallback,
    read: (system.readRestriction as Restriction | undefined) ?? fallback,
  };
}
