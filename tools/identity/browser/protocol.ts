import type { BundleVariant } from '../../../src/core/bundle/manifest.ts';
import type { Backend } from '../../../src/core/capabilities.ts';
import type { EngineCounters } from '../../../src/core/engine/api.ts';
import type { GenerateRequest, GenerationStats } from '../../../src/core/engine/generate.ts';
import type { ImageInput } from '../../../src/core/engine/images.ts';
import type { LoadedModelInfo } from '../../../src/core/engine/load.ts';
import type { SerializedError } from '../../../src/core/errors.ts';
import type { ImageSlotId } from '../../../src/core/tasks.ts';

/** One engine run in the browser: load the bundle from a URL, encode the images, answer the requests in order. */
export interface CheckRequest {
  bundleUrl: string;
  variant: BundleVariant;
  backend: Backend;
  /** Image rows from the bundle's vision graph, or fixed rows (the language model alone). */
  rows: 'vision' | 'fixed';
  /** false: decode steps run uncaptured (the engine's default otherwise). */
  graphCapture?: boolean;
  images: Record<ImageSlotId, ImageInput>;
  /** Without images: the worker fills in the ids of all three. */
  requests: Array<Omit<GenerateRequest, 'images'>>;
}

export interface CheckAnswer {
  ids: number[];
  confidence: { pA: number; pB: number } | null;
  stats: GenerationStats;
}

/** One order of the check's ranking (candidates Image A, Image B and the reference, against the reference). */
export interface CheckComparison {
  first: number;
  second: number;
  pA: number;
  pB: number;
  reusedPositions: number;
}

export type CheckResult =
  | {
      ok: true;
      model: LoadedModelInfo;
      answers: CheckAnswer[];
      /** The ranking with the KV cache reused (consecutive orders share Image A), and every order from scratch. */
      rankings: { reused: CheckComparison[]; scratch: CheckComparison[] };
      counters: EngineCounters;
      adapter: string | null;
    }
  | { ok: false; error: SerializedError };
