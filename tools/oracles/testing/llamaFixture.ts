/** Reads fixtures/llamaTiny.json, written by make_llama_fixture.py (PyTorch's logits for a tiny random LLaMA). */
import { readFileSync } from 'node:fs';
import type { LlamaConfig } from '../../../converter/checkpoint/llamaConfig.ts';
import type { DenseTensor } from '../../../converter/checkpoint/types.ts';
import { float32Tensor, int16Tensor, type Float32Json, type Int16Json } from './fixtureTensors.ts';

interface FixtureJson {
  config: LlamaConfig;
  weights: Record<string, Int16Json>;
  promptIds: number[];
  stepIds: number[];
  prefillLogits: Float32Json;
  stepLogits: Float32Json;
  greedy: { promptIds: number[]; maxNewTokens: number; stopId: number; tokens: number[] };
  lora: { weight: Float32Json; a: Float32Json; b: Float32Json; alpha: number; merged: Float32Json };
}

export interface LlamaFixture {
  config: LlamaConfig;
  weights: Map<string, DenseTensor>;
  promptIds: number[];
  stepIds: number[];
  prefillLogits: DenseTensor; // [prompt, vocab]
  stepLogits: DenseTensor; // [steps, vocab]: one single-token call each
  greedy: FixtureJson['greedy'];
  lora: { weight: DenseTensor; a: DenseTensor; b: DenseTensor; alpha: number; merged: DenseTensor };
}

export function loadLlamaFixture(path = new URL('../fixtures/llamaTiny.json', import.meta.url)): LlamaFixture {
  const json = JSON.parse(readFileSync(path, 'utf8')) as FixtureJson;
  return {
    config: json.config,
    weights: new Map(Object.entries(json.weights).map(([name, tensor]) => [name, int16Tensor(tensor)])),
    promptIds: json.promptIds,
    stepIds: json.stepIds,
    prefillLogits: float32Tensor(json.prefillLogits),
    stepLogits: float32Tensor(json.stepLogits),
    greedy: json.greedy,
    lora: {
      weight: float32Tensor(json.lora.weight),
      a: float32Tensor(json.lora.a),
      b: float32Tensor(json.lora.b),
      alpha: json.lora.alpha,
      merged: float32Tensor(json.lora.merged),
    },
  };
}

/** Largest |a − b| over two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
