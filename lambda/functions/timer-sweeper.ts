import { sweeperLambdaHandler } from '../runtime/sweeper-runtime';

/** Lambda entry for the timer sweeper, invoked by an EventBridge rule once a minute (README, "Timers that fire on their own"). */
export const handler = sweeperLambdaHandler();
