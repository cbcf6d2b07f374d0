import type { BundleVariant } from '../../src/core/bundle/manifest.ts';
import type { Backend } from '../../src/core/capabilities.ts';
import type { GenerateRequest } from '../../src/core/engine/generate.ts';
import type { ImageInput } from '../../src/core/engine/images.ts';
import type { GraphRole, LoadedModelInfo } from '../../src/core/engine/load.ts';
import type { SerializedError } from '../../src/core/errors.ts';

/** What a browser test asks the engine worker of the GPU harness to do; plain data for page.evaluate and postMessage. */
export type HarnessCall =
  | {
      call: 'load';
      bundleUrl: string;
      backend: Backend;
      variant: BundleVariant;
      /** Fault: destroy onnxruntime's GPU device as soon as this part of the model reports ready. */
      destroyAfterPart?: GraphRole;
    }
  | { call: 'encode'; images: ImageInput[] }
  | {
      call: 'generate';
      request: GenerateRequest;
      /** Fault: destroy onnxruntime's GPU device inside the event that brings the answer to this many tokens. */
      destroyAtTokens?: number;
    }
  | { call: 'unload' }
  /** Runs `steps` decode steps of one answer twice (without and with the error scopes) and times them. */
  | { call: 'scopeCost'; request: GenerateRequest; rounds: number };

/** What one `generate` call did, as seen from outside the engine. */
export interface AnswerRecord {
  /** Token ids of every `tokens` event, in order. */
  shownIds: number[];
  /** How many of `shownIds` had been shown when the device was destroyed (null: no fault). */
  shownAtFault: number | null;
  eventTypes: string[];
  result?: { ids: number[]; text: string; stopReason: string };
  error?: SerializedError;
}

export type HarnessReply =
  | { ok: true; model?: LoadedModelInfo; imageIds?: string[]; answer?: AnswerRecord; timings?: ScopeTimings; deviceChanged?: boolean }
  | { ok: false; error: SerializedError };

export interface ScopeTimings {
  /** Median ms per decode step, the run alone, without and with the error scopes (same model, same run). */
  plainMs: number;
  scopedMs: number;
  steps: number;
  /** Three scopes pushed and popped around nothing, awaited at once: what the scopes cost per step at most. */
  scopeRoundTripMs: number;
  /** Every timed step, ms. */
  samples: { plain: number[]; scoped: number[] };
}
