/**
 * Text chunk → token ids as Vicuna's slow `LlamaTokenizer` with `legacy=True` does it (model contract,
 * "Prompt assembly"): the special tokens are split out of the text first, then every remaining piece is
 * encoded on its own, each with SentencePiece's dummy prefix `▁`. So "x </s> y" is `▁x ▁` `</s>` `▁ ▁y`:
 * the space after `</s>` and the dummy prefix both survive.
 */

export const UNK_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;

/** LLaMA's special tokens by text. */
export const SPECIAL_TOKEN_IDS: ReadonlyMap<string, number> = new Map([
  ['<unk>', UNK_ID],
  ['<s>', BOS_ID],
  ['</s>', EOS_ID],
]);

/**
 * Encodes one piece of plain text (no special tokens in it), adding the dummy prefix: e.g. transformers.js'
 * tokenizer with `add_special_tokens: false`, whose normaliser prepends `▁` to every piece.
 */
export type PieceEncoder = (piece: string) => readonly number[];

/** A piece of text to encode, or a special token's id. */
export type TextPart = string | number;

const SPECIAL_PATTERN = /(<unk>|<s>|<\/s>)/u;

/** Splits `text` on `<unk>`, `<s>`, `</s>`; special tokens become their ids, empty pieces are dropped. */
export function splitOnSpecialTokens(text: string): TextPart[] {
  return text
    .split(SPECIAL_PATTERN)
    .filter((part) => part.length > 0)
    .map((part) => SPECIAL_TOKEN_IDS.get(part) ?? part);
}

/** Token ids of one text chunk of a prompt (no BOS; that is the template's business). */
export function encodeTextChunk(text: string, encodePiece: PieceEncoder): number[] {
  return splitOnSpecialTokens(text).flatMap((part) => (typeof part === 'number' ? [part] : [...encodePiece(part)]));
}
