import type { ApiHandler } from '../http/api-types';
import { batchQuerySessions } from '../http/session-queries';
import { lambdaHandler } from '../runtime/lambda-runtime';
import { sessionQueryDeps } from '../runtime/wiring';

/** Lambda entry for `POST /serviceconfigs/{scid}[/sessiontemplates/{sessionTemplateName}]/batch`. */
export const handler: ApiHandler = lambdaHandler('batchQuerySessions', batchQuerySessions, sessionQueryDeps);
