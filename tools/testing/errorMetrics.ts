/** Error measures and seeded test matrices shared by the quantization tests and quantizeReport.ts. */
import { seededRandom as seeded } from '../oracles/randomLlama.ts';

/** Standard normal values (Box–Muller). */
export function gaussianMatrix(length: number, seed: number): Float32Array {
  const random = seeded(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return out;
}

/** Laplace values (scale 1): heavier tails, closer to trained LLM weights than a Gaussian. */
export function laplaceMatrix(length: number, seed: number): Float32Array {
  const random = seeded(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const u = random() - 0.5;
    out[i] = -Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  }
  return out;
}

/** ‖reference − actual‖₂ / ‖reference‖₂. */
export function relativeRmsError(reference: ArrayLike<number>, actual: ArrayLike<number>): number {
  let error = 0;
  let norm = 0;
  for (let i = 0; i < reference.length; i++) {
    error += (reference[i]! - actual[i]!) ** 2;
    norm += reference[i]! ** 2;
  }
  return Math.sqrt(error / norm);
}

/** max |reference − actual| / max |reference|: the error relative to the values' scale. */
export function relativeMaxError(reference: ArrayLike<number>, actual: ArrayLike<number>): number {
  let error = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    error = Math.max(error, Math.abs(reference[i]! - actual[i]!));
    scale = Math.max(scale, Math.abs(reference[i]!));
  }
  return error / scale;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    aa += a[i]! ** 2;
    bb += b[i]! ** 2;
  }
  return dot / Math.sqrt(aa * bb);
}
