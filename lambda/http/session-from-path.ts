import { parseSessionReference, type SessionReference, sessionPath } from '../domain/session-reference';
import type { ResourceResolver } from './pipeline';

/**
 * The resolver of every route under `/serviceconfigs/{scid}/sessiontemplates/{sessionTemplateName}/sessions/{sessionName}`
 * (the session resource and, next, its sub-resources): the session reference the path names, or 400
 * InvalidSessionReference. Pure: it needs no dependency and reads nothing.
 */
export const sessionFromPath: ResourceResolver<unknown, SessionReference> = {
  resolve({ event }) {
    const p = event.pathParameters ?? {};
    return parseSessionReference(p.scid, p.sessionTemplateName, p.sessionName);
  },
  logKeys: (ref) => ({ session: sessionPath(ref) }),
};
