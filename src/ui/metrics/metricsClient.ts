import type { Remote } from 'comlink';
import type { MetricsWorkerApi } from '../../core/metrics/metricsApi.ts';
import { callWorker, createWorkerClient, type WorkerClient } from '../../client/workerClient.ts';

let client: WorkerClient<MetricsWorkerApi> | undefined;

/** Runs one call on the page's metrics worker, started on first use. */
export function withMetrics<T>(call: (metrics: Remote<MetricsWorkerApi>) => Promise<T>): Promise<T> {
  client ??= createWorkerClient<MetricsWorkerApi>(
    () => new Worker(new URL('../../../workers/metrics.worker.ts', import.meta.url), { type: 'module', name: 'metrics' }),
    'metrics',
  );
  return callWorker(client, call);
}
