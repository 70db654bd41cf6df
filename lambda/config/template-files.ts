import { parseExactJson } from '../domain/json';
import { readServiceConfig, type SessionTemplate, type TemplateCatalogue } from '../domain/templates';
import { readServiceConfigFiles } from './service-config-files';

/**
 * Loads every `<scid>.json` in the folder (once per container). A malformed file throws, naming the file, so a bad
 * template stops the service at start-up instead of failing requests later.
 */
export function loadTemplateCatalogue(folder: string): TemplateCatalogue {
  const catalogue = new Map<string, Map<string, SessionTemplate>>();
  for (const { path, scid, text } of readServiceConfigFiles(folder)) {
    catalogue.set(scid, readServiceConfig(path, parseExactJson(text)));
  }
  return catalogue;
}
