/**
 * Which comparisons a group needs, given those already done: the next ordered pair (A shown first), or null.
 * Every choice is a function of the group and the answers recorded so far, so a restarted shard that
 * replays its journal asks exactly what an uninterrupted one would have asked next.
 */
import { createRanking, addComparison, defaultPairBudget, MAX_IMAGES, nextPair, type ComparisonRecord, type PairQuery } from '../../src/core/ranking/index.ts';
import { mulberry32 } from '../../src/core/seededRandom.ts';
import type { EvalGroup } from './datasets.ts';

export type PairMode = 'active' | 'allPairs';

export function nextComparison(group: EvalGroup, mode: PairMode, done: readonly ComparisonRecord[]): PairQuery | null {
  const n = group.images.length;
  if (n < 2) return null;
  if (group.triplets === undefined && mode === 'active' && n <= MAX_IMAGES) {
    // The ranking core's scheduler: a budget of ⌈n·log2 n⌉ pairs, both orders of each, in groups sharing Image A.
    let state = createRanking(n, { mode: 'active' });
    for (const record of done) state = addComparison(state, record);
    return nextPair(state);
  }
  // Both orders of every pair, grouped by Image A (the engine prefills A once per group): image 0 first, then 1, ….
  const asked = new Set(done.map((r) => r.first * 65536 + r.second));
  let next: PairQuery | null = null;
  for (const [i, j] of fixedPairs(group, mode)) {
    for (const order of [{ first: i, second: j }, { first: j, second: i }]) {
      if (asked.has(order.first * 65536 + order.second)) continue;
      if (next === null || order.first < next.first || (order.first === next.first && order.second < next.second)) next = order;
    }
  }
  return next;
}

/** Upper bound on the comparisons (ordered) a group takes: for progress and ETA. */
export function plannedComparisons(group: EvalGroup, mode: PairMode): number {
  const n = group.images.length;
  if (n < 2) return 0;
  if (group.triplets !== undefined || mode === 'allPairs' || n > MAX_IMAGES) return 2 * fixedPairs(group, mode).length;
  return 2 * defaultPairBudget(n);
}

/**
 * Unordered pairs (i < j) compared in both orders: a triplet group's listed pairs; all pairs; or, for a group
 * larger than the ranking core takes, a fixed design of ⌈n·log2 n⌉ pairs: the ring of neighbours in name order
 * (so the comparisons connect every image), then pairs drawn by a generator seeded with the group's key.
 */
export function fixedPairs(group: EvalGroup, mode: PairMode): Array<[number, number]> {
  const n = group.images.length;
  const seen = new Set<number>();
  const pairs: Array<[number, number]> = [];
  const add = (a: number, b: number) => {
    const i = Math.min(a, b);
    const j = Math.max(a, b);
    if (i === j || seen.has(i * 65536 + j)) return;
    seen.add(i * 65536 + j);
    pairs.push([i, j]);
  };
  if (group.triplets !== undefined) {
    for (const { a, b } of group.triplets) add(a, b);
    return pairs;
  }
  if (mode === 'allPairs') {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) add(i, j);
    return pairs;
  }
  const budget = defaultPairBudget(n);
  for (let i = 0; i < n && pairs.length < budget; i++) add(i, (i + 1) % n);
  const random = mulberry32(hashString(group.key));
  while (pairs.length < budget) add(Math.floor(random() * n), Math.floor(random() * n));
  return pairs;
}

/** FNV-1a over UTF-16 code units: a stable 32-bit hash of a key. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < text.length; k++) {
    h ^= text.charCodeAt(k);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
