import type { SerializedError } from '../../../../src/core/errors.ts';
import type { DecodeProbeResult } from '../decodeProbe.ts';
import type { ScenarioRequest, ScenarioResult } from '../scenario.ts';

/**
 * The page → worker request: a scenario, with image rows from the vision graph or fixed rows (no vision graph);
 * with `decodeProbeSteps`, the decode probe instead of the scenario (its images and contexts are not used).
 */
export interface BenchRequest extends ScenarioRequest {
  rows: 'vision' | 'fixed';
  decodeProbeSteps?: number;
  /** After the first load, post 'loaded' and wait for a `BenchResume` (the caller measures the loaded state). */
  holdAfterLoad?: boolean;
  /**
   * 'whole': external-data chunks are read whole before the session is created, as the engine did before it read
   * them in parts (the baseline that --baseline measures in the same run); by default, in parts.
   */
  reads?: 'whole' | 'parts';
}

/** The page → worker message that lets a held scenario go on. */
export interface BenchResume {
  type: 'resume';
}

export type BenchMessage =
  | { type: 'note'; line: string }
  | { type: 'loaded' }
  | { type: 'done'; result: ScenarioResult; adapter: string | null }
  | { type: 'probed'; result: DecodeProbeResult; adapter: string | null }
  | { type: 'failed'; error: SerializedError };
