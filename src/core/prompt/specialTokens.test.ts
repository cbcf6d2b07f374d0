import { describe, expect, it } from 'vitest';
import { encodeTextChunk, splitOnSpecialTokens } from './specialTokens.ts';

/** A stand-in raw encoder that shows what each piece was: one id per character, 1000 + char code (a space is 1032). */
const fakeEncode = (piece: string): number[] => Array.from(piece, (c) => 1000 + (c.codePointAt(0) ?? 0));

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
  it('legacy: encodes each piece on its own, each with the dummy prefix, with the special ids between', () => {
    expect(encodeTextChunk('a </s> b', fakeEncode, true)).toEqual([1032, 1097, 1032, 2, 1032, 1032, 1098]);
    expect(encodeTextChunk('</s>b', fakeEncode, true)).toEqual([2, 1032, 1098]);
    expect(encodeTextChunk('</s>', fakeEncode, true)).toEqual([2]);
  });

  it('not legacy: only the first piece gets the prefix, none when the chunk starts with a special token', () => {
    expect(encodeTextChunk('a </s> b', fakeEncode, false)).toEqual([1032, 1097, 1032, 2, 1032, 1098]);
    expect(encodeTextChunk('</s>b', fakeEncode, false)).toEqual([2, 1098]);
    expect(encodeTextChunk('</s>', fakeEncode, false)).toEqual([2]);
    expect(encodeTextChunk('', fakeEncode, false)).toEqual([]);
  });
});
