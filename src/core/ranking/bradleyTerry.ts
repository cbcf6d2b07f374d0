import { AppError } from '../errors.ts';
import { cholesky, choleskyInverse, choleskySolve } from './cholesky.ts';
import { logSigmoid, sigmoid } from './logistic.ts';
import { normalQuantile } from './normal.ts';
import type { PairOutcome } from './records.ts';

/**
 * MAP Bradley–Terry scores from soft pairwise outcomes (as Compare2Score fits soft comparisons):
 *   p(i better than j) = σ(s_i − s_j),  s ~ N(0, priorSd² I),
 * and each pair's outcome y (a probability, not a 0/1 win) enters as w · [y log σ(d) + (1 − y) log σ(−d)].
 *
 * A model's confidence is not a coin flip, so the binomial variance μ(1 − μ) need not fit its spread.
 * The fit is quasi-binomial: the log-likelihood is divided by a dispersion φ estimated from Pearson
 * residuals, pulled towards φ = 1 (a confidence as informative as one coin flip) while few pairs speak.
 * The MAP depends on φ through the prior's weight, so scores and φ are iterated to their fixed point.
 *
 * The Gaussian prior fixes the gauge: the likelihood only sees differences, and the prior's pull makes the
 * MAP sum to zero. The reported covariance is that of the centred scores (P H⁻¹ P, P = I − 11ᵀ/n), since
 * the data say nothing about the mean, and the Laplace intervals are ±z·√diag of it.
 */
export interface BradleyTerryOptions {
  /** Prior standard deviation of a score, in logits (a difference of 1 is p = 0.73). */
  priorSd?: number;
  /** φ assumed before any residuals are seen. */
  dispersionPrior?: number;
  /** How many residual degrees of freedom the assumed φ is worth. */
  dispersionPriorWeight?: number;
  /** Two-sided level of the intervals. */
  level?: number;
}

export interface BradleyTerryFit {
  /** [n] MAP scores in logits, summing to zero. */
  scores: number[];
  /** [n, n] row-major posterior covariance of the centred scores. */
  covariance: Float64Array;
  /** [n] posterior standard deviations. */
  standardErrors: number[];
  /** [n] lower and upper ends of the `level` intervals. */
  lower: number[];
  upper: number[];
  /** The fitted quasi-binomial dispersion φ. */
  dispersion: number;
  /** Newton steps summed over the dispersion rounds. */
  newtonSteps: number;
}

export const DEFAULT_BRADLEY_TERRY: Required<BradleyTerryOptions> = {
  priorSd: 3,
  dispersionPrior: 1,
  dispersionPriorWeight: 0.5,
  level: 0.95,
};

const MAX_NEWTON_STEPS = 100;
const MAX_DISPERSION_ROUNDS = 100;
/** Newton stops when no score moves by more than this many logits. */
const SCORE_TOLERANCE = 1e-12;
/** The dispersion loop stops when φ changes by less than this fraction. */
const DISPERSION_TOLERANCE = 1e-12;

export function fitBradleyTerry(n: number, pairs: readonly PairOutcome[], options: BradleyTerryOptions = {}): BradleyTerryFit {
  const { priorSd, dispersionPrior, dispersionPriorWeight, level } = { ...DEFAULT_BRADLEY_TERRY, ...options };
  if (!(priorSd > 0 && dispersionPrior > 0 && dispersionPriorWeight >= 0 && level > 0 && level < 1)) {
    throw new AppError('SCORES_INPUT_INVALID', 'Bradley–Terry options out of range.', { hint: 'Use priorSd > 0, dispersionPrior > 0 and 0 < level < 1.' });
  }
  const bad = pairs.find(({ i, j, pIBeatsJ, records }) => !(i >= 0 && j < n && i < j && pIBeatsJ >= 0 && pIBeatsJ <= 1 && records > 0));
  if (bad) {
    throw new AppError('SCORES_INPUT_INVALID', `Pair outcome of images ${bad.i} and ${bad.j} does not fit ${n} images.`, {
      hint: 'Build the outcomes with combineOrders from records of this ranking.',
    });
  }
  const priorPrecision = 1 / (priorSd * priorSd);

  let dispersion = dispersionPrior;
  let scores: Float64Array = new Float64Array(n);
  let newtonSteps = 0;
  for (let round = 0; round < MAX_DISPERSION_ROUNDS; round++) {
    const map = maximisePosterior(n, pairs, dispersion, priorPrecision, scores);
    scores = map.scores;
    newtonSteps += map.steps;
    const next = estimateDispersion(n, pairs, scores, dispersionPrior, dispersionPriorWeight);
    const settled = Math.abs(next - dispersion) <= DISPERSION_TOLERANCE * dispersion;
    if (settled) break;
    dispersion = next;
  }

  const covariance = centred(choleskyInverse(factorOrThrow(negativeHessian(n, pairs, scores, dispersion, priorPrecision), n)), n);
  const z = normalQuantile(0.5 + level / 2);
  const standardErrors = Array.from({ length: n }, (_, i) => Math.sqrt(Math.max(0, covariance[i * n + i]!)));
  return {
    scores: [...scores],
    covariance,
    standardErrors,
    lower: standardErrors.map((se, i) => scores[i]! - z * se),
    upper: standardErrors.map((se, i) => scores[i]! + z * se),
    dispersion,
    newtonSteps,
  };
}

/** Newton's method on the log-posterior, which is strictly concave (the prior makes −H positive definite). */
function maximisePosterior(
  n: number,
  pairs: readonly PairOutcome[],
  dispersion: number,
  priorPrecision: number,
  start: Float64Array,
): { scores: Float64Array; steps: number } {
  let scores: Float64Array = start.slice();
  let value = logPosterior(pairs, scores, dispersion, priorPrecision);
  for (let step = 1; step <= MAX_NEWTON_STEPS; step++) {
    const gradient = new Float64Array(n);
    for (let i = 0; i < n; i++) gradient[i] = -priorPrecision * scores[i]!;
    for (const pair of pairs) {
      const residual = (pair.records / dispersion) * (pair.pIBeatsJ - sigmoid(scores[pair.i]! - scores[pair.j]!));
      gradient[pair.i] = gradient[pair.i]! + residual;
      gradient[pair.j] = gradient[pair.j]! - residual;
    }
    const direction = choleskySolve(factorOrThrow(negativeHessian(n, pairs, scores, dispersion, priorPrecision), n), gradient);
    // Halve the step until the posterior rises: far from the mode a full Newton step can overshoot.
    let length = 1;
    let trial: Float64Array = scores;
    let trialValue = -Infinity;
    for (let halvings = 0; halvings < 60; halvings++) {
      trial = scores.map((s, i) => s + length * direction[i]!);
      trialValue = logPosterior(pairs, trial, dispersion, priorPrecision);
      if (trialValue >= value) break;
      length /= 2;
    }
    const moved = direction.reduce((m, d) => Math.max(m, Math.abs(length * d)), 0);
    if (trialValue >= value) {
      scores = trial;
      value = trialValue;
    }
    if (moved <= SCORE_TOLERANCE || trialValue < value) return { scores, steps: step };
  }
  return { scores, steps: MAX_NEWTON_STEPS };
}

function logPosterior(pairs: readonly PairOutcome[], scores: Float64Array, dispersion: number, priorPrecision: number): number {
  let likelihood = 0;
  for (const pair of pairs) {
    const d = scores[pair.i]! - scores[pair.j]!;
    likelihood += pair.records * (pair.pIBeatsJ * logSigmoid(d) + (1 - pair.pIBeatsJ) * logSigmoid(-d));
  }
  let prior = 0;
  for (const s of scores) prior += s * s;
  return likelihood / dispersion - (priorPrecision * prior) / 2;
}

/** −∇² log posterior, [n, n]: a weighted graph Laplacian of the compared pairs plus the prior precision. */
export function negativeHessian(n: number, pairs: readonly PairOutcome[], scores: ArrayLike<number>, dispersion: number, priorPrecision: number): Float64Array {
  const hessian = new Float64Array(n * n);
  for (let i = 0; i < n; i++) hessian[i * n + i] = priorPrecision;
  for (const pair of pairs) {
    const p = sigmoid(scores[pair.i]! - scores[pair.j]!);
    const weight = (pair.records * p * (1 - p)) / dispersion;
    const { i, j } = pair;
    hessian[i * n + i] = hessian[i * n + i]! + weight;
    hessian[j * n + j] = hessian[j * n + j]! + weight;
    hessian[i * n + j] = hessian[i * n + j]! - weight;
    hessian[j * n + i] = hessian[j * n + i]! - weight;
  }
  return hessian;
}

/**
 * Pearson X² over the residual degrees of freedom (pairs − (n − 1) free differences), with the prior φ
 * counted as `priorWeight` extra degrees of freedom: a scaled-inverse-χ² style pull that keeps φ sane
 * while there are fewer pairs than differences to fit.
 */
function estimateDispersion(n: number, pairs: readonly PairOutcome[], scores: Float64Array, prior: number, priorWeight: number): number {
  let pearson = 0;
  for (const pair of pairs) {
    const p = sigmoid(scores[pair.i]! - scores[pair.j]!);
    pearson += (pair.records * (pair.pIBeatsJ - p) ** 2) / (p * (1 - p));
  }
  const freedom = Math.max(0, pairs.length - (n - 1));
  if (freedom + priorWeight === 0) return prior;
  return (pearson + priorWeight * prior) / (freedom + priorWeight);
}

/** P A P with P = I − 11ᵀ/n: the covariance of s − mean(s). */
function centred(matrix: Float64Array, n: number): Float64Array {
  const rowMeans = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    let sum = 0;
    for (let c = 0; c < n; c++) sum += matrix[r * n + c]!;
    rowMeans[r] = sum / n;
    total += sum;
  }
  const grand = total / (n * n);
  // A is symmetric, so column means equal row means.
  return matrix.map((v, k) => v - rowMeans[Math.floor(k / n)]! - rowMeans[k % n]! + grand);
}

function factorOrThrow(matrix: Float64Array, n: number) {
  const factor = cholesky(matrix, n);
  if (factor === null) throw new AppError('INTERNAL', 'The Bradley–Terry Hessian is not positive definite.', { hint: 'Check that the comparison probabilities are finite.' });
  return factor;
}
