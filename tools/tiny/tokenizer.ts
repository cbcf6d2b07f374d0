import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { llamaSentencePieces } from '../oracles/tokenizer/llamaReference.ts';
import { encodeModelProto, ModelType, type ModelProto } from '../../converter/tokenizer/sentencepieceProto.ts';

/**
 * Vicuna-7B-v1.5's tokenizer files as lmsys ships them, for tests and the tiny model: a real SentencePiece
 * `tokenizer.model` built from LLaMA's vocabulary and merges (see `llamaSentencePieces`), plus
 * `tokenizer_config.json` and `special_tokens_map.json`.
 */

/** LLaMA-2's trainer and normaliser settings, as recorded in Meta's tokenizer.model (paths left out). */
export function llamaModelProto(): ModelProto {
  return {
    pieces: llamaSentencePieces(),
    trainer_spec: {
      model_type: ModelType.BPE,
      vocab_size: 32000,
      self_test_sample_size: 0,
      input_format: 'text',
      character_coverage: 0.99995,
      input_sentence_size: 200000000,
      seed_sentencepiece_size: 1000000,
      shrinking_factor: 0.75,
      num_threads: 80,
      num_sub_iterations: 2,
      max_sentence_length: 4192,
      shuffle_input_sentence: true,
      max_sentencepiece_length: 16,
      split_by_unicode_script: true,
      split_by_whitespace: true,
      split_by_number: true,
      treat_whitespace_as_suffix: false,
      split_digits: true,
      allow_whitespace_only_pieces: true,
      vocabulary_output_piece_score: true,
      hard_vocab_limit: true,
      use_all_vocab: false,
      byte_fallback: true,
      required_chars: '',
      unk_id: 0,
      bos_id: 1,
      eos_id: 2,
      pad_id: -1,
      unk_surface: ' \u2047 ',
      unk_piece: '<unk>',
      bos_piece: '<s>',
      eos_piece: '</s>',
      pad_piece: '<pad>',
      train_extremely_large_corpus: false,
      enable_differential_privacy: false,
      differential_privacy_noise_level: 0,
      differential_privacy_clipping_threshold: 0,
    },
    normalizer_spec: {
      name: 'identity',
      precompiled_charsmap: new Uint8Array(),
      add_dummy_prefix: true,
      remove_extra_whitespaces: false,
      normalization_rule_tsv: '',
    },
  };
}

function addedToken(content: string): Record<string, unknown> {
  return { __type: 'AddedToken', content, lstrip: false, normalized: false, rstrip: false, single_word: false };
}

function specialToken(content: string): Record<string, unknown> {
  return { content, lstrip: false, normalized: false, rstrip: false, single_word: false };
}

/**
 * Vicuna's tokenizer_config.json. Like Llama-2-7b-hf's, from which FastChat saved it, it says
 * `legacy: false`; the DepictQA model contract uses the legacy behaviour all the same, and the converter
 * writes `legacy: true` into the bundle.
 */
export const VICUNA_TOKENIZER_CONFIG = {
  add_bos_token: true,
  add_eos_token: false,
  bos_token: addedToken('<s>'),
  clean_up_tokenization_spaces: false,
  eos_token: addedToken('</s>'),
  legacy: false,
  model_max_length: 4096,
  pad_token: null,
  padding_side: 'right',
  sp_model_kwargs: {},
  tokenizer_class: 'LlamaTokenizer',
  unk_token: addedToken('<unk>'),
};

/** Vicuna's special_tokens_map.json (FastChat pads with `<unk>`). */
export const VICUNA_SPECIAL_TOKENS_MAP = {
  bos_token: specialToken('<s>'),
  eos_token: specialToken('</s>'),
  pad_token: '<unk>',
  unk_token: specialToken('<unk>'),
};

/** Writes `tokenizer.model`, `tokenizer_config.json` and `special_tokens_map.json` into `dir` (created if needed). */
export async function writeVicunaTokenizer(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'tokenizer.model'), encodeModelProto(llamaModelProto()));
  await writeFile(join(dir, 'tokenizer_config.json'), `${JSON.stringify(VICUNA_TOKENIZER_CONFIG, null, 2)}\n`);
  await writeFile(join(dir, 'special_tokens_map.json'), `${JSON.stringify(VICUNA_SPECIAL_TOKENS_MAP, null, 2)}\n`);
}
