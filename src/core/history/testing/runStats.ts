import type { GenerationStats } from '../../engine/generate.ts';

/** The stats of a 24-token run, for history tests; `totalMs` is the run's own. */
export function runStats(totalMs: number): GenerationStats {
  return {
    timeToFirstTokenMs: 120.4,
    prefillTokens: 60,
    reusedPositions: 0,
    prefillMs: 100,
    prefillTokensPerSecond: 600,
    decodeMs: 900,
    decodeTokensPerSecond: 25.55,
    tokensGenerated: 24,
    visionMs: { a: 30 },
    visionMsPerImage: 30,
    totalMs,
  };
}
