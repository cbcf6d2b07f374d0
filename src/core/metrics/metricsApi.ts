import type { DiffMap, DiffOptions } from '../viewer/diffMap.ts';
import type { MetricsOptions, MetricsResult } from './computeMetrics.ts';
import type { MetricsImage } from './image.ts';
import type { TileRect } from '../localize/grid.ts';
import type { RgbImage } from '../vision/rgbImage.ts';

/**
 * Classic full-reference metrics as a caller sees them. `createMetricsApi()` (src/engine/metricsApi.ts)
 * implements it; `workers/metrics.worker.ts` exposes it through Comlink; Node tools and tests call the same
 * object in-thread or in a worker_threads Worker.
 */
export interface MetricsApi {
  compute(reference: MetricsImage, distorted: MetricsImage, options?: MetricsOptions): Promise<MetricsResult>;
}

/** A file of the page as the metrics worker reads it: its SHA-256 (the page's one hash of it), name and bytes. */
export interface ImageFile {
  id: string;
  name: string;
  blob: Blob;
}

/**
 * The metrics worker's API: the pure metrics, plus decoding of the user's files inside the worker. A file is
 * decoded once while it stays among the last few used (by id): a reference compared with A, then B, then shown as
 * a map is decoded once, not three times.
 */
export interface MetricsWorkerApi extends MetricsApi {
  compareFiles(reference: ImageFile, distorted: ImageFile, options?: MetricsOptions): Promise<MetricsResult>;
  /** The viewer's difference heat map of two files, computed here so a large image never blocks the page. */
  differenceMap(reference: ImageFile, distorted: ImageFile, options: DiffOptions): Promise<DiffMap>;
  /** The RGB pixels of one tile of a file, as the model reads the file (a quality map's crop). */
  cropFile(file: ImageFile, rect: TileRect): Promise<RgbImage>;
  /** Files decoded since the worker started, for tests. */
  decodes(): Promise<number>;
}
