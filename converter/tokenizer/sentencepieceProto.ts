import protobuf from 'protobufjs';

/**
 * The parts of SentencePiece's `sentencepiece_model.proto` (proto2) that a LLaMA `tokenizer.model` uses,
 * with the upstream field numbers, so that files written here load in the sentencepiece library and real
 * files parse here. Fields not listed are skipped on read.
 */
const SENTENCEPIECE_MODEL_PROTO = `
syntax = "proto2";
package sentencepiece;

message TrainerSpec {
  repeated string input = 1;
  optional string input_format = 7;
  optional string model_prefix = 2;
  enum ModelType {
    UNIGRAM = 1;
    BPE = 2;
    WORD = 3;
    CHAR = 4;
  }
  optional ModelType model_type = 3 [default = UNIGRAM];
  optional int32 vocab_size = 4 [default = 8000];
  optional int32 self_test_sample_size = 6 [default = 0];
  optional bool enable_differential_privacy = 50 [default = false];
  optional float differential_privacy_noise_level = 51 [default = 0.0];
  optional uint64 differential_privacy_clipping_threshold = 52 [default = 0];
  optional float character_coverage = 10 [default = 0.9995];
  optional uint64 input_sentence_size = 11 [default = 0];
  optional bool shuffle_input_sentence = 19 [default = true];
  optional int32 seed_sentencepiece_size = 14 [default = 1000000];
  optional float shrinking_factor = 15 [default = 0.75];
  optional int32 max_sentence_length = 18 [default = 4192];
  optional int32 num_threads = 16 [default = 16];
  optional int32 num_sub_iterations = 17 [default = 2];
  optional int32 max_sentencepiece_length = 20 [default = 16];
  optional bool split_by_unicode_script = 21 [default = true];
  optional bool split_by_number = 23 [default = true];
  optional bool split_by_whitespace = 22 [default = true];
  optional bool treat_whitespace_as_suffix = 24 [default = false];
  optional bool allow_whitespace_only_pieces = 26 [default = false];
  optional bool split_digits = 25 [default = false];
  repeated string control_symbols = 30;
  repeated string user_defined_symbols = 31;
  optional string required_chars = 36;
  optional bool byte_fallback = 35 [default = false];
  optional bool vocabulary_output_piece_score = 32 [default = true];
  optional bool hard_vocab_limit = 33 [default = true];
  optional bool use_all_vocab = 34 [default = false];
  optional int32 unk_id = 40 [default = 0];
  optional int32 bos_id = 41 [default = 1];
  optional int32 eos_id = 42 [default = 2];
  optional int32 pad_id = 43 [default = -1];
  optional string unk_piece = 45 [default = "<unk>"];
  optional string bos_piece = 46 [default = "<s>"];
  optional string eos_piece = 47 [default = "</s>"];
  optional string pad_piece = 48 [default = "<pad>"];
  // Upstream default " \u2047 " (with spaces); writers set it explicitly.
  optional string unk_surface = 44;
  optional bool train_extremely_large_corpus = 49 [default = false];
}

message NormalizerSpec {
  optional string name = 1;
  optional bytes precompiled_charsmap = 2;
  optional bool add_dummy_prefix = 3 [default = true];
  optional bool remove_extra_whitespaces = 4 [default = true];
  optional bool escape_whitespaces = 5 [default = true];
  optional string normalization_rule_tsv = 6;
}

message ModelProto {
  message SentencePiece {
    enum Type {
      NORMAL = 1;
      UNKNOWN = 2;
      CONTROL = 3;
      USER_DEFINED = 4;
      BYTE = 6;
      UNUSED = 5;
    }
    optional string piece = 1;
    optional float score = 2;
    optional Type type = 3 [default = NORMAL];
  }
  repeated SentencePiece pieces = 1;
  optional TrainerSpec trainer_spec = 2;
  optional NormalizerSpec normalizer_spec = 3;
  optional NormalizerSpec denormalizer_spec = 5;
}
`;

/** `ModelProto.SentencePiece.Type`, numbered as on disk. */
export const PieceType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;
export type PieceType = (typeof PieceType)[keyof typeof PieceType];

/** `TrainerSpec.ModelType`, numbered as on disk. */
export const ModelType = { UNIGRAM: 1, BPE: 2, WORD: 3, CHAR: 4 } as const;
export type ModelType = (typeof ModelType)[keyof typeof ModelType];

export interface SentencePiece {
  piece: string;
  score: number;
  type: PieceType;
}

/** Trainer fields the converter reads or the writer sets; snake_case mirrors the proto on disk. */
export interface TrainerSpec {
  input?: string[];
  input_format?: string;
  model_prefix?: string;
  model_type?: ModelType;
  vocab_size?: number;
  self_test_sample_size?: number;
  character_coverage?: number;
  input_sentence_size?: number;
  shuffle_input_sentence?: boolean;
  seed_sentencepiece_size?: number;
  shrinking_factor?: number;
  max_sentence_length?: number;
  num_threads?: number;
  num_sub_iterations?: number;
  max_sentencepiece_length?: number;
  split_by_unicode_script?: boolean;
  split_by_number?: boolean;
  split_by_whitespace?: boolean;
  treat_whitespace_as_suffix?: boolean;
  allow_whitespace_only_pieces?: boolean;
  split_digits?: boolean;
  required_chars?: string;
  byte_fallback?: boolean;
  vocabulary_output_piece_score?: boolean;
  hard_vocab_limit?: boolean;
  use_all_vocab?: boolean;
  unk_id?: number;
  bos_id?: number;
  eos_id?: number;
  pad_id?: number;
  unk_piece?: string;
  bos_piece?: string;
  eos_piece?: string;
  pad_piece?: string;
  unk_surface?: string;
  train_extremely_large_corpus?: boolean;
  enable_differential_privacy?: boolean;
  differential_privacy_noise_level?: number;
  differential_privacy_clipping_threshold?: number;
}

export interface NormalizerSpec {
  name?: string;
  precompiled_charsmap?: Uint8Array;
  add_dummy_prefix?: boolean;
  remove_extra_whitespaces?: boolean;
  escape_whitespaces?: boolean;
  normalization_rule_tsv?: string;
}

export interface ModelProto {
  pieces: SentencePiece[];
  // Decoding gives null for an absent sub-message.
  trainer_spec?: TrainerSpec | null;
  normalizer_spec?: NormalizerSpec | null;
  denormalizer_spec?: NormalizerSpec | null;
}

let modelProtoType: protobuf.Type | undefined;

function modelProto(): protobuf.Type {
  modelProtoType ??= protobuf.parse(SENTENCEPIECE_MODEL_PROTO, { keepCase: true }).root.lookupType(
    'sentencepiece.ModelProto',
  );
  return modelProtoType;
}

/** Serialises a model as SentencePiece writes `tokenizer.model` (which leaves NORMAL, the default type, unset). */
export function encodeModelProto(model: ModelProto): Uint8Array {
  const type = modelProto();
  const message = {
    ...model,
    pieces: model.pieces.map(({ piece, score, type: pieceType }) =>
      pieceType === PieceType.NORMAL ? { piece, score } : { piece, score, type: pieceType },
    ),
  };
  const problem = type.verify(message);
  if (problem !== null) throw new Error(`sentencepiece ModelProto: ${problem}`);
  return type.encode(type.fromObject(message)).finish();
}

/**
 * Parses `tokenizer.model` bytes. Throws protobufjs' own error on malformed wire data; absent optional
 * fields come back with their proto2 defaults (e.g. a piece without `type` is NORMAL).
 */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  const type = modelProto();
  const message = type.decode(bytes);
  return type.toObject(message, { defaults: true, longs: Number, enums: Number, bytes: Uint8Array }) as ModelProto;
}
