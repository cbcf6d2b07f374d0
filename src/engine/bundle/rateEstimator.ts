/**
 * Download rate over a sliding window. A whole-download average hides a connection that just slowed down
 * (or recovered); a per-chunk rate jumps around. A few seconds of history gives an ETA a person can read.
 */
export interface RateEstimator {
  /** Records the running total of downloaded bytes at `nowMs`. */
  record(bytesDownloaded: number, nowMs: number): void;
  /** Bytes per second over the window ending at `nowMs`; 0 until the window spans `minSpanMs`. */
  bytesPerSecond(nowMs: number): number;
}

export interface RateEstimatorOptions {
  windowMs?: number;
  /** A rate measured over less time than this is noise (one chunk, one burst from a socket buffer). */
  minSpanMs?: number;
}

interface Sample {
  timeMs: number;
  bytes: number;
}

export function createRateEstimator({ windowMs = 5000, minSpanMs = 500 }: RateEstimatorOptions = {}): RateEstimator {
  const samples: Sample[] = [];
  const dropOld = (nowMs: number) => {
    // Keep one sample at or before the window's start, so the window is always fully spanned.
    while (samples.length > 1 && samples[1]!.timeMs <= nowMs - windowMs) samples.shift();
  };
  return {
    record(bytesDownloaded, nowMs) {
      const last = samples[samples.length - 1];
      if (last !== undefined && last.timeMs === nowMs) last.bytes = bytesDownloaded;
      else samples.push({ timeMs: nowMs, bytes: bytesDownloaded });
      dropOld(nowMs);
    },
    bytesPerSecond(nowMs) {
      dropOld(nowMs);
      const first = samples[0];
      const last = samples[samples.length - 1];
      if (first === undefined || last === undefined) return 0;
      // Measured up to now, not to the last chunk: a stalled connection's rate falls while nothing arrives.
      const spanMs = Math.min(nowMs - first.timeMs, windowMs);
      if (spanMs < minSpanMs) return 0;
      const startBytes = first.timeMs < nowMs - windowMs ? interpolateAt(samples, nowMs - windowMs) : first.bytes;
      return Math.max(0, ((last.bytes - startBytes) * 1000) / spanMs);
    },
  };
}

/** The running total at `timeMs`, assuming bytes arrived evenly between two samples. */
function interpolateAt(samples: readonly Sample[], timeMs: number): number {
  const [a, b] = samples;
  if (a === undefined) return 0;
  if (b === undefined || b.timeMs === a.timeMs) return a.bytes;
  const t = Math.min(1, Math.max(0, (timeMs - a.timeMs) / (b.timeMs - a.timeMs)));
  return a.bytes + (b.bytes - a.bytes) * t;
}

/** Seconds left at `bytesPerSecond`; null while the rate is unknown. */
export function etaSeconds(bytesRemaining: number, bytesPerSecond: number): number | null {
  if (bytesRemaining <= 0) return 0;
  if (bytesPerSecond <= 0) return null;
  return bytesRemaining / bytesPerSecond;
}
