import { SPECIAL_TOKEN_IDS } from './specialTokens.ts';

/**
 * Token ids → text as DepictQA decodes an answer: `tokenizer.batch_decode(ids, skip_special_tokens=True)` with
 * transformers 4.35.0's slow LlamaTokenizer. Its `convert_tokens_to_string` drops the `▁` that starts the first
 * piece; with `legacy: true` SentencePiece (loaded with its dummy prefix) then drops one more from the first
 * piece that is not empty. Byte-fallback pieces (`<0x0A>`) are bytes, joined into UTF-8 with their neighbours.
 */

const SPIECE_UNDERLINE = '▁';
const BYTE_PIECE = /^<0x([0-9A-F]{2})>$/u;
const SKIPPED: ReadonlySet<number> = new Set(SPECIAL_TOKEN_IDS.values());

export function detokenize(ids: readonly number[], pieceOf: (id: number) => string | undefined, legacy: boolean): string {
  const pieces = ids.filter((id) => !SKIPPED.has(id)).map((id) => {
    const piece = pieceOf(id);
    if (piece === undefined) throw new RangeError(`token id ${id} is outside the tokenizer's vocabulary`);
    return piece;
  });
  if (pieces.length === 0) return '';
  const dropUnderline = (index: number) => {
    const piece = pieces[index]!;
    if (piece.startsWith(SPIECE_UNDERLINE)) pieces[index] = piece.slice(1);
  };
  dropUnderline(0);
  if (legacy) {
    const first = pieces.findIndex((piece) => piece.length > 0);
    if (first >= 0) dropUnderline(first);
  }
  const encoder = new TextEncoder();
  const bytes: number[] = [];
  for (const piece of pieces) {
    const byte = BYTE_PIECE.exec(piece);
    if (byte !== null) bytes.push(Number.parseInt(byte[1]!, 16));
    else for (const value of encoder.encode(piece.replaceAll(SPIECE_UNDERLINE, ' '))) bytes.push(value);
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}
