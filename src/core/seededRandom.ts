import { createRandom } from './generation/random.ts';

/** Mulberry32 (createRandom's generator) as a function: the same seed gives the same numbers in [0, 1) everywhere. */
export function mulberry32(seed: number): () => number {
  const random = createRandom(seed);
  return () => random.next();
}
