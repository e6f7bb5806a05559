/**
 * A cap on concurrent calls with a short queue: what keeps a burst of status requests from becoming a
 * burst of vendor calls with the host's key.
 *
 * @module
 */

/** Thrown by a {@link CallLimit} when a call waited too long, or the queue was full. */
export class BusyError extends Error {
  constructor() {
    super('Too many calls at once');
    this.name = 'BusyError';
  }
}

/** Runs a task once a slot is free. @throws {BusyError} when none frees in time. */
export type CallLimit = <T>(task: () => Promise<T>) => Promise<T>;

/** Most calls waiting for a slot; past that a call is refused at once. */
export const MAX_QUEUED_CALLS = 100;

/**
 * At most `max` tasks run at once; the others wait, first come first served, up to `queueTimeoutMs`.
 *
 * @returns the limit, to wrap each call in.
 */
export function createCallLimit(max: number, queueTimeoutMs: number): CallLimit {
  let active = 0;
  const queue: { start: () => void }[] = [];
  const release = () => {
    const next = queue.shift();
    // The slot passes straight to the next waiter: `active` stays the same.
    if (next) next.start();
    else active--;
  };
  return async (task) => {
    if (active < max) {
      active++;
    } else {
      if (queue.length >= MAX_QUEUED_CALLS) throw new BusyError();
      await new Promise<void>((resolve, reject) => {
        const entry = {
          start: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          queue.splice(queue.indexOf(entry), 1);
          reject(new BusyError());
        }, queueTimeoutMs);
        queue.push(entry);
      });
    }
    try {
      return await task();
    } finally {
      release();
    }
  };
}
