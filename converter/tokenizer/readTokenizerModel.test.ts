import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { llamaModelProto, writeVicunaTokenizer } from '../../tools/tiny/tokenizer.ts';
import { parseTokenizerModel, readTokenizerModel } from './readTokenizerModel.ts';
import { encodeModelProto, ModelType, PieceType, type ModelProto } from './sentencepieceProto.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spm-reader-'));
  await writeVicunaTokenizer(join(dir, 'vicuna'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function expectInvalid(run: () => unknown, message: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('TOKENIZER_INVALID');
    expect((error as AppError).message).toMatch(message);
    return;
  }
  throw new Error('expected TOKENIZER_INVALID');
}

/** LLaMA's model cut to its special and byte pieces plus 100 ordinary ones, `edit` applied, as bytes. */
function edited(edit: (model: ModelProto) => void): Uint8Array {
  const model = llamaModelProto();
  model.pieces = model.pieces.slice(0, 359);
  edit(model);
  return encodeModelProto(model);
}

describe('readTokenizerModel', () => {
  it('reads back the written tokenizer.model: 32000 pieces with types and scores, a BPE trainer spec', async () => {
    const model = await readTokenizerModel(join(dir, 'vicuna', 'tokenizer.model'));
    const expected = llamaModelProto().pieces;
    expect(model.pieces).toHaveLength(32000);
    // float32 on disk: the scores are small integers and -1e9, all exact.
    expect(model.pieces).toEqual(expected);
    expect(model.pieces[0]).toEqual({ piece: '<unk>', score: 0, type: PieceType.UNKNOWN });
    expect(model.pieces[1]).toEqual({ piece: '<s>', score: 0, type: PieceType.CONTROL });
    expect(model.pieces[2]).toEqual({ piece: '</s>', score: 0, type: PieceType.CONTROL });
    expect(model.pieces[3 + 0x0a]).toEqual({ piece: '<0x0A>', score: 0, type: PieceType.BYTE });
    expect(model.pieces[7084]).toEqual({ piece: '▁Image', score: -(7084 - 259), type: PieceType.NORMAL });
    expect(model.pieces[259]).toEqual({ piece: '▁▁', score: -1e9, type: PieceType.NORMAL });
    expect([model.unkId, model.bosId, model.eosId, model.byteFallback]).toEqual([0, 1, 2, true]);
    expect(model.trainerSpec.model_type).toBe(ModelType.BPE);
    expect(model.trainerSpec.vocab_size).toBe(32000);
    expect(model.normalizerSpec).toMatchObject({ name: 'identity', add_dummy_prefix: true, remove_extra_whitespaces: false });
  });

  it('refuses a PNG and a text file as not a SentencePiece model', async () => {
    const png = Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
      0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde,
    ]);
    await writeFile(join(dir, 'image.png'), png);
    await writeFile(join(dir, 'notes.txt'), 'These are not the tokenizer you are looking for.\n');
    for (const name of ['image.png', 'notes.txt']) {
      const error = await readTokenizerModel(join(dir, name)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('TOKENIZER_INVALID');
      expect((error as AppError).message).toMatch(new RegExp(`${name}: not a SentencePiece model`));
    }
  });

  it('says FILE_NOT_FOUND for a missing file', async () => {
    await expect(readTokenizerModel(join(dir, 'missing.model'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });

  it('accepts the cut-down model the refusal cases start from', () => {
    expect(parseTokenizerModel(edited(() => undefined), 'tokenizer.model').pieces).toHaveLength(359);
  });

  it('refuses a Unigram model, naming the file', () => {
    const bytes = edited((model) => {
      model.trainer_spec = { ...model.trainer_spec, model_type: ModelType.UNIGRAM };
    });
    expectInvalid(() => parseTokenizerModel(bytes, 't5/spiece.model'), /^t5\/spiece\.model: a Unigram SentencePiece model/);
  });

  it('refuses models the converter would not reproduce exactly', () => {
    const cases: [(model: ModelProto) => void, RegExp][] = [
      [(m) => void (m.pieces[1] = { piece: '<s>', score: 0, type: PieceType.NORMAL }), /bos id 1 is not a CONTROL piece/],
      [(m) => void m.pieces.splice(3 + 0x41, 1), /byte piece <0x41> is missing/],
      [(m) => void (m.pieces[300] = { piece: '▁t', score: 0, type: PieceType.NORMAL }), /"▁t" appears twice \(ids 260 and 300\)/],
      [(m) => void (m.normalizer_spec = { ...m.normalizer_spec, name: 'nmt_nfkc', precompiled_charsmap: Uint8Array.of(1) }), /normalizer "nmt_nfkc"/],
      [(m) => void (m.normalizer_spec = { ...m.normalizer_spec, remove_extra_whitespaces: true }), /remove_extra_whitespaces is on/],
      [(m) => void (m.normalizer_spec = { ...m.normalizer_spec, add_dummy_prefix: false }), /add_dummy_prefix is off/],
      [(m) => void (m.pieces = []), /no vocabulary pieces/],
    ];
    for (const [edit, message] of cases) expectInvalid(() => parseTokenizerModel(edited(edit), 'tokenizer.model'), message);
  });
});
