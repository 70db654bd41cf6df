import type { ApiHandler } from '../http/api-types';
import { lambdaHandler } from '../runtime/lambda-runtime';

/** Lambda entry for `DELETE .../sessions/{sessionName}/servers/{serverName}`. */
export const handler: ApiHandler = lambdaHandler('deleteSessionServer');
