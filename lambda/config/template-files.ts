import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExactJson } from '../domain/json';
import { readServiceConfig, type SessionTemplate, type TemplateCatalogue } from '../domain/templates';

const SCID_FILE = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\.json$/;

/**
 * Loads every `<scid>.json` in the folder (once per container). A malformed file throws, naming the file, so a bad
 * template stops the service at start-up instead of failing requests later.
 */
export function loadTemplateCatalogue(folder: string): TemplateCatalogue {
  const catalogue = new Map<string, Map<string, SessionTemplate>>();
  for (const file of readdirSync(folder).sort()) {
    const match = SCID_FILE.exec(file);
    if (match === null) continue;
    const path = join(folder, file);
    catalogue.set((match[1] ?? '').toLowerCase(), readServiceConfig(path, parseExactJson(readFileSync(path, 'utf8'))));
  }
  return catalogue;
}
