import type { ApiHandler } from '../http/api-types';
import { lambdaHandler } from '../runtime/lambda-runtime';

/** Lambda entry for `POST /serviceconfigs/{scid}[/sessiontemplates/{sessionTemplateName}]/batch`. */
export const handler: ApiHandler = lambdaHandler('batchQuerySessions');
