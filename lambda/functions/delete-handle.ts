import type { ApiHandler } from '../http/api-types';
import { deleteHandle } from '../http/handle-resource';
import { lambdaHandler } from '../runtime/lambda-runtime';
import { handleResourceDeps } from '../runtime/wiring';

/** Lambda entry for `DELETE /handles/{handleId}`. */
export const handler: ApiHandler = lambdaHandler('deleteHandle', deleteHandle, handleResourceDeps);
