import { describe, expect, it } from 'vitest';
import { createEmbedTexts, type FeatureExtractor } from './embedTexts.ts';

describe('createEmbedTexts', () => {
  it('splits a pipeline result [texts, dim] into one vector per text, one call per batch', async () => {
    const calls: number[] = [];
    const extractor: FeatureExtractor = async (texts, options) => {
      expect(options).toEqual({ pooling: 'mean', normalize: true });
      calls.push(texts.length);
      return { data: Float32Array.from(texts.flatMap((text) => [text.length, 1])), dims: [texts.length, 2] };
    };
    const texts = ['a', 'bb', 'ccc', 'dddd', 'eeeee'];
    expect(await createEmbedTexts(extractor)(texts)).toEqual(texts.map((t) => Float32Array.from([t.length, 1])));
    expect(calls).toEqual([5]);
    calls.length = 0;
    await createEmbedTexts(extractor, { batchSize: 2 })(texts);
    expect(calls).toEqual([2, 2, 1]);
  });

  it('refuses a result of the wrong shape', async () => {
    const extractor: FeatureExtractor = async () => ({ data: new Float32Array(3), dims: [1, 3] });
    await expect(createEmbedTexts(extractor)(['a', 'b'])).rejects.toThrow(/shape \[1, 3\] for 2 texts/);
  });
});
