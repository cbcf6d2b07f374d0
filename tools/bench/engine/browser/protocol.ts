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
}

export type BenchMessage =
  | { type: 'note'; line: string }
  | { type: 'done'; result: ScenarioResult; adapter: string | null }
  | { type: 'probed'; result: DecodeProbeResult; adapter: string | null }
  | { type: 'failed'; error: SerializedError };
