import { parseSessionReference, type SessionReference } from '../domain/session-reference';
import type { ResourceResolver } from './pipeline';
import { sessionPathOf } from './routes';

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
  logKeys: (ref) => sessionLogKeys(ref),
};

/**
 * How a request's line names its session: scid, template and name apart (Logs Insights filters on them,
 * docs/operations.md) and the session's path (what Content-Location says), each lower-cased as the key is.
 */
export function sessionLogKeys(ref: SessionReference): Record<string, string> {
  return {
    scid: ref.scid.toLowerCase(),
    template: ref.templateName.toLowerCase(),
    sessionName: ref.name.toLowerCase(),
    session: sessionPath(ref),
  };
}

/**
 * The session's path, as `Content-Location` reports it and the log names it (a path, not a URL: XSAPI splits it on
 * '/'), lower-cased as the session's key is (sessionKey).
 */
export function sessionPath(ref: SessionReference): string {
  return sessionPathOf({
    scid: ref.scid.toLowerCase(),
    templateName: ref.templateName.toLowerCase(),
    name: ref.name.toLowerCase(),
  });
}
