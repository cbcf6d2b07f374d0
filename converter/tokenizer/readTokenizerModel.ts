import { readFile, stat } from 'node:fs/promises';
import { AppError } from '../../src/core/errors.ts';
import {
  decodeModelProto,
  ModelType,
  PieceType,
  type ModelProto,
  type NormalizerSpec,
  type SentencePiece,
  type TrainerSpec,
} from './sentencepieceProto.ts';

/** LLaMA's file is ~500 KB; anything this large is some other file given by mistake. */
const MAX_MODEL_BYTES = 64 * 1024 * 1024;

/** A SentencePiece BPE model the converter can turn into a Hugging Face tokenizer.json. */
export interface SentencePieceBpe {
  pieces: SentencePiece[];
  unkId: number;
  bosId: number;
  eosId: number;
  byteFallback: boolean;
  trainerSpec: TrainerSpec;
  normalizerSpec: NormalizerSpec;
}

const MODEL_TYPE_NAMES: Record<number, string> = { 1: 'Unigram', 2: 'BPE', 3: 'word', 4: 'char' };
const HINT = 'Give the tokenizer.model that ships with lmsys/vicuna-7b-v1.5 (LLaMA-2 SentencePiece BPE).';

function invalid(file: string, problem: string, cause?: unknown): AppError {
  return new AppError('TOKENIZER_INVALID', `${file}: ${problem}`, {
    hint: HINT,
    ...(cause === undefined ? {} : { cause }),
  });
}

function byteName(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/** Reads and validates `tokenizer.model`; see `parseTokenizerModel`. */
export async function readTokenizerModel(path: string): Promise<SentencePieceBpe> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw invalid(path, 'not a regular file');
    size = info.size;
  } catch (error) {
    if (error instanceof AppError) throw error;
    if ((error as { code?: unknown }).code === 'ENOENT') {
      throw new AppError('FILE_NOT_FOUND', `${path}: file not found`, { hint: HINT, cause: error });
    }
    throw invalid(path, `cannot read: ${(error as Error).message}`, error);
  }
  if (size > MAX_MODEL_BYTES) throw invalid(path, `${size} bytes is far too large for a SentencePiece model`);
  return parseTokenizerModel(new Uint8Array(await readFile(path)), path);
}

/**
 * Parses SentencePiece `ModelProto` bytes and checks that they describe a model the converter reproduces
 * exactly: BPE, the special pieces where the trainer spec says, a complete byte-fallback table, and the
 * identity normaliser with a dummy prefix and no whitespace folding (LLaMA's settings).
 * Anything else is TOKENIZER_INVALID naming `file` and the problem.
 */
export function parseTokenizerModel(bytes: Uint8Array, file: string): SentencePieceBpe {
  let model: ModelProto;
  try {
    model = decodeModelProto(bytes);
  } catch (error) {
    throw invalid(file, `not a SentencePiece model (protobuf: ${(error as Error).message})`, error);
  }
  const { pieces } = model;
  if (pieces.length === 0) throw invalid(file, 'not a SentencePiece model (no vocabulary pieces)');

  // 1. Every piece: text, a known type, unique.
  const seen = new Map<string, number>();
  pieces.forEach((piece, id) => {
    if (piece.piece.length === 0) throw invalid(file, `piece ${id} is empty: not a SentencePiece model`);
    if (!Object.values(PieceType).includes(piece.type)) throw invalid(file, `piece ${id} has unknown type ${piece.type}`);
    const earlier = seen.get(piece.piece);
    if (earlier !== undefined) throw invalid(file, `piece ${JSON.stringify(piece.piece)} appears twice (ids ${earlier} and ${id})`);
    seen.set(piece.piece, id);
  });

  // 2. The algorithm: only BPE is converted (merges come from scores, which means nothing for Unigram).
  const trainerSpec = model.trainer_spec;
  if (trainerSpec == null) throw invalid(file, 'no trainer_spec: not a SentencePiece model');
  const modelType = trainerSpec.model_type ?? ModelType.UNIGRAM;
  if (modelType !== ModelType.BPE) {
    const name = MODEL_TYPE_NAMES[modelType] ?? `type ${modelType}`;
    throw invalid(file, `a ${name} SentencePiece model; only BPE models (LLaMA's) can be converted`);
  }

  // 3. Special pieces at the ids the trainer spec names.
  const special = (what: string, id: number | undefined, type: PieceType): number => {
    const piece = id === undefined || id < 0 ? undefined : pieces[id];
    if (id === undefined || piece === undefined || piece.type !== type) {
      throw invalid(file, `${what} id ${id ?? 'unset'} is not a ${type === PieceType.UNKNOWN ? 'UNKNOWN' : 'CONTROL'} piece`);
    }
    return id;
  };
  const unkId = special('unk', trainerSpec.unk_id, PieceType.UNKNOWN);
  const bosId = special('bos', trainerSpec.bos_id, PieceType.CONTROL);
  const eosId = special('eos', trainerSpec.eos_id, PieceType.CONTROL);

  // 4. Byte fallback needs all 256 byte pieces.
  const byteFallback = trainerSpec.byte_fallback ?? false;
  const bytePieces = pieces.filter((piece) => piece.type === PieceType.BYTE);
  if (byteFallback) {
    for (let byte = 0; byte < 256; byte++) {
      const id = seen.get(byteName(byte));
      if (id === undefined || pieces[id]?.type !== PieceType.BYTE) {
        throw invalid(file, `byte_fallback is on but the byte piece ${byteName(byte)} is missing`);
      }
    }
  } else if (bytePieces.length > 0) {
    throw invalid(file, `${bytePieces.length} byte pieces but byte_fallback is off`);
  }

  // 5. The normaliser the converter reproduces (Prepend ▁ + spaces → ▁).
  const normalizerSpec = model.normalizer_spec ?? {};
  const charsmap = normalizerSpec.precompiled_charsmap ?? new Uint8Array();
  if (charsmap.length > 0 || (normalizerSpec.name !== undefined && normalizerSpec.name !== '' && normalizerSpec.name !== 'identity')) {
    throw invalid(file, `normalizer "${normalizerSpec.name ?? ''}" rewrites text; only the identity normalizer is supported`);
  }
  // Absent fields take the proto2 defaults (add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces: true).
  if (normalizerSpec.add_dummy_prefix === false) throw invalid(file, 'add_dummy_prefix is off; LLaMA tokenizers add it');
  if (normalizerSpec.remove_extra_whitespaces ?? true) {
    throw invalid(file, 'remove_extra_whitespaces is on; LLaMA tokenizers keep every space');
  }
  if (normalizerSpec.escape_whitespaces === false) throw invalid(file, 'escape_whitespaces is off; LLaMA tokenizers write spaces as ▁');
  if (trainerSpec.treat_whitespace_as_suffix === true) throw invalid(file, 'treat_whitespace_as_suffix is on; not supported');

  return { pieces, unkId, bosId, eosId, byteFallback, trainerSpec, normalizerSpec };
}
