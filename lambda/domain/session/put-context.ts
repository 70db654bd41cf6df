import type { AccessGrant } from '../permissions';
import type { Principal } from '../principal';
import type { SessionTemplate } from '../templates';

/** Everything besides the session and the body that a PUT's outcome depends on. */
export interface PutContext {
  readonly principal: Principal;
  readonly template: SessionTemplate;
  /** Epoch ms; the service's clock, injected. */
  readonly now: number;
  readonly contractVersion: number;
  /** Makes a new GUID (branch, correlation id). */
  readonly newGuid: () => string;
  /** The correlation id of a deleted session of the same name: kept across re-creation (spec §2.2). */
  readonly previousCorrelationId?: string;
  /** A handle's extra access (a PUT through an invite or transfer handle, spec/mpsd-family.md §3.10). */
  readonly grant?: AccessGrant;
}
