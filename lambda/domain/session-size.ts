import { MpsdError } from './errors';
import { type JsonValue, stringifyExactJson } from './json';
import { MAX_SESSION_DOCUMENT_BYTES } from './limits';
import type { SessionDocument } from './session-document';

/**
 * Refuses a change that would make the session larger than one DynamoDB item can hold (spec §7.3 leaves sizes
 * open). Checked before the write, so the session stays writable: without it one member could fill the item with
 * custom properties and every later join would fail.
 */
export function checkSessionSize(session: SessionDocument): void {
  const bytes = Buffer.byteLength(stringifyExactJson(session as unknown as JsonValue));
  if (bytes > MAX_SESSION_DOCUMENT_BYTES) {
    throw new MpsdError(
      'SessionTooLarge',
      `This change would make the session ${bytes} bytes of JSON; a session holds at most ${MAX_SESSION_DOCUMENT_BYTES}. Store less in custom properties.`,
    );
  }
}
