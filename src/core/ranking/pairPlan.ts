import type { BradleyTerryFit } from './bradleyTerry.ts';
import { sigmoid } from './logistic.ts';

/** Show image `first` as Image A and `second` as Image B. */
export interface PairQuery {
  first: number;
  second: number;
}

/** An unordered pair's key (i < j), for sets of compared pairs. */
export const pairKey = (a: number, b: number, n: number): number => Math.min(a, b) * n + Math.max(a, b);

/**
 * The next `count` pairs to compare, chosen greedily by expected information gain under the Laplace posterior
 * (the pair with the largest gain first). Each pick updates the covariance as if that pair had been answered in
 * both orders: the Fisher information of its outcome, 2·μ(1 − μ)/φ at the current scores, added to the precision
 * by Sherman–Morrison. The update needs no answer, so a whole round is planned before any of it is asked, and two
 * picks do not both spend the budget on the same uncertainty.
 *
 * For a difference Δ ~ N(m, v) and one soft answer of Fisher information μ(1 − μ)/φ, the gain is
 * ½ log(1 + v μ(1 − μ)/φ): monotone in v·μ(1 − μ), so φ does not change a single choice. μ is the predictive
 * probability σ(m / √(1 + πv/8)), so a pair whose order is uncertain counts as a close call.
*/
export function planPairs(
  n: number,
  bt: Pick<BradleyTerryFit, 'scores' | 'covariance' | 'dispersion'>,
  compared: ReadonlySet<number>,
  count: number,
): PairQuery[] {
  const c = Float64Array.from(bt.covariance);
  const taken = new Set(compared);
  const picks: PairQuery[] = [];
  const u = new Float64Array(n);
  while (picks.length < count) {
    let best: PairQuery | null = null;
    let bestGain = -Infinity;
    let bestMu = 0.5;
    let bestVariance = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (taken.has(i * n + j)) continue;
        const variance = c[i * n + i]! + c[j * n + j]! - 2 * c[i * n + j]!;
        const mu = predictive(bt.scores[i]! - bt.scores[j]!, variance);
        const gain = variance * mu * (1 - mu);
        // Strictly greater: equal gains go to the first pair in (i, j) order, so the choice is reproducible.
        if (gain > bestGain * (1 + 1e-12)) {
          bestGain = gain;
          best = { first: i, second: j };
          bestMu = mu;
          bestVariance = variance;
        }
      }
    }
    if (best === null) break;
    picks.push(best);
    taken.add(best.first * n + best.second);
    // Σ ← Σ − (Σd)(Σd)ᵀ · w / (1 + w·dᵀΣd), d = e_i − e_j. The centred covariance updates the same way: d ⟂ 1.
    const w = (2 * bestMu * (1 - bestMu)) / bt.dispersion;
    const { first: i, second: j } = best;
    for (let r = 0; r < n; r++) u[r] = c[r * n + i]! - c[r * n + j]!;
    const scale = w / (1 + w * bestVariance);
    for (let r = 0; r < n; r++) for (let k = 0; k < n; k++) c[r * n + k] = c[r * n + k]! - scale * u[r]! * u[k]!;
  }
  return picks;
}

/** Expected information gain of comparing i and j (see `planPairs`): v·μ(1 − μ). */
export function pairGain(n: number, bt: Pick<BradleyTerryFit, 'scores' | 'covariance'>, i: number, j: number): number {
  const c = bt.covariance;
  const variance = c[i * n + i]! + c[j * n + j]! - 2 * c[i * n + j]!;
  const mu = predictive(bt.scores[i]! - bt.scores[j]!, variance);
  return variance * mu * (1 - mu);
}

/** p(i beats j) for a difference ~ N(m, v), by the probit approximation. */
const predictive = (m: number, v: number) => sigmoid(m / Math.sqrt(1 + (Math.PI * v) / 8));

/** Image `a`'s uncompared pair of largest gain, when that gain is at least `share` of the largest of all; else null. */
export function worthyPairWith(n: number, bt: Pick<BradleyTerryFit, 'scores' | 'covariance'>, compared: ReadonlySet<number>, a: number, share: number): PairQuery | null {
  let best: PairQuery | null = null;
  let bestGain = -Infinity;
  let largest = -Infinity;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (compared.has(i * n + j)) continue;
      const gain = pairGain(n, bt, i, j);
      largest = Math.max(largest, gain);
      if ((i === a || j === a) && gain > bestGain * (1 + 1e-12)) {
        bestGain = gain;
        best = { first: i, second: j };
      }
    }
  }
  return best !== null && bestGain >= share * largest ? best : null;
}

/**
 * The next order to ask, so that consecutive comparisons share Image A (the engine then keeps the prompt up to
 * and including A's rows in its KV cache, and prefills only what follows A):
 * 1. while the last Image A has orders left (a pair's second order it is owed, or a planned pair with it), one of
 *    those, owed orders first;
 * 2. otherwise a new group: the image with the most orders left as Image A, the lowest index on a tie.
 * `owed` are the second orders of pairs asked in one order only; `planFor(a)` is image `a`'s new pair worth
 * asking now, if any; `plan` the next planned new pairs, best first, which the new group's choice counts.
 */
export function nextInGroups(
  n: number,
  last: PairQuery | null,
  owed: readonly PairQuery[],
  planFor: (a: number) => PairQuery | null,
  plan: () => readonly PairQuery[],
): PairQuery | null {
  const owedBy = (a: number) => owed.filter((order) => order.first === a).sort((x, y) => x.second - y.second)[0];
  if (last !== null) {
    const a = last.first;
    const order = owedBy(a);
    if (order !== undefined) return order;
    const planned = planFor(a);
    if (planned !== null) return facing(planned, a);
  }
  const planned = plan();
  const left = new Array<number>(n).fill(0);
  const count = (k: number) => (left[k] = left[k]! + 1);
  for (const order of owed) count(order.first);
  for (const pair of planned) {
    count(pair.first);
    count(pair.second);
  }
  let a = -1;
  for (let k = 0; k < n; k++) if (left[k]! > 0 && (a < 0 || left[k]! > left[a]!)) a = k;
  if (a < 0) return null;
  return owedBy(a) ?? facing(planned.find((pair) => pair.first === a || pair.second === a)!, a);
}

/** The pair with image `a` shown first. */
function facing(pair: PairQuery, a: number): PairQuery {
  return pair.first === a ? pair : { first: a, second: pair.first };
}
