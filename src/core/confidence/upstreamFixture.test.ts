/**
 * The rules against DepictQA's own steps replayed on fixed inputs (fixtures/upstreamConfidence.json, written by
 * tools/confidence/make_confidence_fixture.py; tools/confidence/confidenceFixture.test.ts checks that the script
 * still writes this file).
 */
import { describe, expect, it } from 'vitest';
import fixture from './fixtures/upstreamConfidence.json';
import { isBriefAnswer, countSpaceSeparated, planConfidence } from './answerKind.ts';
import { compareBriefConfidence, singleBriefConfidence } from './briefConfidence.ts';
import { deletionTexts, detailConfidence, detailConfidenceFromEmbeddings } from './detailConfidence.ts';

const TOLERANCE = 1e-6;
// The stand-in tokenizer of the script: ids as numbers joined by spaces, special ids skipped.
const decode = (ids: number[]) => ids.filter((id) => id > 2).join(' ');

describe("DepictQA's confidence rules on the script's cases", () => {
  it.each(fixture.singleBrief.map((c, i) => [i, c] as const))('single-image brief case %i', (_, c) => {
    const result = singleBriefConfidence({ ids: c.ids, probabilities: c.probabilities });
    if (c.value === null) expect(result).toBeNull();
    else expect(Math.abs(result!.value - c.value)).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each(fixture.compareBrief.map((c, i) => [i, c] as const))('comparison brief case %i', (_, c) => {
    const result = compareBriefConfidence({ ids: c.ids, probabilities: c.probabilities });
    expect(Math.abs(result!.value - c.value)).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each(fixture.detail.map((c, i) => [i, c] as const))('detailed case %i: importances, order and value', async (_, c) => {
    const tokens = { ids: c.ids, probabilities: c.probabilities };
    const result = detailConfidenceFromEmbeddings(tokens, { answer: c.answerEmbedding, deletions: c.deletionEmbeddings })!;
    expect(Math.abs(result.value - c.value)).toBeLessThanOrEqual(TOLERANCE);
    const importance = new Map(result.tokens.map((t) => [t.position, t.importance]));
    for (const position of c.order) {
      if (importance.has(position)) expect(Math.abs(importance.get(position)! - c.importance[position]!)).toBeLessThanOrEqual(TOLERANCE);
    }
    // The same tokens are chosen; the order may differ only between importances closer than float32 rounding.
    expect(new Set(result.tokens.map((t) => t.position))).toEqual(new Set(c.order));
    result.tokens.forEach((t, k) => {
      const expected = c.order[k]!;
      if (t.position !== expected) expect(Math.abs(c.importance[t.position]! - c.importance[expected]!)).toBeLessThanOrEqual(TOLERANCE);
    });

    // End to end: the script's texts and embeddings through detailConfidence's one embedding call.
    const table = new Map<string, Float32Array>([[c.text, Float32Array.from(c.answerEmbedding)]]);
    deletionTexts(c.ids, decode).forEach((text, i) => table.set(text, Float32Array.from(c.deletionEmbeddings[i]!)));
    const embed = async (texts: string[]) => texts.map((text) => table.get(text)!);
    const endToEnd = await detailConfidence({ ...tokens, decode, embed });
    expect(Math.abs(endToEnd!.value - c.value)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('counts words and decides re-asking as the script does', () => {
    for (const w of fixture.words) {
      expect(countSpaceSeparated(w.text)).toBe(w.pieces);
      expect(isBriefAnswer(w.text)).toBe(w.brief);
    }
    for (const q of fixture.reask) {
      expect(planConfidence('compare', q.question, 'Image A')).toEqual({ kind: 'compare-brief', reask: q.reask });
    }
  });
});
