import { AppError } from '../core/errors.ts';

/** The Web Locks API as far as a run needs it (absent in old browsers and on insecure pages). */
export interface RunLocks {
  request<T>(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

/**
 * Runs `work` holding the exclusive lock `name` for as long as it runs, so that a saved run (a ranking) resumed in
 * two tabs is written by one: the second fails at once with RUN_OPEN_ELSEWHERE. Without Web Locks, `work` runs
 * unguarded.
 */
export function holdingRunLock<T>(name: string, work: () => Promise<T>, locks: RunLocks | null = browserLocks()): Promise<T> {
  if (locks === null) return work();
  return locks.request(name, { ifAvailable: true }, async (lock) => {
    if (lock === null) {
      throw new AppError('RUN_OPEN_ELSEWHERE', 'This run is open in another tab of this browser, which is writing it.', {
        hint: 'Switch to that tab, or stop it or close it, then resume here.',
      });
    }
    return work();
  });
}

function browserLocks(): RunLocks | null {
  return (globalThis.navigator as (Navigator & { locks?: RunLocks }) | undefined)?.locks ?? null;
}
