import { describe, expect, it } from 'vitest';
import { createRandom } from './random.ts';
import { kthLargest, nucleus as nucleusOf } from './selection.ts';

/** Sorted kept ids, for comparison with the brute force. */
function nucleus(weights: Float64Array, total: number, topP: number): { ids: number[]; weight: number } {
  const candidates = [...weights.keys()].filter((i) => weights[i]! > 0);
  const result = nucleusOf(candidates, weights, total, topP);
  return { ids: result.ids.slice().sort((x, y) => weights[y]! - weights[x]! || x - y), weight: result.weight };
}

function randomRow(n: number, seed: number, scale = 4): Float64Array {
  const random = createRandom(seed);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) row[i] = (random.next() - 0.5) * 2 * scale;
  return row;
}

/** The brute-force nucleus: full sort, keep while the mass above is below topP of the total. */
function bruteNucleus(weights: Float64Array, topP: number): number[] {
  const ids = [...weights.keys()].filter((i) => weights[i]! > 0);
  ids.sort((x, y) => weights[y]! - weights[x]! || x - y);
  const total = ids.reduce((sum, id) => sum + weights[id]!, 0);
  const kept: number[] = [];
  let above = 0;
  for (const id of ids) {
    if (kept.length > 0 && above >= topP * total) break;
    kept.push(id);
    above += weights[id]!;
  }
  return kept;
}

describe('kthLargest', () => {
  it('agrees with a full sort on random rows, with ties and −Infinity', () => {
    const scratch = new Float64Array(5000);
    for (let seed = 1; seed <= 20; seed++) {
      const n = 1 + ((seed * 397) % 5000);
      const row = randomRow(n, seed);
      // Coarse rounding makes many ties; a few masked entries.
      for (let i = 0; i < n; i++) row[i] = Math.round(row[i]! * 3) / 3;
      for (let i = 0; i < n; i += 17) row[i] = -Infinity;
      const sorted = [...row].sort((a, b) => b - a);
      for (const k of [1, 2, Math.ceil(n / 3), n]) {
        if (k > n) continue;
        expect(kthLargest(row, n, k, scratch)).toBe(sorted[k - 1]);
      }
    }
  });
});

describe('nucleus', () => {
  it('keeps the token that crosses top-p, and always the best one', () => {
    const weights = Float64Array.from([0.3, 0.5, 0.05, 0.15]); // total 1
    expect(nucleus(weights, 1, 0.75).ids).toEqual([1, 0]);
    expect(nucleus(weights, 1, 0.85).ids).toEqual([1, 0, 3]);
    expect(nucleus(weights, 1, 0.01).ids).toEqual([1]);
    expect(nucleus(weights, 1, 1).ids).toEqual([1, 0, 3, 2]);
  });

  it('breaks ties by the lower id', () => {
    const weights = Float64Array.from([0.2, 0.3, 0.3, 0.2]);
    expect(nucleus(weights, 1, 0.5).ids).toEqual([1, 2]);
    expect(nucleus(weights, 1, 0.2).ids).toEqual([1]);
    expect(nucleus(weights, 1, 0.7).ids).toEqual([1, 2, 0]);
  });

  it('matches a full sort on 32000-entry rows, peaked and flat', () => {
    for (const [seed, scale] of [
      [3, 8],
      [4, 0.01],
      [5, 2],
    ] as const) {
      const logits = randomRow(32000, seed, scale);
      const max = Math.max(...logits);
      const weights = logits.map((l) => Math.exp(l - max));
      const total = weights.reduce((a, b) => a + b, 0);
      for (const topP of [0.1, 0.5, 0.9, 0.99]) {
        const result = nucleus(weights, total, topP);
        expect(result.ids).toEqual(bruteNucleus(weights, topP));
        expect(result.weight).toBeCloseTo(result.ids.reduce((s, id) => s + weights[id]!, 0), 9);
      }
    }
  });
});
