import { isJsonObject, type JsonObject, type JsonValue } from '../json';
import type { SharedJsonTexts } from '../shared-json-texts';

/**
 * The exact text of a session document or of a rendering of it, with the text of every `custom` value (the
 * session's, each member's and each server's, in `constants` and `properties`) made once in `shared`: a PUT
 * serialises the stored document and then the answer, which shares those objects (render.ts), so the answer costs
 * little more than its own fields. Both shapes keep the bags at the same paths.
 */
export function serializeSessionText(document: JsonObject, shared: SharedJsonTexts) {
  const shadow: JsonObject = { ...document };
  shadowBags(shadow, shared);
  for (const entries of ['members', 'servers'] as const) {
    const byName = document[entries];
    if (!isJsonObject(byName)) continue;
    const shadowed: JsonObject = {};
    for (const [name, entry] of Object.entries(byName)) {
      if (!isJsonObject(entry)) {
        shadowed[name] = entry;
        continue;
      }
      const copy: JsonObject = { ...entry };
      shadowBags(copy, shared);
      shadowed[name] = copy;
    }
    shadow[entries] = shadowed;
  }
  return shared.serialize(shadow);
}

/** Puts a stand-in for `custom` in the shadow's own copies of its `constants` and `properties` bags. */
function shadowBags(shadow: JsonObject, shared: SharedJsonTexts): void {
  for (const key of ['constants', 'properties'] as const) {
    const bag = shadow[key];
    if (isJsonObject(bag) && bag.custom !== undefined) {
      shadow[key] = { ...bag, custom: shared.standIn(bag.custom as JsonValue) };
    }
  }
}
