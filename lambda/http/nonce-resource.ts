import { MpsdError } from '../domain/errors';
import type { NonceService } from '../service/nonce-service';
import type { HttpHandler, ResourceResolver } from './pipeline';

// `GET /nonce` (family spec §6.1): what xbox-rta (bedrock-portal) asks, with its Authorization header, before it opens
// the real-time activity socket with `?nonce=<value>` and no header. It runs in the same pipeline as every route, so
// the token is verified (and counted for fair use) exactly as for a session request.

/** What `GET /nonce` needs beyond the pipeline. */
export interface NonceResourceDeps {
  /** Absent where real-time activity is not configured (no connections table). */
  readonly nonces: NonceService | undefined;
  /** Epoch ms, for the `Date` header. */
  readonly clock: () => number;
}

/** The route names no resource: nothing to resolve. */
const noResource: ResourceResolver<unknown, undefined> = {
  resolve: () => undefined,
  logKeys: () => ({}),
};

/** `GET /nonce`: 200 `{"nonce": "<opaque URL-safe string>"}` (family-rta-nonce-response.json), one use, 60 s. */
export const getNonce: HttpHandler<NonceResourceDeps, undefined, 'none'> = {
  method: 'GET',
  body: 'none',
  // xbox-rta sends only its Authorization header here (family spec §1.2).
  contractVersion: 'not-sent',
  resolver: noResource,
  async handle({ principal }, deps) {
    if (deps.nonces === undefined) {
      // A deployment always configures it (the stack does); a local run without real-time activity does not.
      throw new MpsdError('InternalError', 'Real-time activity is not configured on this service.');
    }
    // The socket the nonce opens belongs to the token's user, as a socket opened with the token itself would.
    const nonce = await deps.nonces.issue(principal.xuid ?? 'server');
    return {
      statusCode: 200,
      headers: {
        date: new Date(deps.clock()).toUTCString(),
        'content-type': 'application/json',
        // A nonce is a one-use credential: no cache may keep or replay it.
        'cache-control': 'no-store',
      },
      body: JSON.stringify({ nonce }),
    };
  },
};
