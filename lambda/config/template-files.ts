import { type JsonValue, parseExactJson } from '../domain/json';
import { readServiceConfig, type SessionTemplate, type TemplateCatalogue } from '../domain/templates';
import { readServiceConfigFiles } from './service-config-files';

/**
 * Loads every `<scid>.json` in the folder (once per container) and checks every template by the rules of a creating
 * PUT. A malformed file or a bad template throws an Error naming the file (and the template and the rule), so it
 * stops the service at start-up (`npm start`, a Lambda cold start) instead of failing every creating PUT later.
 */
export function loadTemplateCatalogue(folder: string): TemplateCatalogue {
  const catalogue = new Map<string, Map<string, SessionTemplate>>();
  for (const { path, scid, text } of readServiceConfigFiles(folder)) {
    let json: JsonValue;
    try {
      json = parseExactJson(text);
    } catch (error) {
      throw new Error(`${path}: not valid JSON (${(error as Error).message})`, { cause: error });
    }
    catalogue.set(scid, readServiceConfig(path, json));
  }
  return catalogue;
}
