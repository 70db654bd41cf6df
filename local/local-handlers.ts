import type { RuntimeConfig } from '../lambda/runtime/runtime-config';
import { makeSessionHandlers, makeStores, type SessionHandlers } from '../lambda/runtime/wiring';
import type { SessionStore } from '../lambda/store/session-store';

/** Options of {@link makeLocalHandlers}. */
export interface LocalHandlerOptions {
  /** Wraps the session store, e.g. with fault injection (local/fault-injection.ts); the store as it is when absent. */
  readonly decorateStore?: (store: SessionStore) => SessionStore;
}

/**
 * Every function's handler over the DynamoDB (Local) stores the configuration names, the session store wrapped by
 * `decorateStore`: what `npm start` and the tests serve. Store decoration happens only here, in local/, which no
 * Lambda bundle can contain (nothing in lambda/ imports local/).
 */
export function makeLocalHandlers(config: RuntimeConfig, options: LocalHandlerOptions = {}): SessionHandlers {
  if (options.decorateStore === undefined) return makeSessionHandlers(config);
  const stores = makeStores(config);
  return makeSessionHandlers(config, { ...stores, sessions: options.decorateStore(stores.sessions) });
}
