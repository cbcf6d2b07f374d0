import { mergesFromScores } from './bpeMerges.ts';
import type { SentencePieceBpe } from './readTokenizerModel.ts';

/**
 * Hugging Face `tokenizer.json` (the `tokenizers` format that transformers.js loads) for a LLaMA SentencePiece
 * BPE model, tokenizing like the slow `LlamaTokenizer` with `legacy=True`:
 * - special tokens are split out of the raw text first (`normalized: false`), then
 * - each remaining piece is normalised on its own: Prepend("▁") gives every piece the dummy prefix,
 *   Replace(" ", "▁") escapes spaces; no pre-tokenizer, so BPE sees the whole piece;
 * - BPE with byte fallback and fused unknowns; the post-processor adds `<s>` when asked to.
 * snake_case fields mirror the file format.
 */

export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** Everything but the model's vocab and merges, which `serializeTokenizerJson` writes in id / rank order. */
export interface TokenizerJson {
  version: '1.0';
  truncation: null;
  padding: null;
  added_tokens: AddedTokenJson[];
  normalizer: unknown;
  pre_tokenizer: null;
  post_processor: unknown;
  decoder: unknown;
  model: {
    type: 'BPE';
    dropout: null;
    unk_token: string;
    continuing_subword_prefix: null;
    end_of_word_suffix: null;
    fuse_unk: true;
    byte_fallback: boolean;
    ignore_merges: false;
    vocab: string[];
    merges: [string, string][];
  };
}

const SPIECE_UNDERLINE = '▁';

function addedToken(id: number, content: string): AddedTokenJson {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/** What defines a LLaMA tokenizer, whichever file it came from. */
export interface BpeVocabulary {
  /** Piece by id. */
  vocab: string[];
  /** Merges by rank (best first). */
  merges: [string, string][];
  unkId: number;
  bosId: number;
  eosId: number;
  byteFallback: boolean;
}

/** The vocabulary of a validated SentencePiece BPE model, merges derived from its scores. */
export function vocabularyFromModel(model: SentencePieceBpe): BpeVocabulary {
  return {
    vocab: model.pieces.map((piece) => piece.piece),
    merges: mergesFromScores(model.pieces),
    unkId: model.unkId,
    bosId: model.bosId,
    eosId: model.eosId,
    byteFallback: model.byteFallback,
  };
}

/** Special token texts by role. */
export function specialTokens(vocabulary: BpeVocabulary): { unk: string; bos: string; eos: string } {
  const name = (id: number): string => {
    const piece = vocabulary.vocab[id];
    if (piece === undefined) throw new Error(`special id ${id} is outside the ${vocabulary.vocab.length}-piece vocabulary`);
    return piece;
  };
  return { unk: name(vocabulary.unkId), bos: name(vocabulary.bosId), eos: name(vocabulary.eosId) };
}

/** The LLaMA (legacy) pipeline around a vocabulary. */
export function buildTokenizerJson(vocabulary: BpeVocabulary): TokenizerJson {
  const { vocab, merges, unkId, bosId, eosId, byteFallback } = vocabulary;
  const { unk, bos, eos } = specialTokens(vocabulary);
  const added = [addedToken(unkId, unk), addedToken(bosId, bos), addedToken(eosId, eos)];
  added.sort((a, b) => a.id - b.id);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: SPIECE_UNDERLINE },
        { type: 'Replace', pattern: { String: ' ' }, content: SPIECE_UNDERLINE },
      ],
    },
    pre_tokenizer: null,
    // LlamaTokenizerFast's template: <s> before each sequence (add_bos_token true, add_eos_token false).
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: bos, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: bos, type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { [bos]: { id: bos, ids: [bosId], tokens: [bos] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: SPIECE_UNDERLINE }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        // Drops the dummy prefix's space at the start of the decoded text.
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: unk,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: byteFallback,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

/**
 * JSON text of the tokenizer. The vocab is written as an object in id order by hand: a JS object would
 * move integer-like keys ("0", "1", …) to the front, which is harmless but unlike every other tokenizer.json.
 */
export function serializeTokenizerJson(tokenizer: TokenizerJson): string {
  const { vocab, merges, ...modelRest } = tokenizer.model;
  const vocabText = `{${vocab.map((piece, id) => `${JSON.stringify(piece)}:${id}`).join(',')}}`;
  // A marker no piece can spell (NUL characters), replaced by the hand-written vocab.
  const marker = '\u0000vocab\u0000';
  const markerJson = JSON.stringify(marker);
  const skeleton = JSON.stringify({ ...tokenizer, model: { ...modelRest, vocab: marker, merges } });
  const at = skeleton.indexOf(markerJson);
  return `${skeleton.slice(0, at)}${vocabText}${skeleton.slice(at + markerJson.length)}`;
}
