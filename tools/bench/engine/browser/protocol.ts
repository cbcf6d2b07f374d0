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
  /**
   * The soak instead of the scenario: after the load, `runSoak` with these counts on the request's images (the
   * first the reference); at each checkpoint it posts 'loaded' with the live GPU buffers and waits for a resume.
   */
  soak?: { comparisons: number; answers: number; answerTokens: number };
}

/** The page's calls to the worker: run a scenario (answered when it ends), or let a held one go on. */
export type BenchCall = { kind: 'run'; request: BenchRequest } | { kind: 'resume' };

/** What the worker posts while a scenario runs. */
export type BenchEvent =
  | { type: 'note'; line: string }
  | { type: 'loaded'; checkpoint?: string; liveGpuBuffers?: number; done?: { comparisons: number; answers: number } };

/** How a scenario ended (a resume is answered with `resumed`). */
export type BenchMessage =
  | { type: 'resumed' }
  | { type: 'done'; result: ScenarioResult; adapter: string | null }
  | { type: 'probed'; result: DecodeProbeResult; adapter: string | null }
  | { type: 'soaked'; done: { comparisons: number; answers: number }; adapter: string | null }
  | { type: 'failed'; error: SerializedError };
