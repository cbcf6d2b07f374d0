import { wrap, type Remote } from 'comlink';
import { AppError } from '../core/errors.ts';
import { registerErrorTransfer } from '../../workers/workerErrors.ts';

export interface WorkerClient<T> {
  remote: Remote<T>;
  /** Rejects when the worker itself fails (script error, crash); a pending call would otherwise wait forever. */
  failed: Promise<never>;
}

/**
 * Wraps a module worker with Comlink. `start` must contain the literal `new Worker(new URL(...), ...)` so
 * that Vite bundles the worker; `label` names it in errors.
 */
export function createWorkerClient<T>(start: () => Worker, label: string): WorkerClient<T> {
  registerErrorTransfer();
  const worker = start();
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (event) => {
      reject(
        new AppError('WORKER_FAILED', `The ${label} worker stopped: ${event.message || 'it could not start'}.`, {
          hint: 'Reload the page. If it happens again, try an up-to-date Chrome or Edge.',
        }),
      );
    });
  });
  failed.catch(() => undefined); // observed through call(); keep it from being reported as unhandled
  return { remote: wrap<T>(worker), failed };
}

/** Runs one call, failing fast if the worker dies while it waits. */
export function callWorker<T, R>(client: WorkerClient<T>, call: (remote: Remote<T>) => Promise<R>): Promise<R> {
  return Promise.race([call(client.remote), client.failed]);
}
