// The one RTA resource the session directory serves (family spec §6.5): pure, imports nothing.

/** The resource every client subscribes to for its ConnectionId, exactly as they send it. */
export const CONNECTIONS_RESOURCE = 'https://sessiondirectory.xboxlive.com/connections/';

const CONNECTIONS_RESOURCE_FORM =
  /^https:\/\/sessiondirectory\.xboxlive\.com\/connections(?:\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?)?\/?$/i;

/** What a subscribe frame's resource URI names. */
export type SubscribedResource =
  | { readonly kind: 'connections'; readonly reclaim?: string }
  | { readonly kind: 'unknown' };

/**
 * Reads a subscription's resource URI: the connections resource (case-insensitive, with or without the trailing
 * slash), or its reclaim form `…/connections/<ConnectionId>` that XSAPI 2016–2020 sent after a reconnect; any other
 * resource is unknown (answered UnknownResource, §6.3).
 */
export function readSubscribedResource(resource: string): SubscribedResource {
  const match = CONNECTIONS_RESOURCE_FORM.exec(resource.trim());
  if (match === null) return { kind: 'unknown' };
  const reclaim = match[1];
  return reclaim === undefined ? { kind: 'connections' } : { kind: 'connections', reclaim: reclaim.toLowerCase() };
}
