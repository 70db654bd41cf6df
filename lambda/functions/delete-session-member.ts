import type { ApiHandler } from '../http/api-types';
import { deleteSessionMember } from '../http/session-sub-resources';
import { lambdaHandler } from '../runtime/lambda-runtime';
import { sessionResourceDeps } from '../runtime/wiring';

/** Lambda entry for `DELETE .../sessions/{sessionName}/members/me` and `.../members/{index}`. */
export const handler: ApiHandler = lambdaHandler('deleteSessionMember', deleteSessionMember, sessionResourceDeps);
