import type { Remote } from 'comlink';
import { AppError } from '../core/errors.ts';
import type { ImageFile, MetricsWorkerApi } from '../core/metrics/metricsApi.ts';
import { startModuleWorker } from './moduleWorker.ts';
import { WorkerConnection } from './WorkerConnection.ts';

const hint = 'Reload the page. If it happens again, try an up-to-date Chrome or Edge.';

const connection = new WorkerConnection(
  startModuleWorker<MetricsWorkerApi>(
    () => new Worker(new URL('../../workers/metrics.worker.ts', import.meta.url), { type: 'module', name: 'metrics' }),
    {
      failedToStart: (detail) => new AppError('WORKER_FAILED', `The metrics worker stopped: ${detail}.`, { hint }),
      // It holds nothing to reopen: the next comparison starts a new one.
      lost: (detail) =>
        new AppError('WORKER_FAILED', `The metrics worker stopped${detail === null ? '' : `: ${detail}`}.`, {
          hint: 'Add the images again to compare them; very large images may need more memory than the browser allows.',
        }),
    },
  ),
);

/** Runs one call on the page's metrics worker, started on first use and again after it is lost. */
export function withMetrics<T>(call: (metrics: Remote<MetricsWorkerApi>) => Promise<T>): Promise<T> {
  return connection.call(call);
}

/** A page image as the metrics worker reads it (a plain copy: Comlink clones it, and the Blob crosses by reference). */
export function imageFile(image: ImageFile): ImageFile {
  return { id: image.id, name: image.name, blob: image.blob };
}
