import { describe, expect, it } from 'vitest';
import { type ComparisonVerdict, NEEDS_SENTENCE_MODEL } from '../engine/confidence.ts';
import { explainConfidence, formatConfidence } from './explain.ts';

const letters: ComparisonVerdict = { verdict: 'B', source: 'answer', position: 0, letter: 'B', pA: 0.25, pB: 0.5, normalizedRatioA: 1 / 3, letterProbability: 0.5 };
const reask = { question: 'Q? Answer the question using a single word or phrase.', rawText: 'blur', ids: [1], probabilities: [0.5] };

describe('confidence explanations', () => {
  it('formats values with two decimals', () => {
    expect(formatConfidence(0.8234)).toBe('0.82');
    expect(formatConfidence(1)).toBe('1.00');
  });

  it('explains a brief single-image answer read from the answer', () => {
    const explanation = explainConfidence({ kind: 'single-brief', value: 0.8234, source: 'answer', tokens: [] });
    expect(explanation.label).toBe('confidence 0.82');
    expect(explanation.value).toBe('0.82');
    expect(explanation.measures).toBe("mean probability of the answer's tokens");
    expect(explanation.source).toBe('from the answer');
    expect(explanation.summary).toBe("Mean probability of the answer's tokens; from the answer.");
    expect(explanation.notes).toEqual([]);
  });

  it('says the question was asked again with the short-answer tail', () => {
    const explanation = explainConfidence({ kind: 'single-brief', value: 0.5, source: 're-ask', tokens: [], reask });
    expect(explanation.source).toBe("from the answer to the question asked again with 'Answer the question using a single word or phrase.'");
  });

  it('gives a brief comparison its letter probability and the normalised ratio', () => {
    const explanation = explainConfidence({ kind: 'compare-brief', value: 0.5, source: 'answer', tokens: [], letters });
    expect(explanation.label).toBe('confidence 0.50');
    expect(explanation.measures).toBe("probability of the letter after 'Image' (upstream)");
    expect(explanation.notes).toEqual(['p(A) 0.25, p(B) 0.50; normalised p(A)/(p(A)+p(B)) = 0.33']);
  });

  it('reads a probe, after the re-asked question when there was one', () => {
    const reason = 'the answer names no image: read where ▁Image was fed after the prompt';
    expect(explainConfidence({ kind: 'compare-brief', value: 0.5, source: 'probe', reason, tokens: [], letters }).source).toBe('from a probe after the question');
    const after = explainConfidence({ kind: 'compare-brief', value: 0.5, source: 'probe', reason, tokens: [], letters, reask });
    expect(after.source).toMatch(/^from a probe after the question asked again with 'Answer the question/);
    expect(after.notes[0]).toBe(`Note: ${reason}.`);
  });

  it('explains a detailed answer, and one without the sentence model', () => {
    const token = { position: 0, id: 5, text: 'x', weight: 1, probability: 0.4, importance: 0.1 };
    const detail = explainConfidence({ kind: 'detail', value: 0.4, source: 'answer', tokens: Array.from({ length: 30 }, () => token) });
    expect(detail.measures).toBe('weighted mean probability of the 30 most important tokens (sentence-embedder importance)');
    const missing = explainConfidence({ kind: 'detail', value: null, source: 'answer', reason: NEEDS_SENTENCE_MODEL, tokens: [] }, letters);
    expect(missing.label).toBe('confidence needs the sentence model');
    expect(missing.value).toBeNull();
    // A Reasoning paragraph's letters are still shown.
    expect(missing.notes).toEqual(['p(A) 0.25, p(B) 0.50; normalised p(A)/(p(A)+p(B)) = 0.33']);
  });

  it('says why there is no value otherwise', () => {
    const none = explainConfidence({ kind: 'single-brief', value: null, source: 'answer', reason: 'the answer has no tokens to average', tokens: [] });
    expect(none.label).toBe('no confidence');
    expect(none.notes).toEqual(['No value: the answer has no tokens to average.']);
  });
});
