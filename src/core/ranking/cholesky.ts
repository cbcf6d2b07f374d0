/**
 * Cholesky factorisation of a small symmetric positive-definite matrix (row-major [n, n]), and what the
 * ranking needs from it: solving for a Newton step and the inverse (the posterior covariance).
 * The matrices here are at most 64 × 64, so plain loops are fast enough and keep the code obvious.
 */
export interface Cholesky {
  n: number;
  /** Lower-triangular L with A = L Lᵀ, row-major [n, n]. */
  lower: Float64Array;
}

/** Null when the matrix is not positive definite to working precision. */
export function cholesky(matrix: Float64Array, n: number): Cholesky | null {
  const lower = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c <= r; c++) {
      let sum = matrix[r * n + c]!;
      for (let k = 0; k < c; k++) sum -= lower[r * n + k]! * lower[c * n + k]!;
      if (r === c) {
        if (!(sum > 0)) return null;
        lower[r * n + r] = Math.sqrt(sum);
      } else {
        lower[r * n + c] = sum / lower[c * n + c]!;
      }
    }
  }
  return { n, lower };
}

/** x with A x = b. */
export function choleskySolve({ n, lower }: Cholesky, b: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let sum = b[r]!;
    for (let k = 0; k < r; k++) sum -= lower[r * n + k]! * y[k]!;
    y[r] = sum / lower[r * n + r]!;
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let sum = y[r]!;
    for (let k = r + 1; k < n; k++) sum -= lower[k * n + r]! * x[k]!;
    x[r] = sum / lower[r * n + r]!;
  }
  return x;
}

/** A⁻¹, row-major [n, n], one column at a time. */
export function choleskyInverse(factor: Cholesky): Float64Array {
  const { n } = factor;
  const inverse = new Float64Array(n * n);
  const unit = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    unit.fill(0);
    unit[c] = 1;
    const column = choleskySolve(factor, unit);
    for (let r = 0; r < n; r++) inverse[r * n + c] = column[r]!;
  }
  return inverse;
}
