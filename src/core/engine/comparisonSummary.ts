import type { AnswerConfidence, ComparisonVerdict } from './confidence.ts';

/**
 * A verdict record in the form the page's run store and the history keep: the letters' probabilities, with the
 * normalised ratio under the name `confidenceA` and the likelier letter as `verdict`.
 */
export function comparisonSummary(comparison: ComparisonVerdict | null): AnswerConfidence | null {
  if (comparison === null) return null;
  const { pA, pB, normalizedRatioA, source } = comparison;
  return { pA, pB, confidenceA: normalizedRatioA, verdict: pA >= pB ? 'A' : 'B', source };
}
