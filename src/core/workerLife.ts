/**
 * How a worker tells the page it is alive: it holds a Web Lock for its whole life and posts the lock's name.
 * The browser releases a worker's locks only when the worker is gone (a crash, out of memory, `terminate()`),
 * so the page, queued on that lock, learns of the end without polling and without a timer. Chromium fires no
 * event on the Worker object in those cases.
 */
export interface LifeLockMessage {
  lifeLock: string;
}

export const LIFE_LOCK_PREFIX = 'depictqa-worker-life-';

/** The lock name in a message from a worker, or null for any other message (Comlink's). */
export function lifeLockName(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const name = (data as Partial<LifeLockMessage>).lifeLock;
  return typeof name === 'string' && name.startsWith(LIFE_LOCK_PREFIX) ? name : null;
}
