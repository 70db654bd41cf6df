/**
 * Runs the writes of one item (a session) one at a time within this process. Lambda gives a container one request at a
 * time, so there it never waits; a long-running host (the local server) would otherwise race its own requests for
 * the same item, and on a small machine the lost attempts cost more CPU than the writes. Races between processes
 * (containers) are still settled by the conditional write and the retry loop.
 */
export class WriteQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` after the tasks already queued for `key`; a failed task does not hold up the next. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
