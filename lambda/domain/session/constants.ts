import { MpsdError } from '../errors';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue, jsonEquals } from '../json';
import type { PropertyBag } from '../session-document';
import { expectCustom, expectKnownKeys, expectObject, readCustomChange } from '../validate';
import { DEFAULT_SYSTEM_CONSTANTS, TIMEOUT_NAMES } from './constants-defaults';
import { validateSystemConstants } from './constants-schema';
import { isLegacyContract, upgradeLegacySystemConstants } from './legacy-contract';

// A session's constants over its life: read from a request (or a template), assembled once at creation, and fixed
// after it (the same values again are accepted). What each field may hold is constants-schema.ts.

function mergeWithoutConflict(path: string, base: JsonObject, extra: JsonObject, into: JsonObject): void {
  for (const [key, value] of Object.entries(extra)) {
    if (Object.hasOwn(base, key)) {
      if (!jsonEquals(base[key], value)) {
        throw new MpsdError(
          'ConstantsConflict',
          `${path}.${key} is already set by the session template and cannot be changed; send the same value or leave it out.`,
        );
      }
    } else {
      into[key] = cloneJson(value);
    }
  }
}

/**
 * Session constants at creation (spec §2.5, §3): template constants, then request constants for what the template
 * leaves unset (a conflicting value is 409), then the documented defaults. A template `null` keeps a field unset,
 * which for a timeout means "never".
 */
export function assembleConstants(template: PropertyBag, request: PropertyBag | undefined): PropertyBag {
  const system = cloneJson(template.system);
  if (request !== undefined) mergeWithoutConflict('constants.system', template.system, request.system, system);
  for (const [key, value] of Object.entries(DEFAULT_SYSTEM_CONSTANTS)) {
    if (!Object.hasOwn(system, key)) system[key] = value;
  }
  for (const [key, value] of Object.entries(system)) {
    // A null keeps the field unset; only the timeouts keep an explicit null, which means "never" (spec §2.4).
    if (value === null && !(TIMEOUT_NAMES as readonly string[]).includes(key)) delete system[key];
  }
  validateSystemConstants(system);
  // Enum values are accepted in any case (XSAPI fixtures send "Open") but stored lower-case, because the access rules
  // compare them exactly: a "Private" session must be as private as a "private" one.
  if (typeof system.visibility === 'string') system.visibility = system.visibility.toLowerCase();

  // The template's custom and the request's are both objects (expectCustom); the request adds keys, never changes one.
  const custom = expectCustom('constants.custom', cloneJson(template.custom));
  if (request !== undefined && request.custom !== undefined) {
    mergeWithoutConflict('constants.custom', custom, expectCustom('constants.custom', request.custom), custom);
  }
  return { system, custom };
}

/**
 * Constants sent to an existing session: accepted when every field equals what the session holds (PUTs are
 * idempotent), 409 otherwise: constants are fixed at creation (spec §1.4).
 */
export function checkConstantsUnchanged(current: PropertyBag, request: PropertyBag): void {
  for (const [key, value] of Object.entries(request.system)) {
    if (!jsonEquals(current.system[key], value)) {
      throw new MpsdError(
        'ConstantsConflict',
        `constants.system.${key} differs from the session's value; session constants can only be set when the session is created.`,
      );
    }
  }
  const custom = request.custom;
  if (isJsonObject(custom) && isJsonObject(current.custom)) {
    for (const [key, value] of Object.entries(custom)) {
      if (!jsonEquals(current.custom[key], value)) {
        throw new MpsdError(
          'ConstantsConflict',
          `constants.custom.${key} differs from the session's value; session constants can only be set when the session is created.`,
        );
      }
    }
  } else if (custom !== undefined && !jsonEquals(current.custom, custom)) {
    throw new MpsdError(
      'ConstantsConflict',
      "constants.custom differs from the session's value; session constants can only be set when the session is created.",
    );
  }
}

/** Reads the `constants` of a PUT body (and of a session template, which is a constants-only body, spec §3). */
export function readConstantsChange(value: JsonValue, contractVersion: number): PropertyBag {
  const bag = expectObject('constants', value);
  expectKnownKeys('constants', bag, ['system', 'custom']);
  const system = bag.system === undefined ? {} : expectObject('constants.system', bag.system);
  return {
    system: isLegacyContract(contractVersion) ? upgradeLegacySystemConstants(system) : system,
    ...(bag.custom === undefined ? {} : { custom: readCustomChange('constants.custom', bag.custom) }),
  } as PropertyBag;
}
