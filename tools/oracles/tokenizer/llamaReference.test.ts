import { describe, expect, it } from 'vitest';
import { PROMPT_KINDS, PROMPTS, QUESTION_MARKER } from '../../../src/core/prompt/prompts.ts';
import { upstreamTokenizer } from '../../../src/core/prompt/testing/upstreamFixture.ts';
import { mergesFromScores } from '../../../converter/tokenizer/bpeMerges.ts';
import { FIRST_NORMAL_ID, llamaSentencePieces, referenceEncodeText, referenceVocabulary, WHITESPACE_RUN_SCORE } from './llamaReference.ts';
import { PieceType } from '../../../converter/tokenizer/sentencepieceProto.ts';

describe('LLaMA pieces rebuilt from llama-tokenizer-js', () => {
  const pieces = llamaSentencePieces();

  it('scores ordinary pieces −(id − 259) and whitespace runs −1e9, as Meta’s tokenizer.model does', () => {
    expect(pieces).toHaveLength(32000);
    expect(pieces.slice(FIRST_NORMAL_ID, FIRST_NORMAL_ID + 3)).toEqual([
      { piece: '▁▁', score: WHITESPACE_RUN_SCORE, type: PieceType.NORMAL },
      { piece: '▁t', score: -1, type: PieceType.NORMAL },
      { piece: 'er', score: -2, type: PieceType.NORMAL },
    ]);
    expect(pieces[29871]).toEqual({ piece: '▁', score: -29612, type: PieceType.NORMAL });
    const runs = pieces.filter((piece) => piece.score === WHITESPACE_RUN_SCORE).map((piece) => piece.piece.length);
    expect(runs.sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(pieces.filter((piece) => piece.type === PieceType.BYTE)).toHaveLength(256);
  });

  it('gives back exactly the reference merges, in order, when merges are derived from the scores', () => {
    const reference = referenceVocabulary().merges;
    const derived = mergesFromScores(pieces);
    expect(derived).toHaveLength(61249);
    const firstDifference = derived.findIndex(([l, r], rank) => l !== reference[rank]?.[0] || r !== reference[rank]?.[1]);
    expect(firstDifference).toBe(-1);
  });

  it('splits special tokens out like the slow tokenizer and prefixes every piece', () => {
    expect(referenceEncodeText('Image')).toEqual([7084]);
    expect(referenceEncodeText(' A')).toEqual([29871, 319]);
    expect(referenceEncodeText('</s>')).toEqual([2]);
    expect(referenceEncodeText('x </s> y<s><unk>')).toEqual([921, 29871, 2, 29871, 343, 1, 0]);
  });
});

describe('llama-tokenizer-js with legacy splitting, against transformers 4.35.0 with legacy=True', () => {
  it('gives the ids upstream’s fixture has for every chunk and every question', () => {
    const upstream = upstreamTokenizer(true);
    for (const kind of PROMPT_KINDS) for (const chunk of upstream.kinds[kind]) expect(referenceEncodeText(chunk.text)).toEqual(chunk.ids);
    for (const family of ['compare', 'single'] as const) {
      const last = PROMPTS.prompt_chunks[`${family}_no_reference`].at(-1);
      const template = last !== undefined && 'text' in last ? last.text : '';
      for (const question of upstream.questions) {
        const ids = question[family];
        if (ids !== undefined) expect(referenceEncodeText(template.split(QUESTION_MARKER).join(question.text)), question.text).toEqual(ids);
      }
    }
  });
});
