import type { ApiHandler } from '../http/api-types';
import { getSession } from '../http/session-resource';
import { lambdaHandler } from '../runtime/lambda-runtime';
import { sessionResourceDeps } from '../runtime/wiring';

/** Lambda entry for `GET .../sessions/{sessionName}`. */
export const handler: ApiHandler = lambdaHandler('getSession', getSession, sessionResourceDeps);
