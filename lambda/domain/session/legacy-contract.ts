import { invalidValue } from '../errors';
import { cloneJson, isJsonObject, type JsonObject } from '../json';
import type { TimeoutName } from './constants-defaults';

// The contract versions and the one place 104/105 differ from 107 (spec §1.2): `constants.system` spells the
// timeouts as a `timeouts` object and member initialization as `managedInitialization` with `autoEvaluate` (the
// inverse of `externalEvaluation`). A 104/105 body is read into 107 form here, and a 107 session rendered back here,
// from the same table, so the two directions cannot disagree.

/** Contract versions the service answers in (spec §1.2): 107, and 104/105 (identical to each other). */
export const SUPPORTED_CONTRACT_VERSIONS = [104, 105, 107] as const;
export type ContractVersion = (typeof SUPPORTED_CONTRACT_VERSIONS)[number];

/** The version a template file is read in when it names none, and the one clients are told to send. */
export const CURRENT_CONTRACT_VERSION = 107;

/** True for 104 and 105, which spell `constants.system` the older way. */
export function isLegacyContract(contractVersion: number): boolean {
  return contractVersion < CURRENT_CONTRACT_VERSION;
}

/** Each 107 timeout and its 104/105 name inside `timeouts`. */
const LEGACY_TIMEOUT_NAMES = {
  reservedRemovalTimeout: 'reserved',
  inactiveRemovalTimeout: 'inactive',
  readyRemovalTimeout: 'ready',
  sessionEmptyTimeout: 'sessionEmpty',
} as const satisfies Record<TimeoutName, string>;

const TIMEOUT_OF_LEGACY_NAME = new Map<string, TimeoutName>(
  Object.entries(LEGACY_TIMEOUT_NAMES).map(([name, legacy]) => [legacy, name as TimeoutName]),
);

function legacyTimeoutName(name: string): string | undefined {
  return Object.hasOwn(LEGACY_TIMEOUT_NAMES, name) ? LEGACY_TIMEOUT_NAMES[name as TimeoutName] : undefined;
}

/** Rewrites a 104/105 `constants.system` into 107 form, so the rest of the service knows one shape. */
export function upgradeLegacySystemConstants(system: JsonObject): JsonObject {
  const upgraded: JsonObject = {};
  for (const [key, value] of Object.entries(system)) {
    if (key === 'timeouts' && isJsonObject(value)) {
      for (const [legacy, v] of Object.entries(value)) {
        const name = TIMEOUT_OF_LEGACY_NAME.get(legacy);
        if (name === undefined) {
          throw invalidValue(
            `constants.system.timeouts.${legacy}`,
            `is not a 104/105 timeout (${Object.values(LEGACY_TIMEOUT_NAMES).join(', ')}).`,
          );
        }
        upgraded[name] = v;
      }
    } else if (key === 'managedInitialization' && isJsonObject(value)) {
      const init: JsonObject = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === 'autoEvaluate') init.externalEvaluation = typeof v === 'boolean' ? !v : v;
        else init[k] = v;
      }
      upgraded.memberInitialization = init;
    } else {
      upgraded[key] = value;
    }
  }
  return upgraded;
}

/** Renders a stored (107) `constants.system` in 104/105 form; the `timeouts` object comes last, when it has any. */
export function downgradeToLegacySystemConstants(system: JsonObject): JsonObject {
  const rendered: JsonObject = {};
  const timeouts: JsonObject = {};
  for (const [key, value] of Object.entries(system)) {
    const legacyName = legacyTimeoutName(key);
    if (legacyName !== undefined) {
      timeouts[legacyName] = cloneJson(value);
    } else if (key === 'memberInitialization' && isJsonObject(value)) {
      const { externalEvaluation, ...rest } = value;
      rendered.managedInitialization = { ...cloneJson(rest), autoEvaluate: externalEvaluation !== true };
    } else {
      rendered[key] = cloneJson(value);
    }
  }
  if (Object.keys(timeouts).length > 0) rendered.timeouts = timeouts;
  return rendered;
}
