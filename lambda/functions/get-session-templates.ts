import type { ApiHandler } from '../http/api-types';
import { getSessionTemplates } from '../http/session-queries';
import { lambdaHandler } from '../runtime/lambda-runtime';
import { sessionQueryDeps } from '../runtime/wiring';

/** Lambda entry for `GET /serviceconfigs/{scid}/sessiontemplates[/{sessionTemplateName}]`. */
export const handler: ApiHandler = lambdaHandler('getSessionTemplates', getSessionTemplates, sessionQueryDeps);
