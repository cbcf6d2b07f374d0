import type { SerializedError } from '../../../../src/core/errors.ts';
import type { ScenarioRequest, ScenarioResult } from '../scenario.ts';

/** The page → worker request: a scenario, with image rows from the vision graph or fixed rows (no vision graph). */
export interface BenchRequest extends ScenarioRequest {
  rows: 'vision' | 'fixed';
}

export type BenchMessage =
  | { type: 'note'; line: string }
  | { type: 'done'; result: ScenarioResult; adapter: string | null }
  | { type: 'failed'; error: SerializedError };
