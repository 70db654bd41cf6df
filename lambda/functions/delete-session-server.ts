import type { ApiHandler } from '../http/api-types';
import { deleteSessionServer } from '../http/session-sub-resources';
import { lambdaHandler } from '../runtime/lambda-runtime';
import { sessionResourceDeps } from '../runtime/wiring';

/** Lambda entry for `DELETE .../sessions/{sessionName}/servers/{serverName}`. */
export const handler: ApiHandler = lambdaHandler('deleteSessionServer', deleteSessionServer, sessionResourceDeps);
