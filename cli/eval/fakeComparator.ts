/**
 * A deterministic stand-in for the model, driven by known scores: p(first better) = σ(s_A − s_B + bias + ε),
 * ε a fixed function of the two paths, split into p(▁A) and p(▁B) with 5% of the mass on other tokens. It
 * checks the pipeline (scheduling, journals, sharding, schedulers) without a model; `--comparator fake`
 * drives it with the dataset's MOS plus a fixed per-image offset, so correlations are high but not 1.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EvalDataset } from './datasets.ts';
import type { Comparator, ComparisonAnswer, ComparisonQuery } from './comparator.ts';
import { hashString } from './schedule.ts';

export interface FakeComparatorOptions {
  /** Latent quality by absolute path; higher is better. */
  scores: ReadonlyMap<string, number>;
  /** Logits added in favour of the image shown first. */
  bias?: number;
  /** Largest |ε| in logits. */
  noise?: number;
  /** Wait this long per comparison (to give a scheduler time to kill a run mid-way). */
  delayMs?: number;
}

export function fakeComparator(options: FakeComparatorOptions): Comparator {
  const { scores, bias = 0.3, noise = 0.5, delayMs = 0 } = options;
  const score = (path: string) => {
    const s = scores.get(path);
    if (s === undefined) throw new Error(`fake comparator: no score for ${path}`);
    return s;
  };
  return {
    info: { device: 'fake', variant: 'fake', model: null },
    async compare(query: ComparisonQuery): Promise<ComparisonAnswer> {
      if (delayMs > 0) await sleep(delayMs);
      const epsilon = noise * (2 * unit(`${query.imageA}\n${query.imageB}`) - 1);
      const p = 1 / (1 + Math.exp(-(score(query.imageA) - score(query.imageB) + bias + epsilon)));
      return { pA: 0.95 * p, pB: 0.95 * (1 - p), runs: { vision: 0, decoder: 1, decodeSteps: 0, prefillTokens: 0 } };
    },
    close: async () => {},
  };
}

/** Scores for `--comparator fake`: each image's MOS (scaled to unit spread) plus a fixed offset from its name. */
export function scoresFromDataset(dataset: EvalDataset): Map<string, number> {
  const scores = new Map<string, number>();
  for (const group of dataset.groups) {
    const mos = group.images.map((image) => image.mos).filter(Number.isFinite);
    const spread = mos.length > 1 ? Math.max(...mos) - Math.min(...mos) || 1 : 1;
    for (const image of group.images) {
      const base = Number.isFinite(image.mos) ? (4 * image.mos) / spread : 0;
      scores.set(image.path, base + 0.8 * (unit(image.name) - 0.5));
    }
  }
  return scores;
}

function unit(text: string): number {
  return hashString(text) / 4294967296;
}
