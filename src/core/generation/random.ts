/**
 * A small seeded PRNG (mulberry32): 32-bit state, fast, and identical in every JavaScript engine,
 * so a seeded sampling run reproduces token for token in Node, in a worker and in the page.
 */
export interface Random {
  /** A uniform number in [0, 1). */
  next(): number;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** A fresh seed for runs that did not ask for one; it is reported so that the run can be repeated. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 4294967296) >>> 0;
}
