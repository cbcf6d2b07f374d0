import type { BradleyTerryFit } from './bradleyTerry.ts';
import { normalCdf } from './normal.ts';

/** How sure the ranking must be that one image beats the next before the two are told apart. */
export const DEFAULT_SEPARATION = 0.95;

/** Image indices from best to worst by MAP score; equal scores keep index order. */
export function rankOrder(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/**
 * Posterior probability that image a is better than image b: Φ(Δ / sd(Δ)) with Δ = s_a − s_b and
 * Var(Δ) = C_aa + C_bb − 2 C_ab. The covariance term matters: two images compared with each other
 * are told apart far better than their separate intervals suggest.
 */
export function probabilityBetter(fit: Pick<BradleyTerryFit, 'scores' | 'covariance'>, a: number, b: number): number {
  const n = fit.scores.length;
  const c = fit.covariance;
  const variance = c[a * n + a]! + c[b * n + b]! - 2 * c[a * n + b]!;
  const difference = fit.scores[a]! - fit.scores[b]!;
  if (!(variance > 0)) return difference > 0 ? 1 : difference < 0 ? 0 : 0.5;
  return normalCdf(difference / Math.sqrt(variance));
}

/**
 * Tied groups: walk the images from best to worst and start a new group wherever the image above is
 * better than the one below with probability ≥ `separation`. A group is a run of neighbours that the
 * comparisons cannot yet order (a chain: its ends may be told apart, its neighbours cannot).
 */
export function tiedGroups(fit: Pick<BradleyTerryFit, 'scores' | 'covariance'>, separation = DEFAULT_SEPARATION): number[][] {
  const order = rankOrder(fit.scores);
  const groups: number[][] = [];
  order.forEach((image, k) => {
    const above = order[k - 1];
    if (above === undefined || probabilityBetter(fit, above, image) >= separation) groups.push([image]);
    else groups.at(-1)!.push(image);
  });
  return groups;
}

/** True when every image is separated from its neighbour in the order: no tied group left. */
export function orderIsSettled(fit: Pick<BradleyTerryFit, 'scores' | 'covariance'>, separation = DEFAULT_SEPARATION): boolean {
  return tiedGroups(fit, separation).every((group) => group.length === 1);
}
