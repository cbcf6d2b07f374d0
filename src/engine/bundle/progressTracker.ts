import type { LoadProgress } from '../../core/bundle/bundleFiles.ts';
import { createRateEstimator, etaSeconds, type RateEstimatorOptions } from './rateEstimator.ts';

/**
 * Per-file and total progress of one load. Chunks arrive every few milliseconds; the UI needs a few
 * updates a second, so `add` reports at most once per `intervalMs`, while the start and the end of each
 * file are always reported (a person sees every file go by, however small).
 */
export interface ProgressTracker {
  /** A file that needs no download (verified in the cache, or in a local folder). */
  fromCache(path: string): void;
  /** A download starts with `bytes` already stored by an earlier, interrupted one. */
  start(path: string, bytes: number): void;
  /** Bytes that arrived (> 0), or that were thrown away to start the file again (< 0). */
  add(path: string, deltaBytes: number): void;
  /** The file is stored and verified. */
  done(path: string): void;
}

export interface ProgressTrackerOptions {
  intervalMs?: number;
  /** Milliseconds on a monotonic clock. */
  now?: () => number;
  rate?: RateEstimatorOptions;
}

export function createProgressTracker(
  files: ReadonlyArray<{ path: string; bytes: number }>,
  onProgress: (progress: LoadProgress) => void,
  { intervalMs = 100, now = () => performance.now(), rate: rateOptions }: ProgressTrackerOptions = {},
): ProgressTracker {
  const fileTotals = new Map(files.map((file) => [file.path, file.bytes]));
  const fileLoaded = new Map<string, number>();
  let bytesTotal = files.reduce((sum, file) => sum + file.bytes, 0);
  const rate = createRateEstimator(rateOptions);
  let bytesLoaded = 0;
  // Only bytes that came over the network count towards the rate; restarts do not make it negative.
  let bytesDownloaded = 0;
  let lastEmitMs = -Infinity;

  const totalOf = (path: string) => {
    const total = fileTotals.get(path);
    if (total === undefined) throw new Error(`progress for ${path}, which is not part of this load`);
    return total;
  };
  const setLoaded = (path: string, bytes: number) => {
    // A file whose size was not known (0) or was understated (a compressed response) grows to what arrived.
    const total = totalOf(path);
    if (bytes > total) {
      fileTotals.set(path, bytes);
      bytesTotal += bytes - total;
    }
    bytesLoaded += bytes - (fileLoaded.get(path) ?? 0);
    fileLoaded.set(path, bytes);
  };
  const emit = (path: string, fromCache: boolean) => {
    const nowMs = now();
    lastEmitMs = nowMs;
    const bytesPerSecond = rate.bytesPerSecond(nowMs);
    onProgress({
      file: path,
      fileBytesLoaded: fileLoaded.get(path) ?? 0,
      fileBytesTotal: totalOf(path),
      bytesLoaded,
      bytesTotal,
      bytesPerSecond,
      etaSeconds: etaSeconds(bytesTotal - bytesLoaded, bytesPerSecond),
      fromCache,
    });
  };

  return {
    fromCache(path) {
      setLoaded(path, totalOf(path));
      emit(path, true);
    },
    start(path, bytes) {
      setLoaded(path, Math.min(bytes, totalOf(path)));
      rate.record(bytesDownloaded, now());
      emit(path, false);
    },
    add(path, deltaBytes) {
      setLoaded(path, (fileLoaded.get(path) ?? 0) + deltaBytes);
      const nowMs = now();
      if (deltaBytes > 0) {
        bytesDownloaded += deltaBytes;
        rate.record(bytesDownloaded, nowMs);
      }
      if (nowMs - lastEmitMs >= intervalMs) emit(path, false);
    },
    done(path) {
      setLoaded(path, totalOf(path));
      emit(path, false);
    },
  };
}
