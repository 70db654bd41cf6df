import { invalidValue } from '../errors';
import { isJsonObject, type JsonObject } from '../json';
import type { TimeoutName } from './constants-schema';

// 104/105 spellings (spec §1.2): the `timeouts` object and `managedInitialization` with `autoEvaluate`.
const LEGACY_TIMEOUT_NAMES: Record<string, TimeoutName> = {
  reserved: 'reservedRemovalTimeout',
  inactive: 'inactiveRemovalTimeout',
  ready: 'readyRemovalTimeout',
  sessionEmpty: 'sessionEmptyTimeout',
};

/** Rewrites a 104/105 `constants.system` into 107 form, so the rest of the service knows one shape. */
export function upgradeLegacySystemConstants(system: JsonObject): JsonObject {
  const upgraded: JsonObject = {};
  for (const [key, value] of Object.entries(system)) {
    if (key === 'timeouts' && isJsonObject(value)) {
      for (const [legacy, v] of Object.entries(value)) {
        const name = LEGACY_TIMEOUT_NAMES[legacy];
        if (name === undefined) {
          throw invalidValue(
            `constants.system.timeouts.${legacy}`,
            'is not a 104/105 timeout (reserved, inactive, ready, sessionEmpty).',
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
