import type { ApiHandler } from '../http/api-types';
import { putSession } from '../http/session-resource';
import { lambdaHandler } from '../runtime/lambda-runtime';
import { sessionResourceDeps } from '../runtime/wiring';

/** Lambda entry for `PUT .../sessions/{sessionName}`. */
export const handler: ApiHandler = lambdaHandler('putSession', putSession, sessionResourceDeps);
