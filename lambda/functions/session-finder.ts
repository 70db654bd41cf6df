import { finderLambdaHandler } from '../runtime/finder-runtime';

/** Lambda entry for the finder on the sessions table's stream (the index of sessions by xuid and keyword). */
export const handler = finderLambdaHandler();
