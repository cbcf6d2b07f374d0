import type { EngineWorkerApi } from '../core/engine/api.ts';
import { AppError } from '../core/errors.ts';
import { atEngineMoment, installE2eHooks, setEngineWorker } from './e2eHooks.ts';
import { startModuleWorker } from './moduleWorker.ts';
import { PageEngine } from './PageEngine.ts';

installE2eHooks();

/**
 * The page's one engine, and its one way to it: a module worker started on first use and again after it is lost.
 * Components and actions call its methods (load, run, rank, cancel, the download caches); `useCapabilities()`
 * gives components the capability probe's outcome.
 */
export const pageEngine = new PageEngine(
  startModuleWorker<EngineWorkerApi>(
    () => new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' }),
    {
      failedToStart: (detail) =>
        new AppError('WORKER_FAILED', `The engine worker stopped: ${detail}.`, {
          hint: 'Reload the page. If it happens again, try an up-to-date Chrome or Edge.',
        }),
      lost: (detail) =>
        new AppError(
          'ENGINE_WORKER_LOST',
          detail === null
            ? 'The engine stopped: the browser ended its worker, most often because it ran out of memory.'
            : `The engine stopped after an error: ${detail}.`,
          {
            hint:
              'Run again: a new engine starts and reopens the model from the browser’s cache (or its folder) without downloading it. ' +
              'If it happens again, load the model with a shorter context length and close other tabs.',
          },
        ),
    },
    setEngineWorker,
  ),
  { atMoment: atEngineMoment },
);
