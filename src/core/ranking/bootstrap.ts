import { createRandom } from '../generation/random.ts';
import { fitBradleyTerry, type BradleyTerryOptions } from './bradleyTerry.ts';
import type { PairOutcome } from './records.ts';

/**
 * Percentile intervals from a bootstrap over compared pairs: draw as many pairs as were compared, with
 * replacement, refit, and read the scores' quantiles. A check on the Laplace intervals that assumes
 * neither a Gaussian posterior nor the quasi-binomial variance; it costs `samples` fits, so it is for
 * reports, not for choosing the next pair. Seeded, so a report can be repeated.
 */
export interface BootstrapOptions extends BradleyTerryOptions {
  samples?: number;
  seed?: number;
}

export interface BootstrapIntervals {
  /** [n] ends of the `level` percentile intervals of the centred scores. */
  lower: number[];
  upper: number[];
  /** [n] standard deviations of the bootstrap scores. */
  standardErrors: number[];
}

export function bootstrapIntervals(n: number, pairs: readonly PairOutcome[], options: BootstrapOptions = {}): BootstrapIntervals {
  const { samples = 200, seed = 1, ...fitOptions } = options;
  const level = fitOptions.level ?? 0.95;
  const random = createRandom(seed);
  const draws = Array.from({ length: n }, () => new Float64Array(samples)); // [n][samples]
  for (let b = 0; b < samples; b++) {
    const resampled = pairs.map(() => pairs[Math.floor(random.next() * pairs.length)]!);
    fitBradleyTerry(n, resampled, fitOptions).scores.forEach((s, i) => (draws[i]![b] = s));
  }
  const quantile = (sorted: Float64Array, q: number) => {
    const position = q * (sorted.length - 1);
    const below = Math.floor(position);
    const above = Math.min(sorted.length - 1, below + 1);
    return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
  };
  const sorted = draws.map((d) => d.slice().sort());
  return {
    lower: sorted.map((d) => quantile(d, (1 - level) / 2)),
    upper: sorted.map((d) => quantile(d, (1 + level) / 2)),
    standardErrors: draws.map((d) => {
      const mean = d.reduce((s, v) => s + v, 0) / samples;
      return Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / (samples - 1));
    }),
  };
}
