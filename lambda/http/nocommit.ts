import { MpsdError } from '../domain/errors';

/**
 * Reads `?nocommit=` (spec §1.4: `true` answers the merged result without storing it). `true` or `false` in any
 * letter case; absent is false. Anything else is 400, never a silent commit: API Gateway joins a repeated parameter
 * with commas (`?nocommit=true&nocommit=true` arrives as `true,true`), and a caller who asked not to commit must not
 * find its change stored.
 */
export function readNoCommit(value: string | undefined): boolean {
  if (value === undefined) return false;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new MpsdError(
    'InvalidRequest',
    `The nocommit query parameter is "${value.slice(0, 100)}"; send nocommit=true or nocommit=false, once.`,
  );
}
