import { describe, expect, it } from 'vitest';
import { AppError } from '../src/core/errors.ts';
import { llamaNames } from './checkpoint/llamaConfig.ts';
import type { TensorEntry } from './checkpoint/types.ts';
import { loadLlamaFixture, maxAbsDiff } from '../tools/oracles/testing/llamaFixture.ts';
import { gaussianMatrix } from '../tools/testing/errorMetrics.ts';
import { applyLora, mergedWeightReader, planLoraMerge, type LoraDelta } from './lora.ts';
import { smallLlamaConfig } from './llama/smallConfig.ts';

const config = smallLlamaConfig({ max_position_embeddings: 128, vocab_size: 100 });
const FILE = 'ckpt.pt';
const key = (layer: number, projection: string, half: 'A' | 'B') =>
  `llm.base_model.model.model.layers.${layer}.self_attn.${projection}_proj.lora_${half}.default.weight`;

function entry(name: string, shape: number[], seed = 1): TensorEntry {
  const data = gaussianMatrix(shape.reduce((a, b) => a * b, 1), seed);
  return { name, dtype: 'F16', shape, file: FILE, read: async () => Float32Array.from(data) };
}

/** A DepictQA-like delta for the tiny config: rank 4 on every projection, plus vision keys. */
function tinyDelta(): Map<string, TensorEntry> {
  const tensors = new Map<string, TensorEntry>();
  let seed = 10;
  for (let layer = 0; layer < 2; layer++) {
    for (const [projection, out, inDim] of [
      ['q', 64, 64],
      ['k', 32, 64],
      ['v', 32, 64],
      ['o', 64, 64],
    ] as const) {
      tensors.set(key(layer, projection, 'A'), entry(key(layer, projection, 'A'), [4, inDim], seed++));
      tensors.set(key(layer, projection, 'B'), entry(key(layer, projection, 'B'), [out, 4], seed++));
    }
  }
  tensors.set('vision_proj.weight', entry('vision_proj.weight', [64, 16]));
  tensors.set('vision_proj.bias', entry('vision_proj.bias', [64]));
  tensors.set('abstractor.queries', entry('abstractor.queries', [8, 16]));
  return tensors;
}

function expectAppError(run: () => unknown, code: AppError['code'], message: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe(code);
  expect((caught as AppError).message).toMatch(message);
}

describe('planLoraMerge', () => {
  it('pairs every LoRA half with its target and hands back the vision keys', () => {
    const delta = planLoraMerge(tinyDelta(), FILE, config);
    expect(delta.pairs.size).toBe(8);
    expect(delta.pairs.get(llamaNames.layer(1).k)!.rank).toBe(4);
    expect([...delta.visionKeys.keys()].sort()).toEqual(['abstractor.queries', 'vision_proj.bias', 'vision_proj.weight']);
  });

  it('rejects an unknown key, naming the file and the key', () => {
    const tensors = tinyDelta();
    const stray = 'llm.base_model.model.model.layers.0.mlp.gate_proj.lora_A.default.weight';
    tensors.set(stray, entry(stray, [4, 64]));
    expectAppError(() => planLoraMerge(tensors, FILE, config), 'DELTA_UNKNOWN_KEY', /^ckpt\.pt: unknown key llm\.base_model.*mlp\.gate_proj/);
  });

  it('rejects a delta for another hidden size', () => {
    const tensors = tinyDelta();
    tensors.set(key(0, 'q', 'A'), entry(key(0, 'q', 'A'), [4, 80]));
    expectAppError(
      () => planLoraMerge(tensors, FILE, config),
      'DELTA_SHAPE_MISMATCH',
      /^ckpt\.pt: .*q_proj\.lora_A\.default\.weight is \[4, 80\] but the model's model\.layers\.0\.self_attn\.q_proj\.weight needs \[4, 64\]$/,
    );
  });

  it('rejects A and B of different ranks', () => {
    const tensors = tinyDelta();
    tensors.set(key(1, 'v', 'B'), entry(key(1, 'v', 'B'), [32, 8]));
    expectAppError(() => planLoraMerge(tensors, FILE, config), 'DELTA_SHAPE_MISMATCH', /v_proj\.lora_B\.default\.weight is \[32, 8\] .* needs \[32, 4\] \(the rank of .*lora_A/);
  });

  it('rejects a layer the model does not have', () => {
    const tensors = tinyDelta();
    tensors.set(key(5, 'q', 'A'), entry(key(5, 'q', 'A'), [4, 64]));
    expectAppError(() => planLoraMerge(tensors, FILE, config), 'DELTA_SHAPE_MISMATCH', /is for layer 5 but the model has 2 layers/);
  });

  it('rejects a missing half, naming the one that is missing', () => {
    const tensors = tinyDelta();
    tensors.delete(key(0, 'o', 'B'));
    expectAppError(() => planLoraMerge(tensors, FILE, config), 'CHECKPOINT_INVALID', /o_proj\.lora_A\.default\.weight has no partner .*o_proj\.lora_B\.default\.weight/);
  });
});

describe('applyLora', () => {
  it('equals W + (alpha / r) · B · A computed naively', async () => {
    const delta = planLoraMerge(tinyDelta(), FILE, config, { alpha: 8 });
    const target = llamaNames.layer(1).k; // [32, 64], rank 4
    const weight = gaussianMatrix(32 * 64, 99);
    const merged = await applyLora(delta, target, weight);
    const pair = delta.pairs.get(target)!;
    const [a, b] = [await pair.a.read(), await pair.b.read()];
    const expected = new Float32Array(32 * 64);
    for (let o = 0; o < 32; o++) {
      for (let i = 0; i < 64; i++) {
        let sum = 0;
        for (let j = 0; j < 4; j++) sum += b[o * 4 + j]! * a[j * 64 + i]!;
        expected[o * 64 + i] = weight[o * 64 + i]! + (8 / 4) * sum;
      }
    }
    expect(maxAbsDiff(merged, expected)).toBeLessThan(1e-6);
    expect(merged).not.toBe(weight); // the base weight is left as it was
  });

  it("equals PyTorch's PEFT merge (make_llama_fixture.py)", async () => {
    const { lora } = loadLlamaFixture();
    const pair = {
      target: 'w',
      a: { name: 'a', dtype: 'F32', shape: lora.a.shape, file: FILE, read: async () => lora.a.data },
      b: { name: 'b', dtype: 'F32', shape: lora.b.shape, file: FILE, read: async () => lora.b.data },
      rank: lora.a.shape[0]!,
    } as const;
    const delta: LoraDelta = { file: FILE, alpha: lora.alpha, pairs: new Map([['w', pair]]), visionKeys: new Map() };
    expect(maxAbsDiff(await applyLora(delta, 'w', lora.weight.data), lora.merged.data)).toBeLessThan(1e-5);
  });

  it('leaves weights without a pair untouched, through mergedWeightReader', async () => {
    const delta = planLoraMerge(tinyDelta(), FILE, config);
    const norm = new Float32Array(64).fill(1);
    const q = gaussianMatrix(64 * 64, 5);
    const read = mergedWeightReader(async (name) => (name === llamaNames.layer(0).q ? q : norm), delta);
    expect(await read(llamaNames.layer(0).inputNorm)).toBe(norm);
    expect(maxAbsDiff(await read(llamaNames.layer(0).q), q)).toBeGreaterThan(0.1);
  });
});
