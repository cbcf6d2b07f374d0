import { LIFE_LOCK_PREFIX, type LifeLockMessage } from '../src/core/workerLife.ts';

/**
 * Holds a Web Lock until this worker ends and tells the page its name (see `src/core/workerLife.ts`). Where
 * Web Locks are missing, the page falls back on the worker's error event alone.
 */
export function holdLifeLock(post: (message: LifeLockMessage) => void): void {
  if (typeof navigator === 'undefined' || navigator.locks === undefined) return;
  const name = `${LIFE_LOCK_PREFIX}${crypto.randomUUID()}`;
  navigator.locks
    .request(name, () => {
      post({ lifeLock: name });
      return new Promise<never>(() => undefined); // held until the worker is gone
    })
    .catch(() => undefined); // never granted: the page keeps its other signal
}
