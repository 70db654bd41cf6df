import type { ApiHandler } from '../http/api-types';
import { lambdaHandler } from '../runtime/lambda-runtime';

/** Lambda entry for `GET /serviceconfigs/{scid}/sessiontemplates[/{sessionTemplateName}]`. */
export const handler: ApiHandler = lambdaHandler('getSessionTemplates');
