import { wrap, type Remote } from 'comlink';
import type { EngineApi } from '../../core/engineApi.ts';
import { AppError } from '../../core/errors.ts';
import { registerErrorTransfer } from '../../core/workerErrors.ts';

interface EngineClient {
  remote: Remote<EngineApi>;
  /** Rejects when the worker itself fails (script error, crash); a pending call would otherwise wait forever. */
  failed: Promise<never>;
}

let client: EngineClient | undefined;

/** The page's one engine worker, started on first use. */
export function engineClient(): EngineClient {
  if (client !== undefined) return client;
  registerErrorTransfer();
  const worker = new Worker(new URL('../../../workers/engine.worker.ts', import.meta.url), {
    type: 'module',
    name: 'engine',
  });
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (event) => {
      reject(
        new AppError('WORKER_FAILED', `The engine worker stopped: ${event.message || 'it could not start'}.`, {
          hint: 'Reload the page. If it happens again, try an up-to-date Chrome or Edge.',
        }),
      );
    });
  });
  failed.catch(() => undefined); // observed by callers through withEngine(); keep it from being "unhandled"
  client = { remote: wrap<EngineApi>(worker), failed };
  return client;
}

/** Runs one engine call, failing fast if the worker dies while it waits. */
export async function withEngine<T>(call: (engine: Remote<EngineApi>) => Promise<T>): Promise<T> {
  const { remote, failed } = engineClient();
  return Promise.race([call(remote), failed]);
}
