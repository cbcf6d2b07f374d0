import { type ComparisonVerdict, type ConfidenceReport, NEEDS_SENTENCE_MODEL } from '../engine/confidence.ts';
import { SHORT_ANSWER_TAIL } from './answerKind.ts';
import { DETAIL_TOKEN_COUNT } from './detailConfidence.ts';

/** What the page and the exports say of a confidence report. */
export interface ConfidenceExplanation {
  /** "confidence 0.82", "confidence needs the sentence model" or "no confidence". */
  label: string;
  /** The value as shown (two decimals); null when there is none. */
  value: string | null;
  /** What the value measures. */
  measures: string;
  /** Where it was read. */
  source: string;
  /** Why there is no value, and the comparison's letters where known. */
  notes: string[];
  /** One line: what it measures and where it came from (the chip's hover text). */
  summary: string;
}

/** A confidence in [0, 1] as the page shows it: two decimals. */
export function formatConfidence(value: number): string {
  return value.toFixed(2);
}

/** The question tail that a re-ask appends, as quoted in explanations. */
const TAIL = SHORT_ANSWER_TAIL.trim();

/**
 * The label and explanation of a report. `comparison` is the answer's verdict record (Comparison and Reasoning),
 * whose normalised ratio is shown beside a detailed answer's value; a brief comparison's own letters come first.
 */
export function explainConfidence(report: ConfidenceReport, comparison: ComparisonVerdict | null = null): ConfidenceExplanation {
  const value = report.value === null ? null : formatConfidence(report.value);
  const label = value !== null ? `confidence ${value}` : report.reason === NEEDS_SENTENCE_MODEL ? `confidence ${NEEDS_SENTENCE_MODEL}` : 'no confidence';
  const measures = measuresText(report);
  const source = sourceText(report);
  const notes: string[] = [];
  if (report.value === null && report.reason !== undefined && report.reason !== NEEDS_SENTENCE_MODEL) notes.push(`No value: ${report.reason}.`);
  else if (report.value !== null && report.reason !== undefined) notes.push(`Note: ${report.reason}.`);
  const letters = (report.kind === 'compare-brief' ? report.letters : null) ?? comparison;
  if (letters !== null) notes.push(lettersText(letters));
  return { label, value, measures, source, notes, summary: `${capitalize(measures)}; ${source}.` };
}

function measuresText(report: ConfidenceReport): string {
  switch (report.kind) {
    case 'single-brief':
      return "mean probability of the answer's tokens";
    case 'compare-brief':
      return "probability of the letter after 'Image' (upstream)";
    case 'detail': {
      const count = report.value !== null && report.tokens.length > 0 ? Math.min(report.tokens.length, DETAIL_TOKEN_COUNT) : DETAIL_TOKEN_COUNT;
      return `weighted mean probability of the ${count} most important tokens (sentence-embedder importance)`;
    }
  }
}

function sourceText(report: ConfidenceReport): string {
  const asked = `the question asked again with '${TAIL}'`;
  switch (report.source) {
    case 'answer':
      return 'from the answer';
    case 're-ask':
      return `from the answer to ${asked}`;
    case 'probe':
      return report.reask === undefined ? 'from a probe after the question' : `from a probe after ${asked}`;
  }
}

/** "p(A) 0.31, p(B) 0.52; normalised p(A)/(p(A)+p(B)) = 0.37". */
export function lettersText(letters: ComparisonVerdict): string {
  return `p(A) ${formatConfidence(letters.pA)}, p(B) ${formatConfidence(letters.pB)}; normalised p(A)/(p(A)+p(B)) = ${formatConfidence(letters.normalizedRatioA)}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
