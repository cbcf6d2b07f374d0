/**
 * Incremental detokenization. Decoding one token at a time goes wrong in two ways with a SentencePiece
 * vocabulary: a token decoded alone loses its leading space ("▁world" → "world"), and a character split
 * over byte-fallback tokens (<0xE4><0xBD><0xA0> = "你") decodes to U+FFFD until its last byte arrives.
 * So, as Hugging Face's text-generation-inference does, each step decodes a small window that starts
 * one emitted chunk back (`prefixOffset`), and emits only what the new token added after what was
 * already final (`readOffset`); while the window's text ends in U+FFFD, it waits.
 */
export interface TextStream {
  /** Feeds one generated id; returns the newly final text ('' while waiting). */
  push(tokenId: number): string;
  /** Returns whatever is still held back, so that all deltas + flush() = decode(all ids); afterwards
   *  `text` is exactly decode(all ids). */
  flush(): string;
  /** Text emitted so far. */
  readonly text: string;
  readonly ids: readonly number[];
}

/** `decode`: the tokenizer's decode with special tokens skipped (so `</s>` adds nothing). */
export function createTextStream(decode: (ids: number[]) => string): TextStream {
  const ids: number[] = [];
  let prefixOffset = 0;
  let readOffset = 0;
  let emitted = '';

  return {
    push(tokenId: number): string {
      ids.push(tokenId);
      const prefixText = decode(ids.slice(prefixOffset, readOffset));
      const windowText = decode(ids.slice(prefixOffset));
      // Emit only when the window grew past the final text, without rewriting it, and does not end
      // inside an incomplete UTF-8 character.
      if (windowText.length <= prefixText.length || !windowText.startsWith(prefixText) || windowText.endsWith('\uFFFD')) {
        return '';
      }
      const delta = windowText.slice(prefixText.length);
      prefixOffset = readOffset;
      readOffset = ids.length;
      emitted += delta;
      return delta;
    },
    flush(): string {
      const full = decode(ids.slice());
      // With a decoder whose output depends only on nearby tokens (SentencePiece with byte fallback) the
      // emitted text is always a prefix of the full decode. A decoder that rewrites earlier text (one that
      // cleans up spaces before punctuation, say) could break that: then the tail after the common prefix
      // is returned and `text` becomes the full decode, so the final answer is still exact.
      const rest = full.slice(full.startsWith(emitted) ? emitted.length : commonPrefixLength(full, emitted));
      emitted = full;
      prefixOffset = ids.length;
      readOffset = ids.length;
      return rest;
    },
    get text(): string {
      return emitted;
    },
    get ids(): readonly number[] {
      return ids;
    },
  };
}

function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
