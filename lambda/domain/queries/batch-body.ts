import { MpsdError } from '../errors';
import { isJsonObject, type JsonValue } from '../json';
import { isXuid, XUID_RULE } from '../xuid';

/** The most xuids one batch query takes (§5.3: undocumented; §7 item 18). */
export const MAX_BATCH_XUIDS = 100;

/**
 * The body of a batch query (spec/mpsd-family.md §5.3): `{"xuids": ["1234", ...]}`, 1 to MAX_BATCH_XUIDS xuid strings
 * (XSAPI writes them as strings), in request order; 400 naming what is wrong otherwise.
 */
export function readBatchXuids(body: JsonValue | undefined): string[] {
  if (!isJsonObject(body) || !Array.isArray(body.xuids)) {
    throw new MpsdError('InvalidRequest', 'The body of a batch query is {"xuids": ["<xuid>", ...]}.');
  }
  const xuids = body.xuids;
  if (xuids.length === 0 || xuids.length > MAX_BATCH_XUIDS) {
    throw new MpsdError('InvalidRequest', `xuids holds 1 to ${MAX_BATCH_XUIDS} xuids, not ${xuids.length}.`);
  }
  return xuids.map((xuid, i) => {
    if (typeof xuid !== 'string' || !isXuid(xuid)) {
      throw new MpsdError(
        'InvalidRequest',
        `xuids[${i}] is not a xuid string: a xuid is ${XUID_RULE}, written as a JSON string.`,
      );
    }
    return xuid;
  });
}
