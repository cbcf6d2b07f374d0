/**
 * Text chunk → token ids as Vicuna's slow `LlamaTokenizer` in transformers 4.35.0 (DepictQA's pin) does it
 * (model contract, "Prompt assembly"). The special tokens are split out of the text first; then the pieces
 * between them are encoded on their own. How the pieces get SentencePiece's dummy prefix `▁` depends on the
 * tokenizer's `legacy` flag, which the checkpoint's tokenizer_config.json sets (Vicuna's says false):
 * - `legacy: true`: every piece gets it. "x </s> y" is `▁x ▁` `</s>` `▁ ▁y`.
 * - `legacy: false`: only the chunk's first piece does (transformers prepends `▁` to the whole text and
 *   SentencePiece runs without its dummy prefix). "x </s> y" is `▁x ▁` `</s>` `▁y`, and "</s>y" is `</s>` `y`.
 * The fixture written by transformers itself (fixtures/upstreamTokenizer.json) checks both.
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
 * SentencePiece without its dummy prefix: spaces become `▁`, then BPE over the whole text (no special tokens
 * in it, no BOS). E.g. the bundle's tokenizer.json with its `Prepend("▁")` normaliser step left out.
 */
export type RawEncoder = (text: string) => readonly number[];

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

/** One piece with SentencePiece's dummy prefix (`Image` → `▁Image`): how an answer's text starts. */
export function encodePrefixed(piece: string, encodeRaw: RawEncoder): readonly number[] {
  // The raw encoder turns the space into ▁.
  return encodeRaw(` ${piece}`);
}

/** Token ids of one text chunk of a prompt (no BOS; that is the template's business). */
export function encodeTextChunk(text: string, encodeRaw: RawEncoder, legacy: boolean): number[] {
  return splitOnSpecialTokens(text).flatMap((part, index) => {
    if (typeof part === 'number') return [part];
    // Without legacy, a chunk that starts with a special token gets no prefix at all: transformers drops the
    // lone ▁ it prepended there.
    return [...(legacy || index === 0 ? encodePrefixed(part, encodeRaw) : encodeRaw(part))];
  });
}
