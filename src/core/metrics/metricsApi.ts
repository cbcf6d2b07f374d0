import type { DiffMap, DiffOptions } from '../viewer/diffMap.ts';
import type { MetricsOptions, MetricsResult } from './computeMetrics.ts';
import type { MetricsImage } from './image.ts';

/**
 * Classic full-reference metrics as a caller sees them. `createMetricsApi()` (src/engine/metricsApi.ts)
 * implements it; `workers/metrics.worker.ts` exposes it through Comlink; Node tools and tests call the same
 * object in-thread or in a worker_threads Worker.
 */
export interface MetricsApi {
  compute(reference: MetricsImage, distorted: MetricsImage, options?: MetricsOptions): Promise<MetricsResult>;
}

/** The metrics worker's API: the pure metrics, plus decoding of the user's files inside the worker. */
export interface MetricsWorkerApi extends MetricsApi {
  compareFiles(reference: Blob, distorted: Blob, names: { reference: string; distorted: string }, options?: MetricsOptions): Promise<MetricsResult>;
  /** The viewer's difference heat map of two files, computed here so a large image never blocks the page. */
  differenceMap(reference: Blob, distorted: Blob, names: { reference: string; distorted: string }, options: DiffOptions): Promise<DiffMap>;
}
