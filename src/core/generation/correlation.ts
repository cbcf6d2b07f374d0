import { AppError } from '../errors.ts';

/**
 * Correlations as scipy.stats computes them: Pearson in float64 on centred values, Spearman as Pearson on
 * average ranks (ties share the mean of their positions, scipy.stats.rankdata's default). A constant input
 * gives NaN, as scipy does (with a warning there).
 */
export function pearson(x: readonly number[], y: readonly number[]): number {
  checkPair(x, y);
  const n = x.length;
  const meanX = x.reduce((s, v) => s + v, 0) / n;
  const meanY = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - meanX;
    const dy = y[i]! - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  // Clamp: rounding can push |r| a hair above 1.
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

export function spearman(x: readonly number[], y: readonly number[]): number {
  checkPair(x, y);
  return pearson(averageRanks(x), averageRanks(y));
}

/**
 * Kendall's τ-b (scipy.stats.kendalltau's default): concordant minus discordant pairs over the square root of the
 * pairs untied in each input. O(n²), which is nothing for the 64 images of a ranking.
 */
export function kendall(x: readonly number[], y: readonly number[]): number {
  checkPair(x, y);
  let concordant = 0;
  let discordant = 0;
  let untiedX = 0;
  let untiedY = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.sign(x[i]! - x[j]!);
      const dy = Math.sign(y[i]! - y[j]!);
      if (dx !== 0) untiedX++;
      if (dy !== 0) untiedY++;
      if (dx * dy > 0) concordant++;
      else if (dx * dy < 0) discordant++;
    }
  }
  if (untiedX === 0 || untiedY === 0) return NaN;
  return (concordant - discordant) / Math.sqrt(untiedX * untiedY);
}

/** 1-based ranks; tied values get the mean of the ranks they span. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    const rank = (start + 1 + end) / 2; // mean of ranks start+1 … end
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    start = end;
  }
  return ranks;
}

function checkPair(x: readonly number[], y: readonly number[]): void {
  if (x.length !== y.length) {
    throw new AppError('SCORES_INPUT_INVALID', `Cannot correlate ${x.length} scores with ${y.length} values.`, {
      hint: 'Every image needs both a predicted score and a MOS.',
    });
  }
  if (x.length < 2) {
    throw new AppError('SCORES_INPUT_INVALID', `Cannot correlate ${x.length} score(s); at least 2 are needed.`, {
      hint: 'Compare more images.',
    });
  }
}
