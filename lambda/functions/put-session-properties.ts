import type { ApiHandler } from '../http/api-types';
import { putSessionProperties } from '../http/session-sub-resources';
import { lambdaHandler } from '../runtime/lambda-runtime';
import { sessionResourceDeps } from '../runtime/wiring';

/** Lambda entry for `PUT .../sessions/{sessionName}/properties`. */
export const handler: ApiHandler = lambdaHandler('putSessionProperties', putSessionProperties, sessionResourceDeps);
