import { basename } from 'node:path';
import { type FairUsePolicy, readFairUsePolicy } from '../domain/fair-use';
import { readServiceConfigFiles } from './service-config-files';

/**
 * Fair-use policies by lower-cased SCID, from the optional top-level `fairUseLimits` of each `<scid>.json` in the
 * templates folder (the same per-SCID configuration file as the session templates). SCIDs without one get MPSD's
 * defaults. A malformed value throws, naming the file, so it stops start-up.
 */
export function loadFairUsePolicies(folder: string): Map<string, FairUsePolicy> {
  const policies = new Map<string, FairUsePolicy>();
  for (const { path, scid, text } of readServiceConfigFiles(folder)) {
    const json: unknown = JSON.parse(text);
    if (typeof json !== 'object' || json === null || !('fairUseLimits' in json)) continue;
    const policy = readFairUsePolicy(
      `${basename(path)}: fairUseLimits`,
      (json as { fairUseLimits: unknown }).fairUseLimits,
    );
    policies.set(scid, policy);
  }
  return policies;
}
