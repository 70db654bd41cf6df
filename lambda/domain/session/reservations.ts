import { invalidValue, MpsdError } from '../errors';
import type { JsonValue } from '../json';
import { capabilitiesOf, findMemberByXuid, type SessionDocument } from '../session-document';
import { expectKnownKeys, expectObject } from '../validate';
import { addMember } from './join';
import { readMemberConstants } from './member-properties';
import type { PutContext } from './put-context';
import { isoTime } from './render';

/** `members.reserve_<n>` keys: a reservation for another user, appended in request order (spec §2.7.5). */
export const RESERVATION_KEY = /^reserve_(0|[1-9][0-9]{0,4})$/;

/** Applies one `members.reserve_<n>`; returns true when a reserved member was added. */
export function applyReservation(
  session: SessionDocument,
  key: string,
  value: JsonValue,
  context: PutContext,
): boolean {
  if (capabilitiesOf(session.constants).large === true) {
    throw new MpsdError('ConstantsConflict', 'Reservations are not available on large sessions.');
  }
  const entry = expectObject(`members.${key}`, value);
  expectKnownKeys(`members.${key}`, entry, ['constants']);
  const constants = readMemberConstants(`members.${key}.constants`, entry.constants);
  const xuid = constants.system.xuid;
  if (typeof xuid !== 'string') {
    throw invalidValue(`members.${key}.constants.system.xuid`, 'is required: a reservation names the user it is for.');
  }
  // A reservation lets its user in past visibility, `closed` and restrictions, so nobody may reserve one for
  // themselves: a stranger could otherwise walk into a private or closed session (spec §2.14).
  if (!context.principal.isServer && xuid === context.principal.xuid) {
    throw new MpsdError(
      'Forbidden',
      `members.${key} reserves a place for the caller itself; reservations are for other users. Join with members.me.`,
    );
  }
  // Reserving a user who is already in the session changes nothing, so a repeated PUT stays idempotent.
  if (findMemberByXuid(session, xuid) !== undefined) return false;
  addMember(session, {
    constants,
    properties: { system: {}, custom: {} },
    reserved: true,
    joinTime: isoTime(context.now),
    stateSince: context.now,
  });
  return true;
}
