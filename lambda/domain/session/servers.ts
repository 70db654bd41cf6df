import { invalidValue, MpsdError } from '../errors';
import type { JsonValue } from '../json';
import { MAX_SERVERS } from '../limits';
import type { Principal } from '../principal';
import type { SessionDocument } from '../session-document';
import { expectKnownKeys, expectObject, readCustomChange } from '../validate';
import { mergeCustom, mergeSystem } from './properties';

/** Applies the `servers` element (spec §2.13): written by servers only, each entry merged or deleted by name. */
export function applyServers(session: SessionDocument, value: JsonValue, principal: Principal): void {
  if (!principal.isServer) {
    throw new MpsdError('ServersRequireServer', 'The servers element can only be written by a server principal.');
  }
  for (const [name, entry] of Object.entries(expectObject('servers', value))) {
    if (entry === null) {
      delete session.servers[name];
      continue;
    }
    const body = expectObject(`servers.${name}`, entry);
    expectKnownKeys(`servers.${name}`, body, ['constants', 'properties']);
    // Own entries only: a server named "constructor" must not pick up Object's inherited member.
    const current = (Object.hasOwn(session.servers, name) ? session.servers[name] : undefined) ?? {
      constants: { system: {}, custom: {} },
      properties: { system: {}, custom: {} },
    };
    for (const part of ['constants', 'properties'] as const) {
      const bagValue = body[part];
      if (bagValue === undefined || bagValue === null) continue;
      const bag = expectObject(`servers.${name}.${part}`, bagValue);
      expectKnownKeys(`servers.${name}.${part}`, bag, ['system', 'custom']);
      if (bag.system !== undefined && bag.system !== null) {
        current[part].system = mergeSystem(
          current[part].system,
          expectObject(`servers.${name}.${part}.system`, bag.system),
        );
      }
      current[part].custom = mergeCustom(
        current[part].custom,
        readCustomChange(`servers.${name}.${part}.custom`, bag.custom),
      );
    }
    session.servers[name] = current;
  }
  if (Object.keys(session.servers).length > MAX_SERVERS) {
    throw invalidValue('servers', `can hold at most ${MAX_SERVERS} entries.`);
  }
}
