import { AppError } from '../errors.ts';

/**
 * The 4-parameter logistic that maps predicted scores onto the MOS scale before PLCC (VQEG; DepictQA's
 * src/eval/cal_srcc_plcc_voting.py):  ŷ = (β1 − β2) / (1 + exp(−(x − β3) / |β4|)) + β2,
 * started at [max y, min y, mean x, std x / 4] and fitted by least squares with Levenberg–Marquardt,
 * as scipy.optimize.curve_fit does.
 */
export type LogisticBetas = [number, number, number, number];

export interface LogisticFit {
  /** In the contract's form, with β4 > 0 (a decreasing curve has β1 < β2). */
  betas: LogisticBetas;
  /** ŷ for every input x, in order. */
  predictions: number[];
  /** Sum of squared residuals at the solution. */
  sse: number;
  iterations: number;
  /** False when the iteration limit stopped the solver before its tolerances were met. */
  converged: boolean;
}

export interface FitOptions {
  maxIterations?: number;
  /** Stop when an accepted step lowers the SSE by less than this fraction. */
  tolerance?: number;
}

export function logistic4(x: number, betas: readonly number[]): number {
  const [b1, b2, b3, b4] = betas as LogisticBetas;
  return (b1 - b2) * sigmoid((x - b3) / Math.abs(b4)) + b2;
}

export function fitLogistic4(x: readonly number[], y: readonly number[], options: FitOptions = {}): LogisticFit {
  const n = x.length;
  if (y.length !== n) throw invalid(`${n} predicted scores but ${y.length} MOS values`);
  if (n < 4) throw invalid(`${n} images; the 4-parameter fit needs at least 4`);
  if (![...x, ...y].every(Number.isFinite)) throw invalid('a score is not a finite number');
  const meanX = x.reduce((s, v) => s + v, 0) / n;
  const stdX = Math.sqrt(x.reduce((s, v) => s + (v - meanX) ** 2, 0) / n); // numpy's std: population
  if (stdX === 0) throw invalid('every predicted score is the same');

  const maxIterations = options.maxIterations ?? 10000;
  const tolerance = options.tolerance ?? 1.49012e-8;
  // Solved in the signed form (β4 may go negative: the curve then decreases); reported with β4 > 0.
  let betas: LogisticBetas = [Math.max(...y), Math.min(...y), meanX, stdX / 4];
  let sse = sumSquares(x, y, betas);
  let lambda = 1e-3;
  let iterations = 0;
  let converged = false;

  const jacobian = new Float64Array(n * 4); // [n, 4] ∂ŷ/∂β
  const residuals = new Float64Array(n); // [n] y − ŷ
  while (iterations < maxIterations && !converged) {
    iterations++;
    // 1. Jacobian and residuals at the current point.
    for (let i = 0; i < n; i++) {
      const [b1, b2, b3, b4] = betas;
      const z = (x[i]! - b3) / b4;
      const s = sigmoid(z);
      const slope = (b1 - b2) * s * (1 - s);
      jacobian[i * 4] = s;
      jacobian[i * 4 + 1] = 1 - s;
      jacobian[i * 4 + 2] = -slope / b4;
      jacobian[i * 4 + 3] = (-slope * z) / b4;
      residuals[i] = y[i]! - ((b1 - b2) * s + b2);
    }
    // 2. Normal equations JᵀJ δ = Jᵀr, damped on the diagonal (Marquardt's scaling).
    const jtj = new Float64Array(16);
    const jtr = new Float64Array(4);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < 4; a++) {
        jtr[a] = jtr[a]! + jacobian[i * 4 + a]! * residuals[i]!;
        for (let b = 0; b < 4; b++) jtj[a * 4 + b] = jtj[a * 4 + b]! + jacobian[i * 4 + a]! * jacobian[i * 4 + b]!;
      }
    }
    // 3. Raise the damping until a step lowers the SSE.
    let accepted = false;
    while (!accepted && lambda < 1e16) {
      const damped = jtj.slice();
      for (let a = 0; a < 4; a++) damped[a * 4 + a] = jtj[a * 4 + a]! * (1 + lambda) + 1e-300;
      const step = solve4(damped, jtr);
      if (step !== null) {
        const trial: LogisticBetas = [betas[0] + step[0]!, betas[1] + step[1]!, betas[2] + step[2]!, betas[3] + step[3]!];
        const trialSse = trial[3] !== 0 ? sumSquares(x, y, trial) : Infinity;
        if (trialSse <= sse) {
          converged = sse - trialSse <= tolerance * sse || stepIsTiny(step, betas);
          betas = trial;
          sse = trialSse;
          lambda = Math.max(lambda / 10, 1e-12);
          accepted = true;
          continue;
        }
      }
      lambda *= 10;
    }
    if (!accepted) converged = true; // no damping finds a lower SSE: a minimum to machine precision
  }

  const [b1, b2, b3, b4] = betas;
  const reported: LogisticBetas = b4 > 0 ? [b1, b2, b3, b4] : [b2, b1, b3, -b4];
  return { betas: reported, predictions: x.map((v) => logistic4(v, reported)), sse, iterations, converged };
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function sumSquares(x: readonly number[], y: readonly number[], betas: LogisticBetas): number {
  const [b1, b2, b3, b4] = betas;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const r = y[i]! - ((b1 - b2) * sigmoid((x[i]! - b3) / b4) + b2);
    sum += r * r;
  }
  return sum;
}

function stepIsTiny(step: Float64Array, betas: LogisticBetas): boolean {
  return step.every((d, a) => Math.abs(d) <= 1e-12 * (Math.abs(betas[a]!) + 1e-12));
}

/** Solves the 4×4 system a·s = b by Gaussian elimination with partial pivoting; null if singular. */
function solve4(a: Float64Array, b: Float64Array): Float64Array | null {
  const m = a.slice();
  const v = b.slice();
  for (let col = 0; col < 4; col++) {
    let pivot = col;
    for (let row = col + 1; row < 4; row++) if (Math.abs(m[row * 4 + col]!) > Math.abs(m[pivot * 4 + col]!)) pivot = row;
    if (!(Math.abs(m[pivot * 4 + col]!) > 0)) return null;
    if (pivot !== col) {
      for (let k = 0; k < 4; k++) [m[col * 4 + k], m[pivot * 4 + k]] = [m[pivot * 4 + k]!, m[col * 4 + k]!];
      [v[col], v[pivot]] = [v[pivot]!, v[col]!];
    }
    for (let row = col + 1; row < 4; row++) {
      const f = m[row * 4 + col]! / m[col * 4 + col]!;
      for (let k = col; k < 4; k++) m[row * 4 + k] = m[row * 4 + k]! - f * m[col * 4 + k]!;
      v[row] = v[row]! - f * v[col]!;
    }
  }
  const s = new Float64Array(4);
  for (let row = 3; row >= 0; row--) {
    let sum = v[row]!;
    for (let k = row + 1; k < 4; k++) sum -= m[row * 4 + k]! * s[k]!;
    s[row] = sum / m[row * 4 + row]!;
  }
  return s.every(Number.isFinite) ? s : null;
}

function invalid(problem: string): AppError {
  return new AppError('SCORES_INPUT_INVALID', `Cannot fit the logistic curve: ${problem}.`, {
    hint: 'Compare more images of the group, or report SRCC without the fit.',
  });
}
