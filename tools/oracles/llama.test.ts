import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { llamaNames, type LlamaConfig } from '../../converter/checkpoint/llamaConfig.ts';
import type { DenseTensor } from '../../converter/checkpoint/types.ts';
import { argmax, LlamaReference } from './llama.ts';
import { loadLlamaFixture, maxAbsDiff } from './testing/llamaFixture.ts';
import { randomLlamaWeights, spreadTokenIds, TINY_LLAMA_FULL_VOCAB } from './randomLlama.ts';

const fixture = loadLlamaFixture();
const vocab = fixture.config.vocab_size;
const hidden = fixture.config.hidden_size;

function rows(data: Float32Array, from: number, to: number, width: number): Float32Array {
  return data.subarray(from * width, to * width);
}

function expectAppError(run: () => unknown, code: AppError['code'], message: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(code);
    expect((error as AppError).message).toMatch(message);
    return;
  }
  expect.fail('expected an AppError');
}

describe('LlamaReference against PyTorch (make_llama_fixture.py)', () => {
  it('matches the prefill logits and each single-token step with the KV cache', () => {
    const model = new LlamaReference(fixture.config, fixture.weights);
    const prefill = model.forward(fixture.promptIds);
    expect(prefill.length).toBe(fixture.promptIds.length * vocab);
    const prefillDiff = maxAbsDiff(prefill, fixture.prefillLogits.data);
    fixture.stepIds.forEach((id, step) => {
      const logits = model.forward([id]);
      expect(maxAbsDiff(logits, rows(fixture.stepLogits.data, step, step + 1, vocab))).toBeLessThanOrEqual(1e-5);
    });
    expect(model.pastLength).toBe(fixture.promptIds.length + fixture.stepIds.length);
    expect(prefillDiff).toBeLessThanOrEqual(1e-5);
  });

  it('gives PyTorch greedy tokens', () => {
    const model = new LlamaReference(fixture.config, fixture.weights);
    const { promptIds, maxNewTokens, stopId, tokens } = fixture.greedy;
    expect(model.greedy(promptIds, maxNewTokens, stopId)).toEqual(tokens);
    // The cache holds the prompt and every generated token but the last.
    expect(model.pastLength).toBe(promptIds.length + tokens.length - 1);
  });
});

describe('LlamaReference KV cache and inputs', () => {
  const all = [...fixture.promptIds, ...fixture.stepIds];

  it('prefill then steps equals one call over the whole sequence, however it is split', () => {
    const full = new LlamaReference(fixture.config, fixture.weights).forward(all); // [10, vocab]
    const model = new LlamaReference(fixture.config, fixture.weights);
    const pieces = [model.forward(all.slice(0, 3)), model.forward(all.slice(3, 7)), ...all.slice(7).map((id) => model.forward([id]))];
    const joined = new Float32Array(full.length);
    let offset = 0;
    for (const piece of pieces) {
      joined.set(piece, offset);
      offset += piece.length;
    }
    expect(maxAbsDiff(joined, full)).toBeLessThanOrEqual(1e-5);
  });

  it('forwardEmbeds with rows of the embedding table equals forward by ids', () => {
    const byIds = new LlamaReference(fixture.config, fixture.weights);
    const byEmbeds = new LlamaReference(fixture.config, fixture.weights);
    const table = fixture.weights.get(llamaNames.embedTokens)!.data;
    const embeds = new Float32Array(fixture.promptIds.length * hidden); // [seq, hidden]
    fixture.promptIds.forEach((id, s) => embeds.set(table.subarray(id * hidden, (id + 1) * hidden), s * hidden));
    expect(byEmbeds.forwardEmbeds(embeds)).toEqual(byIds.forward(fixture.promptIds));
    // Then a step by ids after a prefill by embeddings continues the same cache.
    expect(byEmbeds.forward([fixture.stepIds[0]!])).toEqual(byIds.forward([fixture.stepIds[0]!]));
    const greedyByEmbeds = new LlamaReference(fixture.config, fixture.weights).greedy(embeds, 4, null);
    expect(greedyByEmbeds).toEqual(byIds.greedy(fixture.promptIds, 4, null));
  });

  it('forwardLast gives the last row of forward, and reset starts over at position 0', () => {
    const model = new LlamaReference(fixture.config, fixture.weights);
    const full = model.forward(fixture.promptIds);
    model.reset();
    expect(model.pastLength).toBe(0);
    const last = model.forwardLast(fixture.promptIds);
    expect(last).toEqual(rows(full, fixture.promptIds.length - 1, fixture.promptIds.length, vocab));
  });

  it('greedy stops after emitting the stop id, includes it, and breaks ties toward the lowest id', () => {
    const model = new LlamaReference(fixture.config, fixture.weights);
    const { promptIds, tokens } = fixture.greedy;
    expect(model.greedy(promptIds, 8, tokens[2]!)).toEqual(tokens.slice(0, 3));
    expect(model.greedy(promptIds, 0)).toEqual([]);
    // Give a lower id the same lm_head row as the first greedy token: the logits tie exactly.
    const first = tokens[0]!;
    const lower = first === 0 ? 1 : 0;
    expect(lower).not.toBe(first);
    const lmHead = fixture.weights.get(llamaNames.lmHead)!;
    const tied = Float32Array.from(lmHead.data);
    tied.copyWithin(Math.min(first, lower) * hidden, Math.max(first, lower) * hidden, (Math.max(first, lower) + 1) * hidden);
    const source = new Map(fixture.weights);
    source.set(llamaNames.lmHead, { ...lmHead, data: tied });
    const tiedFirst = new LlamaReference(fixture.config, source).greedy(promptIds, 1, null);
    expect(tiedFirst).toEqual([Math.min(first, lower)]);
  });

  it('reads weights from a lookup function as well as from a map', () => {
    const viaFunction = new LlamaReference(fixture.config, (name) => fixture.weights.get(name)?.data);
    const viaMap = new LlamaReference(fixture.config, fixture.weights);
    expect(viaFunction.forward(fixture.promptIds)).toEqual(viaMap.forward(fixture.promptIds));
  });
});

describe('LlamaReference errors', () => {
  it('names a missing or misshapen tensor', () => {
    const missing = new Map(fixture.weights);
    missing.delete(llamaNames.layer(1).k);
    expectAppError(() => new LlamaReference(fixture.config, missing), 'CHECKPOINT_INVALID', /model\.layers\.1\.self_attn\.k_proj\.weight is missing/);
    const misshapen = new Map(fixture.weights);
    const k = fixture.weights.get(llamaNames.layer(0).k)!; // [16, 32]: transposed, it has the right size only
    misshapen.set(llamaNames.layer(0).k, { ...k, shape: [k.shape[1]!, k.shape[0]!] } satisfies DenseTensor);
    expectAppError(() => new LlamaReference(fixture.config, misshapen), 'CHECKPOINT_INVALID', /k_proj\.weight has shape \[32,16\], expected \[16,32\]/);
    expectAppError(() => new LlamaReference(fixture.config, (name) => (name === llamaNames.finalNorm ? new Float32Array(3) : fixture.weights.get(name)?.data)), 'CHECKPOINT_INVALID', /model\.norm\.weight has 3 values/);
  });

  it('rejects a config whose heads do not group onto the KV heads', () => {
    const config: LlamaConfig = { ...fixture.config, num_key_value_heads: 3 };
    expectAppError(() => new LlamaReference(config, fixture.weights), 'CHECKPOINT_INVALID', /not a multiple of num_key_value_heads 3/);
  });

  it('rejects bad token ids, ragged embeddings and positions past the context, leaving the cache as it was', () => {
    const model = new LlamaReference(fixture.config, fixture.weights);
    model.forward([1, 2]);
    expectAppError(() => model.forward([vocab]), 'BAD_ARGUMENTS', /token id 100 at index 0/);
    expectAppError(() => model.forward([1.5]), 'BAD_ARGUMENTS', /token id 1\.5/);
    expectAppError(() => model.forwardEmbeds(new Float32Array(hidden + 1)), 'BAD_ARGUMENTS', /not \[seq ≥ 1, hidden 32\]/);
    expectAppError(() => model.forward([]), 'BAD_ARGUMENTS', /not \[seq ≥ 1/);
    expect(model.pastLength).toBe(2);
    const tooLong = new Array<number>(fixture.config.max_position_embeddings - 1).fill(5);
    expectAppError(() => model.forward(tooLong), 'BAD_ARGUMENTS', /exceed max_position_embeddings 64/);
    expectAppError(() => model.greedy([1], -1), 'BAD_ARGUMENTS', /maxNewTokens -1/);
  });
});

describe('LlamaReference at the tiny bundle shape (hidden 64, 2 layers, vocab 32000)', () => {
  it('prefills 50 tokens and decodes 8 greedily, in agreement with a cache-free recomputation', () => {
    const config = TINY_LLAMA_FULL_VOCAB;
    const model = new LlamaReference(config, randomLlamaWeights(config, 7));
    const prompt = spreadTokenIds(50, config.vocab_size);
    const started = performance.now();
    const generated = model.greedy(prompt, 8, null);
    const elapsedMs = performance.now() - started;
    console.log(`reference greedy, prompt 50 + 8 new tokens: ${elapsedMs.toFixed(0)} ms`);
    expect(generated).toHaveLength(8);
    // Each generated token is the argmax of a fresh, uncached forward over everything before it.
    const logits = new LlamaReference(config, randomLlamaWeights(config, 7)).forward([...prompt, ...generated.slice(0, -1)]);
    const recomputed = generated.map((_, n) => argmax(logits, (prompt.length - 1 + n) * config.vocab_size, config.vocab_size));
    expect(recomputed).toEqual(generated);
  });
});
