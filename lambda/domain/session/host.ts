import type { SessionDocument } from '../session-document';

/**
 * `host` must name a member's device token, else the field is deleted (spec §2.6). Device tokens compare
 * case-insensitively (spec §2.7.2). Run after members and properties are merged, so it sees both as written.
 */
export function dropUnmatchedHost(session: SessionDocument): void {
  const host = session.properties.system.host;
  if (typeof host !== 'string') return;
  const wanted = host.toLowerCase();
  if (!Object.values(session.members).some((m) => m.deviceToken?.toLowerCase() === wanted)) {
    delete session.properties.system.host;
  }
}
