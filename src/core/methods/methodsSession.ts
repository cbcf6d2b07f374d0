/**
 * A method comparison as the page saves it between reloads: per id, its reference, each method's output (by
 * SHA-256) and the ordered comparisons made so far, under a key made of the model, the mode and every output.
 * Pure data: the page stores it in IndexedDB beside the rankings, with the images.
 */
import type { RankingMode } from '../ranking/index.ts';
import type { SavedComparison, SavedImage } from '../ranking/session.ts';
import type { MethodsReport, OutputMetrics } from './methodsReport.ts';

export interface SavedMethodsId {
  id: string;
  reference: SavedImage | null;
  /** In the methods' order: a comparison's `first` and `second` are these outputs' hashes. */
  outputs: Array<{ method: string; image: SavedImage }>;
  comparisons: SavedComparison[];
  /** True once this id's comparisons ended by themselves. */
  done: boolean;
}

export interface MethodsSession {
  key: string;
  model: string;
  mode: RankingMode;
  methods: string[];
  referenceFolder: string | null;
  ids: SavedMethodsId[];
  missing: MethodsReport['missing'];
  skipped: MethodsReport['skipped'];
  metrics: OutputMetrics;
  finished: boolean;
  updatedAt: number;
}

/** The key of a method comparison: the model, the mode, and every (id, method, output hash). */
export function methodsSessionKey(model: string, mode: RankingMode, ids: ReadonlyArray<Pick<SavedMethodsId, 'id' | 'reference' | 'outputs'>>): string {
  const parts = ids.flatMap((entry) => [`${entry.id}<${entry.reference?.sha256 ?? '-'}`, ...entry.outputs.map((o) => `${entry.id}:${o.method}=${o.image.sha256}`)]);
  return ['methods', model, mode, ...parts.sort()].join('|');
}
