import { tapLambdaHandler } from '../runtime/rta-runtime';

/** Lambda entry for the tap function on the sessions table's stream (shoulder taps, family spec §6.8). */
export const handler = tapLambdaHandler();
