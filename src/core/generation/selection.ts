/**
 * Partial selection over one logits row, so that top-k and top-p need no full sort of a 32000-entry
 * vocabulary: quickselect finds the k-th value in O(V), and the nucleus is found by sorting only the
 * tokens above a falling threshold.
 */

/** The k-th largest of values[0..n) (k is 1-based). `scratch` (length ≥ n) is overwritten. */
export function kthLargest(values: ArrayLike<number>, n: number, k: number, scratch: Float64Array): number {
  for (let i = 0; i < n; i++) scratch[i] = values[i]!;
  // The k-th largest is the (n − k)-th smallest (0-based).
  const target = n - k;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const pivot = medianOfThree(scratch[lo]!, scratch[mid]!, scratch[hi]!);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (scratch[i]! < pivot) i++;
      while (scratch[j]! > pivot) j--;
      if (i <= j) {
        const t = scratch[i]!;
        scratch[i] = scratch[j]!;
        scratch[j] = t;
        i++;
        j--;
      }
    }
    // Now [lo, j] ≤ pivot ≤ [i, hi], and anything strictly between j and i equals the pivot.
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return scratch[target]!;
  }
  return scratch[target]!;
}

function medianOfThree(a: number, b: number, c: number): number {
  if (a < b) return b < c ? b : a < c ? c : a;
  return a < c ? a : b < c ? c : b;
}

/**
 * The nucleus of Hugging Face's top-p. In descending order of weight (ties: lower id first), a token is
 * kept while the mass ranked above it is below `topP` of the total, so the token that crosses the
 * threshold is kept, and the best token always is. `weights` are unnormalised probabilities
 * (exp(logit − max)); `candidates` are the ids to consider (weight > 0), and are reordered.
 *
 * A weighted quickselect finds the boundary in O(V) expected time, without sorting: the kept ids come
 * back as a prefix of `candidates`, in no particular order, with their summed weight.
 */
export function nucleus(candidates: number[], weights: Float64Array, totalWeight: number, topP: number): { ids: number[]; weight: number } {
  const limit = topP * totalWeight;
  const ids = candidates;
  const ranksAbove = (a: number, b: number): boolean => weights[a]! > weights[b]! || (weights[a] === weights[b] && a < b);
  const swap = (i: number, j: number): void => {
    const t = ids[i]!;
    ids[i] = ids[j]!;
    ids[j] = t;
  };
  // Invariant: ids[0, lo) rank above everything in [lo, hi), weigh `above` < limit, and the kept prefix ends in (lo, hi].
  let lo = 0;
  let hi = ids.length;
  let above = 0;
  while (lo < hi) {
    swap((lo + hi) >>> 1, hi - 1);
    const pivot = ids[hi - 1]!;
    let store = lo;
    let upperWeight = 0;
    for (let i = lo; i < hi - 1; i++) {
      if (ranksAbove(ids[i]!, pivot)) {
        upperWeight += weights[ids[i]!]!;
        swap(i, store);
        store++;
      }
    }
    swap(store, hi - 1);
    if (store > lo && above + upperWeight >= limit) {
      hi = store;
      continue;
    }
    above += upperWeight + weights[pivot]!;
    if (above >= limit) return { ids: ids.slice(0, store + 1), weight: above };
    lo = store + 1;
  }
  // Only reached when rounding left the summed weights a hair under the limit: keep what was taken.
  const count = Math.max(lo, 1);
  let weight = 0;
  for (let i = 0; i < count; i++) weight += weights[ids[i]!]!;
  return { ids: ids.slice(0, count), weight };
}
