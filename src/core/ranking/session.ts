/**
 * A ranking as the page saves it between reloads: its comparisons named by the images' SHA-256 (not by index,
 * so a set given in another order still finds them), under a key made of the model, the mode, the reference and
 * the set of candidates. Pure data: the page stores it in IndexedDB.
 */
import type { PriorComparison } from '../engine/rank.ts';
import type { ImageFacts } from '../image/imageFacts.ts';
import type { RankingMode } from './ranking.ts';

/** A comparison by image hash: `first` was shown as Image A. */
export interface SavedComparison {
  first: string;
  second: string;
  pA: number;
  pB: number;
}

export interface SavedImage extends ImageFacts {
  sha256: string;
}

export interface RankSession {
  key: string;
  /** The model that answered (`modelKey`): another model's answers are not mixed in. */
  model: string;
  mode: RankingMode;
  reference: SavedImage | null;
  /** In the order they were ranked. */
  candidates: SavedImage[];
  comparisons: SavedComparison[];
  /** True once the ranking ended by itself; a stopped or interrupted one can be resumed. */
  finished: boolean;
  updatedAt: number;
}

/** The model as far as its answers go: name, precision variant and backend (wasm and WebGPU round differently). */
export function modelKey(model: { name: string; variant: string; backend: string }): string {
  return `${model.name}|${model.variant}|${model.backend}`;
}

/** The key of a ranking: model, mode, reference and the set of candidates (their order does not matter). */
export function rankSessionKey(model: string, mode: RankingMode, reference: string | null, candidates: readonly string[]): string {
  return [model, mode, reference ?? 'no-reference', ...[...candidates].sort()].join('|');
}

/** Comparisons by index (the engine's) as saved: by hash. */
export function toSaved(comparisons: readonly PriorComparison[], candidates: readonly string[]): SavedComparison[] {
  return comparisons.map(({ first, second, pA, pB }) => ({ first: candidates[first]!, second: candidates[second]!, pA, pB }));
}

/** Saved comparisons for the candidates in their current order; those of images no longer in the set are dropped. */
export function toPrior(saved: readonly SavedComparison[], candidates: readonly string[]): PriorComparison[] {
  const index = new Map(candidates.map((id, k) => [id, k]));
  const prior: PriorComparison[] = [];
  const seen = new Set<string>();
  for (const { first, second, pA, pB } of saved) {
    const i = index.get(first);
    const j = index.get(second);
    if (i === undefined || j === undefined || i === j || seen.has(`${i},${j}`)) continue;
    seen.add(`${i},${j}`);
    prior.push({ first: i, second: j, pA, pB });
  }
  return prior;
}
