import { AppError } from '../../src/core/errors.ts';
import type { BpeVocabulary } from './tokenizerJson.ts';

/**
 * Reads a Hugging Face `tokenizer.json` for a LLaMA tokenizer and keeps only what defines the vocabulary:
 * pieces by id, merges by rank, the special ids and byte fallback. The pipeline around them (normaliser,
 * pre-tokenizer, decoder, post-processor) is rebuilt as the slow legacy LlamaTokenizer's, because files
 * converted by newer transformers default to the non-legacy Metaspace form, which tokenizes the text after
 * `</s>` differently from how DepictQA was trained.
 */
export interface TokenizerJsonReading {
  vocabulary: BpeVocabulary;
  /** What was changed on the way, for the converter to print. */
  notes: string[];
}

function invalid(file: string, problem: string, cause?: unknown): AppError {
  return new AppError('TOKENIZER_INVALID', `${file}: ${problem}`, {
    hint: 'Give the tokenizer.model (SentencePiece) that ships with lmsys/vicuna-7b-v1.5, or its tokenizer.json.',
    ...(cause === undefined ? {} : { cause }),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseTokenizerJson(text: string, file: string): TokenizerJsonReading {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(file, `not JSON (${(error as Error).message})`, error);
  }
  if (!isRecord(json) || !isRecord(json.model)) throw invalid(file, 'no "model" object: not a tokenizer.json');
  const model = json.model;
  if (model.type !== 'BPE') throw invalid(file, `model type ${JSON.stringify(model.type)}; only BPE (LLaMA's) is supported`);

  // 1. Vocabulary: piece → id, ids 0..n-1 each used once.
  if (!isRecord(model.vocab)) throw invalid(file, 'model.vocab is not an object');
  const entries = Object.entries(model.vocab);
  const vocab = new Array<string | undefined>(entries.length);
  for (const [piece, id] of entries) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= entries.length || vocab[id] !== undefined) {
      throw invalid(file, `model.vocab: id ${JSON.stringify(id)} of ${JSON.stringify(piece)} is not a unique id below ${entries.length}`);
    }
    vocab[id] = piece;
  }
  const pieces = vocab as string[];
  const idOf = new Map(pieces.map((piece, id) => [piece, id]));

  // 2. Merges: "left right" strings (older files) or [left, right] pairs, each making a vocabulary piece.
  if (!Array.isArray(model.merges)) throw invalid(file, 'model.merges is not a list');
  const merges = model.merges.map((merge: unknown, rank): [string, string] => {
    const pair = typeof merge === 'string' ? merge.split(' ') : merge;
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw invalid(file, `model.merges[${rank}] is not a pair of pieces`);
    }
    const [left, right] = pair as [string, string];
    if (!idOf.has(left) || !idOf.has(right) || !idOf.has(left + right)) {
      throw invalid(file, `model.merges[${rank}] "${left} ${right}" uses or makes a piece outside the vocabulary`);
    }
    return [left, right];
  });

  // 3. Special tokens and byte fallback, as LLaMA has them.
  const idOfSpecial = (piece: string): number => {
    const id = idOf.get(piece);
    if (id === undefined) throw invalid(file, `the vocabulary has no ${piece}`);
    return id;
  };
  const unkName = typeof model.unk_token === 'string' ? model.unk_token : '<unk>';
  const vocabulary: BpeVocabulary = {
    vocab: pieces,
    merges,
    unkId: idOfSpecial(unkName),
    bosId: idOfSpecial('<s>'),
    eosId: idOfSpecial('</s>'),
    byteFallback: model.byte_fallback === true,
  };
  if (!vocabulary.byteFallback) throw invalid(file, 'model.byte_fallback is off; LLaMA tokenizers fall back to byte pieces');

  const notes: string[] = [];
  const preTokenizer = json.pre_tokenizer;
  if (isRecord(preTokenizer) && preTokenizer.type === 'Metaspace') {
    notes.push(`${file}: its Metaspace pre-tokenizer is a newer transformers' form; rewritten in transformers 4.35's (where ▁ goes after a special token follows tokenizer_config.json's legacy flag)`);
  }
  return { vocabulary, notes };
}
