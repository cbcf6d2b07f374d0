import { wrap, type Remote } from 'comlink';
import type { AppError } from '../core/errors.ts';
import { lifeLockName } from '../core/workerLife.ts';
import { registerErrorTransfer } from '../../workers/workerErrors.ts';
import type { StartWorker } from './WorkerConnection.ts';

export interface WorkerLossErrors {
  /** The worker failed before it ever said it was alive (its script did not load or threw at once). */
  failedToStart: (detail: string) => AppError;
  /** The worker was alive and is gone; `detail` is the error event's message when there was one. */
  lost: (detail: string | null) => AppError;
}

/**
 * Starts a module worker behind Comlink and watches its life: its `error` event, and the Web Lock it holds
 * until it ends (see `src/core/workerLife.ts`), which is the only sign Chromium gives of a worker ended by the
 * browser or by `terminate()`. `create` must contain the literal `new Worker(new URL(...), ...)` so that Vite
 * bundles the worker; `onWorker` sees the raw Worker (the page's test hook ends it from there).
 */
export function startModuleWorker<T>(create: () => Worker, errors: WorkerLossErrors, onWorker?: (worker: Worker) => void): StartWorker<Remote<T>> {
  return (onLost) => {
    registerErrorTransfer();
    const worker = create();
    let alive = false;
    worker.addEventListener('error', (event) => {
      onLost(alive ? errors.lost(event.message || null) : errors.failedToStart(event.message || 'it could not start'));
    });
    worker.addEventListener('message', (event: MessageEvent) => {
      const name = lifeLockName(event.data);
      if (name === null) return;
      alive = true;
      // Granted only once the worker has released it, that is, once the worker is gone.
      navigator.locks.request(name, () => onLost(errors.lost(null))).catch(() => undefined);
    });
    onWorker?.(worker);
    return { remote: wrap<T>(worker), terminate: () => worker.terminate() };
  };
}
