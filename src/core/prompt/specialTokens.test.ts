import { describe, expect, it } from 'vitest';
import { encodeTextChunk, splitOnSpecialTokens } from './specialTokens.ts';

/** A stand-in encoder that shows what each piece was: one id per character, 1000 + char code, after a ▁ (29871). */
const fakeEncode = (piece: string): number[] => [29871, ...Array.from(piece, (c) => 1000 + (c.codePointAt(0) ?? 0))];

describe('splitOnSpecialTokens', () => {
  it('splits <s>, </s> and <unk> out as ids, keeps every space, drops empty pieces', () => {
    expect(splitOnSpecialTokens('evaluation.\n\n </s> Image A: <Img-A>')).toEqual(['evaluation.\n\n ', 2, ' Image A: <Img-A>']);
    expect(splitOnSpecialTokens('</s></s>')).toEqual([2, 2]);
    expect(splitOnSpecialTokens('<s>a<unk>b</s>')).toEqual([1, 'a', 0, 'b', 2]);
    expect(splitOnSpecialTokens('</Img-A> and <Img-B> are plain text')).toEqual(['</Img-A> and <Img-B> are plain text']);
    expect(splitOnSpecialTokens('')).toEqual([]);
  });
});

describe('encodeTextChunk', () => {
  it('encodes each piece on its own (each gets the encoder’s prefix) with the special ids between', () => {
    expect(encodeTextChunk('a </s> b', fakeEncode)).toEqual([29871, 1097, 1032, 2, 29871, 1032, 1098]);
    expect(encodeTextChunk('</s>', fakeEncode)).toEqual([2]);
  });
});
