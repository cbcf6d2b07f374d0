import llamaTokenizer from 'llama-tokenizer-js';
import { PieceType, type SentencePiece } from '../../../converter/tokenizer/sentencepieceProto.ts';

/**
 * LLaMA's real 32000-piece vocabulary and BPE merges, as the npm package `llama-tokenizer-js` ships them
 * (taken from Meta's tokenizer via Hugging Face's tokenizer.json), turned back into SentencePiece pieces with
 * scores. This is the independent reference the converter and the prompt ids are checked against.
 */

/** Score SentencePiece gives LLaMA's whitespace-run pieces (`▁▁`, `▁▁▁▁`, …): merged only after everything else. */
export const WHITESPACE_RUN_SCORE = -1e9;
/** Id of the first ordinary piece (`▁▁`): after `<unk>`, `<s>`, `</s>` and the 256 byte pieces. */
export const FIRST_NORMAL_ID = 259;

export interface ReferenceVocabulary {
  /** Piece text by id. */
  pieces: readonly string[];
  /** Merges in priority order (index = rank), as [left, right]. */
  merges: readonly (readonly [string, string])[];
}

let cached: ReferenceVocabulary | undefined;

export function referenceVocabulary(): ReferenceVocabulary {
  if (cached !== undefined) return cached;
  const pieces = llamaTokenizer.vocabById;
  // The package keys each merge as "left right" with the priority as value; pieces never hold an ASCII
  // space (SentencePiece writes spaces as ▁), so the single space splits the key unambiguously.
  const merges = [...llamaTokenizer.merges.entries()]
    .sort((a, b) => a[1] - b[1])
    .map(([key]): readonly [string, string] => {
      const parts = key.split(' ');
      if (parts.length !== 2 || parts[0] === undefined || parts[1] === undefined) {
        throw new Error(`llama-tokenizer-js: merge key ${JSON.stringify(key)} is not "left right"`);
      }
      return [parts[0], parts[1]];
    });
  cached = { pieces, merges };
  return cached;
}

function byteName(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/**
 * The pieces of LLaMA's `tokenizer.model` with types and scores. SentencePiece BPE merges the adjacent pair
 * whose result has the highest score, so a piece's score must follow the rank of the first merge that makes
 * it. Like Meta's file, ordinary pieces score −(id − 259): in this vocabulary id order is merge order, which
 * the loop checks. The exception is the whitespace runs, whose merges come last although their ids are
 * small; they get the very low score LLaMA gives them.
 */
export function llamaSentencePieces(): SentencePiece[] {
  cachedPieces ??= deriveSentencePieces();
  return cachedPieces.map((piece) => ({ ...piece }));
}

let cachedPieces: SentencePiece[] | undefined;

function deriveSentencePieces(): SentencePiece[] {
  const { pieces, merges } = referenceVocabulary();
  const idOf = new Map(pieces.map((piece, id) => [piece, id]));

  // 1. First (best) merge rank that produces each piece.
  const firstRank = new Map<number, number>();
  merges.forEach(([left, right], rank) => {
    const id = idOf.get(left + right);
    if (id === undefined) throw new Error(`llama-tokenizer-js: merge "${left} ${right}" makes no piece`);
    if (!firstRank.has(id)) firstRank.set(id, rank);
  });

  // 2. Walk ids from the end: a merged piece is in order when its rank beats every later id's rank.
  const scores = new Array<number>(pieces.length).fill(0);
  let bestLaterRank = Number.POSITIVE_INFINITY;
  for (let id = pieces.length - 1; id >= FIRST_NORMAL_ID; id--) {
    const rank = firstRank.get(id);
    const inOrder = rank === undefined || rank < bestLaterRank;
    if (!inOrder && !/^▁+$/u.test(pieces[id] ?? '')) {
      throw new Error(`llama-tokenizer-js: piece ${id} ${JSON.stringify(pieces[id])} merges out of id order`);
    }
    scores[id] = inOrder ? -(id - FIRST_NORMAL_ID) : WHITESPACE_RUN_SCORE;
    if (rank !== undefined && inOrder) bestLaterRank = rank;
  }

  // 3. Types: <unk>, <s>, </s>, then the 256 byte pieces, then ordinary pieces.
  return pieces.map((piece, id): SentencePiece => {
    if (id === 0) return { piece, score: 0, type: PieceType.UNKNOWN };
    if (id === 1 || id === 2) return { piece, score: 0, type: PieceType.CONTROL };
    if (id < FIRST_NORMAL_ID) {
      if (piece !== byteName(id - 3)) throw new Error(`llama-tokenizer-js: piece ${id} is ${piece}, not a byte piece`);
      return { piece, score: 0, type: PieceType.BYTE };
    }
    return { piece, score: scores[id] ?? 0, type: PieceType.NORMAL };
  });
}

/** One text piece without special tokens, with SentencePiece's dummy prefix, by the reference implementation. */
export function referenceEncodePiece(text: string): number[] {
  return llamaTokenizer.encode(text, false, true);
}

const SPECIAL_IDS = new Map([
  ['<unk>', 0],
  ['<s>', 1],
  ['</s>', 2],
]);

/** A whole text as the slow LlamaTokenizer (legacy) does it: `<unk>` `<s>` `</s>` → 0 1 2, every other piece prefixed. */
export function referenceEncodeText(text: string): number[] {
  return text
    .split(/(<unk>|<s>|<\/s>)/u)
    .flatMap((piece) => {
      const special = SPECIAL_IDS.get(piece);
      if (special !== undefined) return [special];
      return piece.length > 0 ? referenceEncodePiece(piece) : [];
    });
}
