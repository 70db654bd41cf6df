import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isScidShaped } from '../domain/session-reference';

/** One per-SCID configuration file, `<scid>.json`: its session templates and, optionally, its fair-use limits. */
export interface ServiceConfigFile {
  /** The file's path, for messages that name it. */
  readonly path: string;
  /** The SCID, lower-cased. */
  readonly scid: string;
  readonly text: string;
}

/** Reads every `<scid>.json` in the folder, in name order; other files are ignored. */
export function readServiceConfigFiles(folder: string): ServiceConfigFile[] {
  const files: ServiceConfigFile[] = [];
  for (const file of readdirSync(folder).sort()) {
    const scid = file.endsWith('.json') ? basename(file, '.json') : undefined;
    if (!isScidShaped(scid)) continue;
    const path = join(folder, file);
    files.push({ path, scid: scid.toLowerCase(), text: readFileSync(path, 'utf8') });
  }
  return files;
}
