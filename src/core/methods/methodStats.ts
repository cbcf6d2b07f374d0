/**
 * The method-level result of comparing K methods' outputs on a test set, from DepictQA's pairwise comparisons
 * within each test image (an id) and, where references are given, the classic metrics of each output:
 * - one Bradley–Terry score per method, fitted on every comparison of every id, with 95% intervals from a
 *   bootstrap over ids (seeded, so a run repeats to the last digit);
 * - the win-rate matrix: on how many ids method a beats method b, by the id's own Bradley–Terry order, with a
 *   Wilson interval and the count;
 * - each id's order of the methods;
 * - the methods' mean metrics, how often the model's preference and each metric's agree, and the confident
 *   model verdicts that a metric contradicts, strongest first.
 */
import { AppError } from '../errors.ts';
import { fitBradleyTerry } from '../ranking/bradleyTerry.ts';
import { normalQuantile } from '../ranking/normal.ts';
import { combineOrders, type ComparisonRecord, type PairOutcome } from '../ranking/records.ts';
import { mulberry32 } from '../seededRandom.ts';

export type MethodMetric = 'psnr' | 'ssim' | 'msssim' | 'gmsd';
export const METHOD_METRICS: readonly MethodMetric[] = ['psnr', 'ssim', 'msssim', 'gmsd'];
const LOWER_IS_BETTER: ReadonlySet<MethodMetric> = new Set(['gmsd']);

export type MetricValues = Record<MethodMetric, number | null>;

/** One test image: the methods that have an output for it, and the comparisons between those outputs. */
export interface MethodImage {
  id: string;
  /** Method names; a record's `first` and `second` index this list. */
  methods: readonly string[];
  records: readonly ComparisonRecord[];
  /** Each output's metrics against the id's reference, by method name (absent without a reference). */
  metrics?: Readonly<Record<string, MetricValues>>;
}

export interface MethodStatsOptions {
  /** Bootstrap resamples of the ids (default 1000). */
  resamples?: number;
  /** The bootstrap generator's seed (default 1). */
  seed?: number;
  /** A verdict is confident from this probability of the preferred output on (default 0.75). */
  confident?: number;
  /** Two-sided level of every interval (default 0.95). */
  level?: number;
}

export interface MethodSummary {
  name: string;
  /** Bradley–Terry score in logits (the scores sum to zero), and its bootstrap interval. */
  score: number;
  low: number;
  high: number;
  /** Fraction of (id, other method) cases this method wins, by each id's order. */
  winRate: number | null;
  /** Means over the ids with a finite value (PSNR is +∞ for an output identical to its reference). */
  metrics: MetricValues;
}

export interface WinCell {
  /** Fraction of the ids with both methods on which the row's method wins (ties count half). */
  rate: number | null;
  low: number | null;
  high: number | null;
  n: number;
}

export interface Disagreement {
  id: string;
  /** The output the model prefers, and the other. */
  better: string;
  worse: string;
  /** The model's probability that `better` is better, both orders folded together. */
  confidence: number;
  /** The metrics that prefer `worse`, with both outputs' values: [better's, worse's]. */
  metrics: Partial<Record<MethodMetric, [number, number]>>;
}

export interface MethodStats {
  /** Best first. */
  methods: MethodSummary[];
  winMatrix: Record<string, Record<string, WinCell>>;
  images: Array<{ id: string; order: string[] }>;
  /** Per metric: the fraction of (id, method pair) cases where the model's preferred output has the better value. */
  agreement: Record<MethodMetric, number | null>;
  disagreements: Disagreement[];
  bootstrap: { resamples: number; seed: number; level: number };
}

export function methodStats(methods: readonly string[], images: readonly MethodImage[], options: MethodStatsOptions = {}): MethodStats {
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 1;
  const confident = options.confident ?? 0.75;
  const level = options.level ?? 0.95;
  const k = methods.length;
  if (k < 2) throw new AppError('BAD_ARGUMENTS', `Comparing methods needs 2 or more of them, not ${k}.`, { hint: 'Give two or more methods.' });
  const index = new Map(methods.map((name, i) => [name, i]));
  const global = (image: MethodImage, local: number): number => {
    const found = index.get(image.methods[local]!);
    if (found === undefined) throw new AppError('INTERNAL', `id ${image.id}: method ${image.methods[local]} is not one of the methods compared`);
    return found;
  };

  // 1. Per id: its pair outcomes (in the methods' global indices) and its own Bradley–Terry order.
  const perImage = images.map((image) => {
    const outcomes = combineOrders(image.records);
    const pairs: PairOutcome[] = outcomes.map((o) => {
      const [i, j] = [global(image, o.i), global(image, o.j)];
      return i < j ? { ...o, i, j } : { ...o, i: j, j: i, pIBeatsJ: 1 - o.pIBeatsJ };
    });
    const compared = new Set(outcomes.flatMap((o) => [o.i, o.j]));
    const local = compared.size >= 2 ? fitBradleyTerry(image.methods.length, outcomes).scores : null;
    // Local indices of the compared outputs, best first (ties by name, so the order is stable).
    const ranked = [...compared].sort((a, b) => local![b]! - local![a]! || compare(image.methods[a]!, image.methods[b]!));
    return { image, outcomes, pairs, local, ranked };
  });

  // 2. Scores on every comparison, and their bootstrap over ids.
  const fit = fitBradleyTerry(k, perImage.flatMap((p) => p.pairs));
  const draws: number[][] = methods.map(() => []);
  const random = mulberry32(seed);
  for (let r = 0; r < resamples && perImage.length > 0; r++) {
    const pairs: PairOutcome[] = [];
    for (let n = 0; n < perImage.length; n++) pairs.push(...perImage[Math.floor(random() * perImage.length)]!.pairs);
    fitBradleyTerry(k, pairs).scores.forEach((score, i) => draws[i]!.push(score));
  }
  const tail = (1 - level) / 2;

  // 3. Win rates by each id's order.
  const wins = methods.map(() => methods.map(() => ({ wins: 0, n: 0 })));
  for (const { image, local, ranked } of perImage) {
    if (local === null) continue;
    for (let x = 0; x < ranked.length; x++) {
      for (let y = x + 1; y < ranked.length; y++) {
        const [a, b] = [ranked[x]!, ranked[y]!];
        const [ga, gb] = [global(image, a), global(image, b)];
        const tie = local[a] === local[b];
        wins[ga]![gb]!.wins += tie ? 0.5 : 1;
        wins[gb]![ga]!.wins += tie ? 0.5 : 0;
        wins[ga]![gb]!.n++;
        wins[gb]![ga]!.n++;
      }
    }
  }
  const z = normalQuantile(1 - tail);
  const winMatrix: Record<string, Record<string, WinCell>> = {};
  methods.forEach((a, i) => {
    winMatrix[a] = {};
    methods.forEach((b, j) => {
      if (i === j) return;
      const { wins: w, n } = wins[i]![j]!;
      winMatrix[a]![b] = n === 0 ? { rate: null, low: null, high: null, n } : { rate: w / n, ...wilson(w, n, z), n };
    });
  });

  // 4. Metrics: means, agreement with the model's order, and the confident verdicts they contradict.
  const sums = methods.map(() => Object.fromEntries(METHOD_METRICS.map((m) => [m, { sum: 0, n: 0 }])) as Record<MethodMetric, { sum: number; n: number }>);
  const agreeing = Object.fromEntries(METHOD_METRICS.map((m) => [m, { agree: 0, n: 0 }])) as Record<MethodMetric, { agree: number; n: number }>;
  const disagreements: Disagreement[] = [];
  for (const { image, outcomes, local, ranked } of perImage) {
    const values = image.metrics;
    if (values === undefined) continue;
    image.methods.forEach((name, i) => {
      for (const metric of METHOD_METRICS) {
        const value = values[name]?.[metric];
        if (value !== null && value !== undefined && Number.isFinite(value)) {
          sums[global(image, i)]![metric].sum += value;
          sums[global(image, i)]![metric].n++;
        }
      }
    });
    const prefers = (metric: MethodMetric, a: string, b: string): number => {
      const [va, vb] = [values[a]?.[metric], values[b]?.[metric]];
      if (va === null || va === undefined || vb === null || vb === undefined || Number.isNaN(va) || Number.isNaN(vb) || va === vb) return 0;
      return (va > vb) !== LOWER_IS_BETTER.has(metric) ? 1 : -1;
    };
    if (local !== null) {
      for (let x = 0; x < ranked.length; x++) {
        for (let y = x + 1; y < ranked.length; y++) {
          const [a, b] = [ranked[x]!, ranked[y]!];
          if (local[a] === local[b]) continue;
          for (const metric of METHOD_METRICS) {
            const says = prefers(metric, image.methods[a]!, image.methods[b]!);
            if (says === 0) continue;
            agreeing[metric].n++;
            if (says > 0) agreeing[metric].agree++;
          }
        }
      }
    }
    for (const outcome of outcomes) {
      const confidence = Math.max(outcome.pIBeatsJ, 1 - outcome.pIBeatsJ);
      if (confidence < confident) continue;
      const [better, worse] = outcome.pIBeatsJ >= 0.5 ? [image.methods[outcome.i]!, image.methods[outcome.j]!] : [image.methods[outcome.j]!, image.methods[outcome.i]!];
      const against: Disagreement['metrics'] = {};
      for (const metric of METHOD_METRICS) if (prefers(metric, better, worse) < 0) against[metric] = [values[better]![metric]!, values[worse]![metric]!];
      if (Object.keys(against).length > 0) disagreements.push({ id: image.id, better, worse, confidence, metrics: against });
    }
  }
  disagreements.sort((a, b) => b.confidence - a.confidence || compare(a.id, b.id) || compare(a.better, b.better));

  const summaries: MethodSummary[] = methods.map((name, i) => {
    const row = wins[i]!.reduce((s, cell) => ({ wins: s.wins + cell.wins, n: s.n + cell.n }), { wins: 0, n: 0 });
    return {
      name,
      score: fit.scores[i]!,
      low: draws[i]!.length > 0 ? quantile(draws[i]!, tail) : NaN,
      high: draws[i]!.length > 0 ? quantile(draws[i]!, 1 - tail) : NaN,
      winRate: row.n === 0 ? null : row.wins / row.n,
      metrics: Object.fromEntries(METHOD_METRICS.map((m) => [m, sums[i]![m].n === 0 ? null : sums[i]![m].sum / sums[i]![m].n])) as MetricValues,
    };
  });
  return {
    methods: summaries.sort((a, b) => b.score - a.score || compare(a.name, b.name)),
    winMatrix,
    images: perImage.map(({ image, ranked }) => ({ id: image.id, order: ranked.map((i) => image.methods[i]!) })),
    agreement: Object.fromEntries(METHOD_METRICS.map((m) => [m, agreeing[m].n === 0 ? null : agreeing[m].agree / agreeing[m].n])) as Record<MethodMetric, number | null>,
    disagreements,
    bootstrap: { resamples, seed, level },
  };
}

/** Wilson score interval of `wins` successes in `n` trials, at the normal quantile z. */
export function wilson(wins: number, n: number, z: number): { low: number; high: number } {
  const p = wins / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The q-quantile with linear interpolation between order statistics (NumPy's default, type 7). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
