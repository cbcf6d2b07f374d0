import { detokenize } from './detokenize.ts';
import { encodePrefixed, encodeTextChunk, type RawEncoder } from './specialTokens.ts';

/**
 * The LLaMA tokenizer as DepictQA runs it (transformers 4.35.0's slow LlamaTokenizer), over a SentencePiece
 * encoder without its dummy prefix and the vocabulary's pieces. The engine builds it from the bundle's
 * tokenizer.json; tests build it the same way.
 */
export interface TextTokenizer {
  /** The checkpoint's `legacy` flag (its tokenizer_config.json; transformers reads a missing one as true). */
  readonly legacy: boolean;
  /** One text chunk of a prompt (special tokens allowed) → ids, no BOS. */
  encodeChunk(text: string): number[];
  /** One piece of plain text with the dummy prefix (`Image` → `▁Image`), as an answer's text starts. */
  encodePiece(piece: string): readonly number[];
  /** ids → text, special tokens dropped, as `batch_decode(…, skip_special_tokens=True)`. */
  decode(ids: readonly number[]): string;
}

export function createTextTokenizer(encodeRaw: RawEncoder, pieceOf: (id: number) => string | undefined, legacy: boolean): TextTokenizer {
  return {
    legacy,
    encodeChunk: (text) => encodeTextChunk(text, encodeRaw, legacy),
    encodePiece: (piece) => encodePrefixed(piece, encodeRaw),
    decode: (ids) => detokenize(ids, pieceOf, legacy),
  };
}
