/**
 * What the evaluation needs from a model: for one order of a pair (A shown first), the raw next-token
 * probabilities p(▁A) and p(▁B) after `▁Image`, as DepictQA's comparison answer reads them.
 */
export interface ComparisonQuery {
  /** Absolute paths; reference null for a no-reference comparison. */
  reference: string | null;
  imageA: string;
  imageB: string;
}

/** Model runs one comparison took, by graph (differences of the engine's counters). */
export interface ModelRuns {
  vision: number;
  decoder: number;
  decodeSteps: number;
  prefillTokens: number;
}

export interface ComparisonAnswer {
  pA: number;
  pB: number;
  runs: ModelRuns;
}

export interface ComparatorInfo {
  /** Where it ran: 'webgpu', 'cpu', or 'fake' for tests. */
  device: string;
  /** The bundle's precision variant, or a name for a test comparator. */
  variant: string;
  /** The bundle manifest's `model` block (null for a test comparator). */
  model: unknown;
}

/** DepictQA's Reasoning answer for one order of a pair: the paragraph, and the image it prefers. */
export interface ReasoningAnswer {
  text: string;
  verdict: 'A' | 'B' | null;
  runs: ModelRuns;
}

export interface Comparator {
  readonly info: ComparatorInfo;
  compare(query: ComparisonQuery): Promise<ComparisonAnswer>;
  /** Why: the Reasoning task on the same images (absent where a comparator has no words). */
  reason?(query: ComparisonQuery): Promise<ReasoningAnswer>;
  close(): Promise<void>;
}

export const NO_RUNS: ModelRuns = { vision: 0, decoder: 0, decodeSteps: 0, prefillTokens: 0 };
