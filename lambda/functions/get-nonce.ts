import type { ApiHandler } from '../http/api-types';
import { lambdaHandler } from '../runtime/lambda-runtime';

/** Lambda entry for `GET /nonce` (family spec §6.1: xbox-rta's one-use nonce for the real-time activity socket). */
export const handler: ApiHandler = lambdaHandler('getNonce');
