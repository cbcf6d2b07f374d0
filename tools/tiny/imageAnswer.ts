import { llamaNames } from '../../converter/checkpoint/llamaConfig.ts';
import type { TensorSource } from '../../converter/checkpoint/tensorSource.ts';
import { sourceBytes } from '../../converter/checkpoint/tensorSource.ts';
import { fromFloat16Bits, toFloat16Bits } from '../../converter/onnx/float16.ts';

/** How a tiny checkpoint's tensors are changed before they are written (tests that need a known answer). */
export interface TinyEdits {
  llm?: (sources: TensorSource[]) => TensorSource[];
  delta?: (sources: TensorSource[]) => TensorSource[];
}

/** LLaMA ids: `▁Image`, `▁A`, `▁B`, `</s>` (model contract, "Known ids"). */
const IMAGE = 7084;
const LETTERS = { A: 319, B: 350 } as const;
const EOS = 2;
/** Every token's embedding gets this at dimension 0: a direction all hidden states share. */
const SHARED = 0.1;
/** Logit scales: the shared direction → `▁Image`; each designed step's own direction → its next token. */
const TO_IMAGE = 2;
const STEP = 3;

/**
 * Edits that make the tiny model's greedy answer to any prompt "Image A" (or "Image B"), then `</s>`: a Comparison
 * answer with a verdict, from an otherwise random checkpoint. How:
 * 1. Every attention and MLP output projection is zero (and the LoRA factor B of o_proj), so each layer passes its
 *    input on: the last hidden state is the current token's embedding, RMS-normalised and scaled by the final norm.
 * 2. Every embedding gets the same value at dimension 0, and `▁Image`'s lm_head row reads only that dimension: after
 *    any token, `▁Image` is likely.
 * 3. The rows of the letter and of `</s>` read dimensions 32…63 (the second 4-bit block, away from dimension 0's
 *    scale) along the normalised embedding of `▁Image` and of the letter: after `▁Image` comes the letter, after the
 *    letter `</s>`. Logits: about 8.5 for `▁Image` after any token, 14 for the designed next token, a few units for
 *    the other designed rows, ~0.2 for the random rest.
 */
export function imageAnswerEdits(letter: 'A' | 'B', layers: number): TinyEdits {
  const letterId = LETTERS[letter];
  return {
    llm: (sources) => {
      const byName = new Map(sources.map((source) => [source.name, source]));
      const embed = f16Values(byName.get(llamaNames.embedTokens)!);
      const [vocab, hidden] = byName.get(llamaNames.embedTokens)!.shape as [number, number];
      for (let t = 0; t < vocab; t++) embed[t * hidden] = SHARED;
      const embedRounded = fromFloat16Bits(toFloat16Bits(embed));
      const norm = f16Values(byName.get(llamaNames.finalNorm)!);
      const lmHead = f16Values(byName.get(llamaNames.lmHead)!);
      // [hidden]: what the final norm makes of token t's embedding.
      const normed = (t: number) => {
        const row = embedRounded.subarray(t * hidden, (t + 1) * hidden);
        const rms = Math.sqrt(row.reduce((sum, x) => sum + x * x, 0) / hidden + 1e-6);
        return Float32Array.from(row, (x, d) => (x / rms) * norm[d]!);
      };
      const setRow = (token: number, values: (d: number) => number) => {
        for (let d = 0; d < hidden; d++) lmHead[token * hidden + d] = values(d);
      };
      const along = (direction: Float32Array) => {
        const second = direction.subarray(hidden / 2);
        const length = Math.hypot(...second);
        return (d: number) => (d < hidden / 2 ? 0 : (STEP * direction[d]!) / length);
      };
      setRow(IMAGE, (d) => (d === 0 ? TO_IMAGE / norm[0]! : 0));
      setRow(letterId, along(normed(IMAGE)));
      setRow(EOS, along(normed(letterId)));
      const zeroed = new Set<string>();
      for (let i = 0; i < layers; i++) zeroed.add(llamaNames.layer(i).o).add(llamaNames.layer(i).down);
      return sources.map((source) => {
        if (source.name === llamaNames.embedTokens) return f16Source(source, embed);
        if (source.name === llamaNames.lmHead) return f16Source(source, lmHead);
        if (zeroed.has(source.name)) return f16Source(source, new Float32Array(elementsOf(source)));
        return source;
      });
    },
    delta: (sources) => sources.map((source) => (/\.o_proj\.lora_B\./.test(source.name) ? f16Source(source, new Float32Array(elementsOf(source))) : source)),
  };
}

function elementsOf(source: TensorSource): number {
  return source.shape.reduce((product, n) => product * n, 1);
}

function f16Values(source: TensorSource): Float32Array {
  if (source.dtype !== 'F16') throw new Error(`${source.name}: expected F16, got ${source.dtype}`);
  const bytes = sourceBytes(source);
  return fromFloat16Bits(new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2));
}

/** `values` in place of `source`'s, with its name, dtype (F16) and shape. */
function f16Source(source: TensorSource, values: Float32Array): TensorSource {
  const bytes = new Uint8Array(toFloat16Bits(values).buffer);
  return { name: source.name, dtype: 'F16', shape: source.shape, chunks: () => [bytes] };
}
