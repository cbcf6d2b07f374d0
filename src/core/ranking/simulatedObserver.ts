import { createRandom, type Random } from '../generation/random.ts';
import { sigmoid } from './logistic.ts';
import type { PairQuery } from './ranking.ts';
import type { ComparisonRecord } from './records.ts';

/**
 * A stand-in for the model in the ranking's tests: images with known scores (in logits), answering
 *   p(first better) = σ(s_first − s_second + bias + noiseSd · ε),  ε ~ N(0, 1) drawn afresh per order,
 * so `bias` is a lean towards the image shown as Image A and the noise differs between the two orders,
 * as a real model's does. The raw p(▁A), p(▁B) share `letterMass` (< 1: other tokens take the rest),
 * so the records exercise the normalisation too. Seeded, so a run is reproducible.
 */
export interface ObserverOptions {
  bias?: number;
  noiseSd?: number;
  letterMass?: number;
}

export interface Observer {
  trueScores: number[];
  answer(query: PairQuery): ComparisonRecord;
}

export function createObserver(trueScores: readonly number[], seed: number, options: ObserverOptions = {}): Observer {
  const { bias = 0, noiseSd = 0, letterMass = 0.9 } = options;
  const random = createRandom(seed);
  return {
    trueScores: [...trueScores],
    answer({ first, second }) {
      const p = sigmoid(trueScores[first]! - trueScores[second]! + bias + noiseSd * gaussian(random));
      return { first, second, pFirst: letterMass * p, pSecond: letterMass * (1 - p) };
    },
  };
}

/** n scores drawn from N(0, sd²) and centred, so they sit in the fit's sum-to-zero gauge. */
export function drawScores(n: number, seed: number, sd: number): number[] {
  const random = createRandom(seed);
  const scores = Array.from({ length: n }, () => sd * gaussian(random));
  const mean = scores.reduce((s, v) => s + v, 0) / n;
  return scores.map((v) => v - mean);
}

/** Box–Muller; (0, 1] keeps the log finite. */
export function gaussian(random: Random): number {
  const u = 1 - random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}
