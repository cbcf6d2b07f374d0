import { describe, expect, it } from 'vitest';
import { cosineDistance, deletionTexts, detailConfidence, detailConfidenceFromEmbeddings } from './detailConfidence.ts';

describe('detailed answers', () => {
  it('decodes the answer once per deleted token', () => {
    const words: Record<number, string> = { 1: 'a', 2: 'b', 3: 'c' };
    expect(deletionTexts([1, 2, 3], (ids) => ids.map((id) => words[id]).join(' '))).toEqual(['b c', 'a c', 'a b']);
  });

  it('weights tokens by 1 − cos and keeps the 30 heaviest, ties in token order', () => {
    // 32 tokens: the answer embedding is e0; token i's deletion embedding is at angle θ_i from it.
    const angles = Array.from({ length: 32 }, (_, i) => (i === 5 || i === 6 ? 0.5 : 0.01 * (i + 1)));
    const deletions = angles.map((theta) => [Math.cos(theta), Math.sin(theta), 0]);
    const probabilities = angles.map((_, i) => (i + 1) / 40);
    const result = detailConfidenceFromEmbeddings({ ids: angles.map((_, i) => 100 + i), probabilities }, { answer: [2, 0, 0], deletions })!;
    expect(result.tokens).toHaveLength(30);
    expect(result.tokens.slice(0, 3).map((t) => t.position)).toEqual([5, 6, 31]);
    // The two lightest (positions 0 and 1) are left out.
    expect(result.tokens.map((t) => t.position)).not.toContain(0);
    expect(result.tokens.map((t) => t.position)).not.toContain(1);
    const importances = result.tokens.map((t) => 1 - Math.cos(angles[t.position]!));
    const total = importances.reduce((a, b) => a + b, 0);
    const expected = result.tokens.reduce((sum, t, k) => sum + (importances[k]! / total) * probabilities[t.position]!, 0);
    expect(result.value).toBeCloseTo(expected, 14);
    expect(result.tokens.reduce((sum, t) => sum + t.weight, 0)).toBeCloseTo(1, 14);
  });

  it('is null when no deletion moves the embedding', () => {
    expect(detailConfidenceFromEmbeddings({ ids: [1, 2], probabilities: [0.5, 0.5] }, { answer: [1, 0], deletions: [[1, 0], [2, 0]] })).toBeNull();
  });

  it('embeds the answer and every deletion text in one call', async () => {
    const calls: string[][] = [];
    const vocabulary: Record<number, string> = { 10: 'sharp', 11: 'clear', 12: 'noisy' };
    const decode = (ids: number[]) => ids.map((id) => vocabulary[id] ?? '').join(' ');
    const embed = async (texts: string[]) => {
      calls.push(texts);
      return texts.map((text) => Float32Array.from([text.length, text.includes('noisy') ? 1 : 0, 1]));
    };
    const result = await detailConfidence({ ids: [10, 11, 12], probabilities: [0.2, 0.4, 0.9], decode, embed });
    expect(calls).toEqual([['sharp clear noisy', 'clear noisy', 'sharp noisy', 'sharp clear']]);
    expect(result?.tokens[0]).toMatchObject({ id: 12, text: 'noisy' });
    expect(cosineDistance([1, 0], [0, 1])).toBe(1);
  });
});
