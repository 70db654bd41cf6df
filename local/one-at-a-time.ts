/** `run`, never two at once; `settled()` waits for the run under way, if any, to end (whatever its outcome). */
export interface OneAtATime<T> {
  (): Promise<T>;
  settled(): Promise<void>;
}

/**
 * `run`, never two at once: a call while one is running waits for it to end (whatever its outcome) and then runs
 * afresh. The local timers (the sweeper, the real-time keepalive pass) use it so a slow pass is never overlapped by
 * the next one, as the deployed schedule's single invocation never is.
 */
export function oneAtATime<T>(run: () => Promise<T>): OneAtATime<T> {
  let running: Promise<T> | undefined;
  const settled = async () => {
    while (running !== undefined) await running.catch(() => undefined);
  };
  const next = async () => {
    await settled();
    const current = run();
    running = current;
    try {
      return await current;
    } finally {
      if (running === current) running = undefined;
    }
  };
  return Object.assign(next, { settled });
}
