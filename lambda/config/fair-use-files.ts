import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FairUsePolicy, readFairUsePolicy } from '../domain/fair-use';

const SCID_FILE = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\.json$/;

/**
 * Fair-use policies by lower-cased SCID, from the optional top-level `fairUseLimits` of each `<scid>.json` in the
 * templates folder (the same per-SCID configuration file as the session templates). SCIDs without one get MPSD's
 * defaults. A malformed value throws, naming the file, so it stops start-up.
 */
export function loadFairUsePolicies(folder: string): Map<string, FairUsePolicy> {
  const policies = new Map<string, FairUsePolicy>();
  for (const file of readdirSync(folder).sort()) {
    const match = SCID_FILE.exec(file);
    if (match === null) continue;
    const json: unknown = JSON.parse(readFileSync(join(folder, file), 'utf8'));
    if (typeof json !== 'object' || json === null || !('fairUseLimits' in json)) continue;
    const policy = readFairUsePolicy(`${file}: fairUseLimits`, (json as { fairUseLimits: unknown }).fairUseLimits);
    policies.set((match[1] ?? '').toLowerCase(), policy);
  }
  return policies;
}
