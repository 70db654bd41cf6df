import { createHash } from 'node:crypto';
import { invalidValue } from './errors';
import { isGuid } from './guid';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from './json';
import { MAX_ARRAY_ITEMS } from './limits';
import { capabilitiesOf, type PropertyBag, type StoredMember } from './session-document';
import {
  expectBoolean,
  expectIntegerArray,
  expectKnownKeys,
  expectObject,
  expectString,
  expectStringArray,
  expectXuid,
  readCustomChange,
} from './validate';

const MEMBER_SYSTEM_CONSTANTS = ['xuid', 'initialize', 'matchmakingResult', 'team', 'index'] as const;
const MEMBER_SYSTEM_PROPERTIES = [
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

/** Validates `members.<key>.constants` of a member being added; returns the normalised bag. */
export function readMemberConstants(path: string, value: JsonValue | undefined): PropertyBag {
  if (value === undefined || value === null) return { system: {}, custom: {} };
  const bag = expectObject(path, value);
  expectKnownKeys(path, bag, ['system', 'custom']);
  const system = bag.system === undefined ? {} : cloneJson(expectObject(`${path}.system`, bag.system));
  expectKnownKeys(`${path}.system`, system, MEMBER_SYSTEM_CONSTANTS);
  for (const [k, v] of Object.entries(system)) {
    const p = `${path}.system.${k}`;
    if (k === 'xuid') system.xuid = expectXuid(p, v);
    // One documented example sends the string "false"; XSAPI reads only booleans, so render a boolean.
    else if (k === 'initialize')
      system.initialize = typeof v === 'string' ? v.toLowerCase() === 'true' : expectBoolean(p, v);
    else if (k === 'matchmakingResult') expectObject(p, v);
    else if (k === 'team') expectString(p, v, 100);
  }
  return { system, custom: cloneJson(readCustomChange(`${path}.custom`, bag.custom) ?? {}) };
}

function validateMemberSystemField(
  path: string,
  key: string,
  value: JsonValue,
  sessionConstants: PropertyBag,
  nextIndex: number,
) {
  if (value === null) return;
  const capabilities = capabilitiesOf(sessionConstants);
  const large = capabilities.large === true;
  switch (key) {
    case 'active':
    case 'ready':
      expectBoolean(path, value);
      break;
    case 'connection':
      // go-xsapi decodes every member's connection as a UUID and fails the whole read otherwise (family spec §6.6).
      if (typeof value !== 'string' || !isGuid(value)) {
        throw invalidValue(
          path,
          'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx): the ConnectionId the real-time activity ' +
            'service answered to the subscription to https://sessiondirectory.xboxlive.com/connections/.',
        );
      }
      break;
    case 'secureDeviceAddress':
      expectString(path, value, 4096);
      if (value !== '' && capabilities.connectivity !== true) {
        throw invalidValue(path, 'needs the connectivity capability in the session constants.');
      }
      break;
    case 'initializationGroup':
      if (large) throw invalidValue(path, 'is not available on large sessions.');
      expectIntegerArray(path, value, MAX_ARRAY_ITEMS, 0, Math.max(0, nextIndex - 1));
      break;
    case 'groups':
    case 'encounters':
      expectStringArray(path, value, MAX_ARRAY_ITEMS, 100);
      break;
    case 'measurements':
    case 'serverMeasurements':
    case 'arbitration':
    case 'RolePreference':
      expectObject(path, value);
      break;
    case 'subscription': {
      const sub = expectObject(path, value);
      expectKnownKeys(path, sub, ['id', 'changeTypes']);
      if (sub.id !== undefined) expectString(`${path}.id`, sub.id, 100);
      if (sub.changeTypes !== undefined) expectStringArray(`${path}.changeTypes`, sub.changeTypes, 32, 64);
      break;
    }
    case 'subscriptions':
      if (large) throw invalidValue(path, 'is not available on large sessions.');
      for (const [id, entry] of Object.entries(expectObject(path, value))) {
        if (entry !== null) expectObject(`${path}.${id}`, entry);
      }
      break;
  }
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
    validateMemberSystemField(`${path}.system.${k}`, k, v, sessionConstants, nextIndex);
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
  const system: JsonObject = { ...member.properties.system };
  for (const [key, value] of Object.entries(change)) {
    if (key === 'encounters') continue;
    if (key === 'subscriptions' && value !== null) {
      const merged: JsonObject = isJsonObject(system.subscriptions) ? { ...system.subscriptions } : {};
      for (const [id, entry] of Object.entries(value as JsonObject)) {
        if (entry === null) delete merged[id];
        else merged[id] = cloneJson(entry);
      }
      system.subscriptions = merged;
    } else if (value === null) delete system[key];
    else system[key] = cloneJson(value);
  }
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
